"""Streamed answers (a run's events, exports) compressed as they stream.

Flask-Compress compresses whole answers only (app/assets.py). A streamed one is compressed
here chunk by chunk, each chunk flushed so the browser can parse what has arrived: brotli at
a quality that keeps up with the store (5: a run's JSON lines shrink about tenfold), else gzip.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli
from flask import Response, request, stream_with_context

BROTLI_QUALITY = 5
GZIP_LEVEL = 6


def _brotli(chunks: Iterable[str]) -> Iterator[bytes]:
    packer = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        out = packer.process(chunk.encode()) + packer.flush()
        if out:
            yield out
    yield packer.finish()


def _gzip(chunks: Iterable[str]) -> Iterator[bytes]:
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        out = packer.compress(chunk.encode()) + packer.flush(zlib.Z_SYNC_FLUSH)
        if out:
            yield out
    yield packer.flush()


def streamed(chunks: Iterable[str], mimetype: str, headers: dict[str, str]) -> Response:
    """A streamed answer of `chunks` (text), in the best encoding the request accepts."""
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    packers = {"br": _brotli, "gzip": _gzip}
    body = packers[encoding](chunks) if encoding else (c.encode() for c in chunks)
    response = Response(stream_with_context(body), mimetype=mimetype, headers=headers)
    response.headers["Vary"] = "Accept-Encoding"
    if encoding:
        response.headers["Content-Encoding"] = encoding
    return response
