"""WebSocket compression done once per message, not once per viewer.

Browsers offer permessage-deflate and simple-websocket accepts it, so by default the server
deflates every batch again for every viewer, each in its own context. Here the server asks
for `server_no_context_takeover` (RFC 7692: each message compressed on its own), which makes
a message's compressed bytes the same for every viewer: the first viewer's send compresses
a batch, the other 299 reuse it. Inbound messages are handled exactly as before.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict

import simple_websocket.ws
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import Opcode, RsvBits

KEEP = 32  # recent messages whose compressed form is kept (a few ticks of every run)
MIN_BYTES = 256  # smaller messages (acks, pings, status) are not worth compressing

_cache: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
_lock = threading.Lock()


def compressed(data: bytes, bits: int) -> bytes:
    """data deflated on its own (window `bits`), as permessage-deflate frames carry it."""
    key = (bits, data)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits)
    out = (packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH))[:-4]
    with _lock:
        _cache[key] = out
        while len(_cache) > KEEP:
            _cache.popitem(last=False)
    return out


class SharedDeflate(PerMessageDeflate):
    """permessage-deflate without server context takeover, messages compressed once."""

    def __init__(self) -> None:
        super().__init__(server_no_context_takeover=True)

    def frame_outbound(self, proto, opcode, rsv, data, fin):  # type: ignore[no-untyped-def]
        whole = fin and opcode in (Opcode.TEXT, Opcode.BINARY) and not proto.client
        if not whole or len(data) < MIN_BYTES:
            if whole:  # a small message goes out uncompressed (RSV1 clear)
                return rsv, data
            return super().frame_outbound(proto, opcode, rsv, data, fin)
        return RsvBits(True, rsv[1], rsv[2]), compressed(bytes(data), self.server_max_window_bits)


def install() -> None:
    """Make simple-websocket's server offer SharedDeflate instead of PerMessageDeflate."""
    simple_websocket.ws.PerMessageDeflate = SharedDeflate  # type: ignore[attr-defined]
