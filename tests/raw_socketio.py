"""A raw Socket.IO client over one WebSocket: sends packets exactly as given (malformed ones
too) and reads the answers, for the hardening tests and the fuzzer."""

from __future__ import annotations

import json
from typing import Any

import websocket


class RawSocket:
    """Engine.IO v4 over WebSocket, connected to namespace "/"; answers pings itself."""

    def __init__(self, base_url: str, host: str | None = None, origin: str | None = None) -> None:
        """Connect; host and origin replace the Host and Origin headers (default: the URL's)."""
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=15, host=host, origin=origin)
        opened = self.ws.recv()
        assert opened.startswith("0{"), opened
        self.ws.send("40")
        reply = self.next_packet()
        assert reply.startswith("0"), reply  # CONNECT with the sid
        self.events: list[tuple[str, Any]] = []

    def close(self) -> None:
        self.ws.close()

    def next_packet(self) -> str:
        """The next Socket.IO packet (Engine.IO pings are answered on the way)."""
        while True:
            message = self.ws.recv()
            if message == "2":
                self.ws.send("3")
                continue
            assert isinstance(message, str) and message.startswith("4"), message
            return message[1:]

    def send(self, packet: str) -> None:
        """Send one Socket.IO packet (e.g. '21["join_run",{}]') as an Engine.IO message."""
        self.ws.send("4" + packet)

    def ack(self, ack_id: int | str) -> Any:
        """Wait for the ack with this id; events that arrive first are kept in `events`."""
        prefix = f"3{ack_id}["
        while True:
            packet = self.next_packet()
            if packet.startswith(prefix):
                return json.loads(packet[len(prefix) - 1 :])[0]
            if packet.startswith("2"):
                name, *args = json.loads(packet[1:])
                self.events.append((name, args[0] if args else None))

    def call(self, event: str, data: Any, ack_id: int = 1) -> Any:
        """Emit event with data and an ack id; return the ack."""
        self.send(f"2{ack_id}" + json.dumps([event, data]))
        return self.ack(ack_id)

    def protocol_error(self) -> Any:
        """Wait for the next `protocol_error` event."""
        while True:
            for i, (name, data) in enumerate(self.events):
                if name == "protocol_error":
                    del self.events[i]
                    return data
            packet = self.next_packet()
            if packet.startswith("2"):
                name, *args = json.loads(packet[1:])
                self.events.append((name, args[0] if args else None))
