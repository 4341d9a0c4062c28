"""permessage-deflate compressed once per message: every viewer gets the same valid bytes."""

from __future__ import annotations

import json
import zlib

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from app import deflate


def handshake() -> tuple[WSConnection, WSConnection]:
    """A wsproto client offering permessage-deflate, and a server answering with SharedDeflate."""
    from wsproto.extensions import PerMessageDeflate

    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(
        client.send(Request(host="x", target="/", extensions=[PerMessageDeflate()]))
    )
    request = next(server.events())
    assert isinstance(request, Request)
    client.receive_data(server.send(AcceptConnection(extensions=[deflate.SharedDeflate()])))
    accepted = next(client.events())
    assert "server_no_context_takeover" in str(accepted.extensions)
    return client, server


def test_two_viewers_get_one_compression_and_decode_every_message() -> None:
    batch = json.dumps({"events": [{"seq": i, "kind": "saga.started"} for i in range(200)]})
    pairs = [handshake(), handshake()]
    wires = []
    for client, server in pairs:
        for text in (batch, batch + " ", '42["run_status",{}]'):
            wire = server.send(TextMessage(data=text))
            client.receive_data(wire)
            got = next(client.events())
            assert isinstance(got, TextMessage) and got.data == text
            wires.append(wire)
    assert wires[:3] == wires[3:]  # the same bytes for each viewer
    assert len(wires[0]) < len(batch) / 5
    assert wires[0][0] == 0xC1  # FIN, RSV1 (compressed), text
    assert wires[2][0] == 0x81  # a small message goes as is: RSV1 clear


def test_compressed_is_raw_deflate_and_cached() -> None:
    data = b"x" * 5000
    once = deflate.compressed(data, 15)
    assert deflate.compressed(bytes(data), 15) is once
    assert zlib.decompressobj(-15).decompress(once + b"\x00\x00\xff\xff") == data
