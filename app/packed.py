"""The app's answers compressed, and revalidated rather than sent again on a reload.

Whole answers (pages, JSON) go through Flask-Compress, with an ETag of their body, so a
reload costs a 304. A streamed answer (a run's events, exports) is compressed here chunk by
chunk, each chunk flushed so the browser can parse what has arrived (Flask-Compress's own
streaming neither flushes nor offers gzip, which is all chromium asks for over plain http off
localhost): brotli at a quality that keeps up with the store (5: a run's JSON lines shrink
about sixteenfold), else gzip. (Static files: app/assets.py.)
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli
from flask import Flask, Response, request, stream_with_context
from flask_compress import Compress

BROTLI_QUALITY = 5
GZIP_LEVEL = 6
REVALIDATED = ("text/html", "application/json")


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


def streamed(
    chunks: Iterable[str], mimetype: str, headers: dict[str, str], etag: str | None = None
) -> Response:
    """A streamed answer of `chunks` (text), in the best encoding the request accepts; with
    `etag` (what names the content: an ended run's), a request that has it gets a 304."""
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    packers = {"br": _brotli, "gzip": _gzip}
    body = packers[encoding](chunks) if encoding else (c.encode() for c in chunks)
    response = Response(stream_with_context(body), mimetype=mimetype, headers=headers)
    response.headers["Vary"] = "Accept-Encoding"
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if etag:
        response.set_etag(f"{etag}-{encoding or 'identity'}")
        response.cache_control.no_cache = True
        response.make_conditional(request)
    return response


def revalidated(response: Response) -> Response:
    """after_request: a whole GET page or JSON answer gets an ETag of its body and is asked
    about again on every use (no-cache): a reload that has it gets a 304."""
    whole = response.status_code == 200 and not response.is_streamed
    fits = request.method == "GET" and whole and response.mimetype in REVALIDATED
    if fits and response.get_etag()[0] is None:
        response.add_etag()
        response.cache_control.no_cache = True
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Flask-Compress (br, else gzip) for whole answers; their ETags (see `revalidated`)."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    Compress(app)
    app.after_request(revalidated)  # registered after Flask-Compress's hook, so it runs first
