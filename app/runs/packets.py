"""Socket.IO packets that cannot be handled become a `MALFORMED` event instead of an error in
the transport, so the sender gets an error ack (or a `protocol_error`) instead of silence."""

from __future__ import annotations

import re
from typing import Any

from socketio import packet

from app.inputs import text_problem

#: the event a malformed packet turns into; its one argument says what was wrong
MALFORMED = "_malformed"
#: an ack id longer than this is not acked (str() of a huge int is refused by Python)
MAX_ID_DIGITS = 1_000
RESERVED = frozenset({"connect", "connect_error", "disconnect", MALFORMED})
#: type, attachments-, /namespace, id, data: read leniently when the strict decoder gives up
LENIENT = re.compile(r"(?P<type>\d)(?:\d+-)?(?P<ns>/[^,]*,)?(?P<id>\d*)(?P<data>.*)", re.DOTALL)


def event_problem(data: Any) -> str | None:
    """Why an EVENT packet's payload cannot be dispatched, or None."""
    if not isinstance(data, list) or not data:
        return "an event packet's payload must be a JSON array [name, argument]"
    name = data[0]
    if not isinstance(name, str) or not name:
        return "the event name (the array's first item) must be a non-empty string"
    if name in RESERVED:
        return f"{name!r} is a reserved event name"
    if len(data) > 2:
        return f"{name[:80]!r} takes one argument, not {len(data) - 1}"
    problem = text_problem(data)
    return f"the message {problem}" if problem else None


class TolerantPacket(packet.Packet):
    """The default JSON packet; an event that cannot be dispatched is rewritten to MALFORMED."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            count = super().decode(encoded_packet)
        except Exception as exc:  # anything a client can send must end in an answer
            self._lenient(encoded_packet, exc)
            return 0
        if self.packet_type == packet.EVENT:
            problem = event_problem(self.data)
            if problem:
                self.data = [MALFORMED, problem]
        return count

    def _lenient(self, encoded: Any, exc: Exception) -> None:
        """A packet the strict decoder refused: a MALFORMED event, with its ack id if readable."""
        match = LENIENT.match(encoded) if isinstance(encoded, str) else None
        digits = match.group("id") if match else ""
        self.packet_type = packet.EVENT
        self.namespace = match.group("ns")[:-1] if match and match.group("ns") else None
        self.id = int(digits) if 0 < len(digits) <= MAX_ID_DIGITS else None
        reason = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        if reason == "Integer is too large":  # engineio.json's limit on JSON integers
            reason = "a number in it has more than 100 digits"
        self.data = [MALFORMED, f"the packet could not be read: {reason}"[:300]]
