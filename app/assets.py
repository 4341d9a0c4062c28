"""Static files and the npm browser libraries at versioned URLs, compressed once, cached for good.

`/assets/<version>/<name>` serves static/<name> or, under `vendor/`, a file from node_modules.
The version is a hash of every file served, so a changed file gets a new URL and the browser
may keep each one for a year without asking again; the ES modules import each other by
relative paths, so they stay inside one version. Each file is read and gzip-compressed once
per process; its best forms (brotli at quality 11, and zopfli's gzip, 4% smaller than gzip -9
for browsers that ask for gzip only, as chromium does over plain http off localhost) are made
in the background, kept in instance/compressed/ and served once ready.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import brotli
import zopfli.gzip
from flask import Blueprint, Flask, Response, abort, current_app, request

from app import packed
from app.preload import module_graph
from sim.trace.vocabulary import es_module

bp = Blueprint("assets", __name__)

YEAR = 365 * 24 * 3600
COMPRESSIBLE = (".js", ".css", ".svg", ".map", ".json", ".txt")
#: name under vendor/ -> (its folder in node_modules, its file name); npm ci installs them
VENDOR = {
    "plotly.min.js": ("plotly.js-basic-dist-min", "plotly-basic.min.js"),
    "socket.io.esm.min.js": ("socket.io-client/dist", "socket.io.esm.min.js"),
    "socket.io.esm.min.js.map": ("socket.io-client/dist", "socket.io.esm.min.js.map"),
}


#: Content-Encoding -> how a file's best form is made (seconds for Plotly: once, then kept)
PACKERS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda data: brotli.compress(data, quality=11),
    "gzip": lambda data: zopfli.gzip.compress(data),
}
SUFFIX = {"br": "br", "gzip": "gz"}


def quick_gzip(data: bytes) -> bytes:
    """gzip -9: made at once, served until zopfli's form is ready."""
    return gzip.compress(data, 9, mtime=0)


def off_the_loop(make: Callable[[bytes], bytes], data: bytes) -> bytes:
    """make(data) in an OS thread when gevent has patched threading (under gunicorn's gevent
    worker a thread is a greenlet, and seconds of compression would stop every connection);
    brotli, zopfli and zlib let go of the GIL while they work."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # gevent is optional: threading mode
        return make(data)
    if not monkey.is_module_patched("threading"):
        return make(data)
    return get_hub().threadpool.apply(make, (data,))


@dataclass
class Asset:
    """One file's bytes, its hash and its compressed forms (filled in as they are made)."""

    path: str
    data: bytes
    digest: str
    forms: dict[str, bytes] = field(default_factory=dict)
    quick: bytes | None = None  # gzip -9, served until the best gzip form is ready
    packing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def read(cls, path: str) -> Asset:
        with open(path, "rb") as f:
            data = f.read()
        return cls(path, data, hashlib.sha256(data).hexdigest()[:20])

    @property
    def compressible(self) -> bool:
        return self.path.endswith(COMPRESSIBLE) and len(self.data) >= 1024

    def form(self, accepted: Any, cache_dir: str) -> tuple[str, str, bytes]:
        """The smallest form the client accepts that is ready now: (encoding, its tag, bytes)."""
        if not self.compressible:
            return "identity", "identity", self.data
        with self.lock:
            if not self.packing:
                self.packing = True
                threading.Thread(target=self._pack, args=(cache_dir,), daemon=True).start()
            for encoding in PACKERS:
                if accepted[encoding] and encoding in self.forms:
                    return encoding, encoding, self.forms[encoding]
            if accepted["gzip"]:
                if self.quick is None:
                    self.quick = off_the_loop(quick_gzip, self.data)
                return "gzip", "gzip9", self.quick
        return "identity", "identity", self.data

    def pack(self, cache_dir: str) -> None:
        """Make the best forms, or read them back from cache_dir (keyed by the file's hash)."""
        with self.lock:
            if not self.compressible or self.packing:
                return
            self.packing = True
        self._pack(cache_dir)

    def _pack(self, cache_dir: str) -> None:
        for encoding, make in PACKERS.items():
            cached = os.path.join(cache_dir, f"{self.digest}.{SUFFIX[encoding]}")
            try:
                with open(cached, "rb") as f:
                    body = f.read()
            except OSError:
                body = off_the_loop(make, self.data)
                os.makedirs(cache_dir, exist_ok=True)
                with open(cached + ".tmp", "wb") as f:
                    f.write(body)
                os.replace(cached + ".tmp", cached)
            with self.lock:
                self.forms[encoding] = body


class Assets:
    """The files one app serves, read on first use and checked again if they change."""

    def __init__(self, static_folder: str, node_modules: str, cache_dir: str) -> None:
        self.static_folder = static_folder
        self.node_modules = node_modules
        self.cache_dir = cache_dir
        self._files: dict[str, tuple[tuple[int, int], Asset]] = {}
        self._lock = threading.Lock()
        self._version: str | None = None
        self.generated: dict[str, Callable[[], str]] = {}

    def path(self, name: str) -> str | None:
        """The file behind a served name, or None if it is not one (no file name holds a
        NUL character: the OS would refuse to look one up)."""
        if "\x00" in name:
            return None
        if name.startswith("vendor/"):
            where = VENDOR.get(name.removeprefix("vendor/"))
            return os.path.join(self.node_modules, *where) if where else None
        full = os.path.realpath(os.path.join(self.static_folder, name))
        inside = full.startswith(os.path.realpath(self.static_folder) + os.sep)
        return full if inside and os.path.isfile(full) else None

    def generate(self, name: str, make: Callable[[], str]) -> None:
        """Serve `name` (e.g. js/vocabulary.js) from make(), called once per process."""
        self.generated[name] = make

    def get(self, name: str) -> Asset | None:
        if name in self.generated:
            with self._lock:
                known = self._files.get(name)
                if known is None:
                    data = self.generated[name]().encode()
                    known = ((0, 0), Asset(name, data, hashlib.sha256(data).hexdigest()[:20]))
                    self._files[name] = known
                return known[1]
        path = self.path(name)
        if path is None or not os.path.isfile(path):
            return None
        stat = os.stat(path)
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            known = self._files.get(path)
            if known is None or known[0] != key:
                known = (key, Asset.read(path))
                self._files[path] = known
            return known[1]

    def names(self) -> list[str]:
        out = [f"vendor/{name}" for name in VENDOR] + list(self.generated)
        for folder, _dirs, files in os.walk(self.static_folder):
            rel = os.path.relpath(folder, self.static_folder)
            out += [os.path.normpath(os.path.join(rel, f)) for f in files]
        return sorted(out)

    def version(self) -> str:
        """A hash of every served file, computed once per process."""
        if self._version is None:
            digest = hashlib.sha256()
            for name in self.names():
                asset = self.get(name)
                digest.update(f"{name}:{asset.digest if asset else '-'};".encode())
            self._version = digest.hexdigest()[:12]
        return self._version

    def warm(self) -> None:
        """Make every file's best forms now (read from instance/compressed/ if kept there)."""
        for name in self.names():
            asset = self.get(name)
            if asset is not None:
                asset.pack(self.cache_dir)

    def url(self, name: str) -> str:
        return f"/assets/{self.version()}/{name}"


def _assets() -> Assets:
    return current_app.extensions["sagalab.assets"]


def respond(name: str, max_age: int, missing: str) -> Response:
    """A file's best accepted form, with its ETag and cache lifetime; 404 naming the fix."""
    assets = _assets()
    asset = assets.get(name)
    if asset is None:
        abort(404, description=missing)
    encoding, tag, body = asset.form(request.accept_encodings, assets.cache_dir)
    mimetype = mimetypes.guess_type(asset.path)[0] or "application/octet-stream"
    response = Response(body, mimetype=mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{asset.digest}-{tag}")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if max_age >= YEAR:
        response.cache_control.immutable = True
    return response.make_conditional(request)


@bp.get("/assets/<version>/<path:name>")
def asset(version: str, name: str) -> Response:
    """A stale version (a page cached across a deploy) gets today's file, kept for no time."""
    current = version == _assets().version()
    missing = f"{name} is not served here" + (
        " (run `make setup`, which runs npm ci)" if name.startswith("vendor/") else ""
    )
    return respond(name, YEAR if current else 0, missing + ".")


def init_app(app: Flask) -> None:
    """Serve /assets/, give templates `asset_url(name)`, compress the app's other answers.

    The files above carry their own Content-Encoding, so Flask-Compress (app/packed.py) lets
    them pass untouched.
    """
    packed.init_app(app)
    root = os.path.dirname(app.root_path)
    assets = Assets(
        app.static_folder or os.path.join(root, "static"),
        os.path.join(root, "node_modules"),
        os.path.join(app.instance_path, "compressed"),
    )
    assets.generate("js/vocabulary.js", es_module)  # sim/'s vocabulary, as an ES module
    app.extensions["sagalab.assets"] = assets
    app.register_blueprint(bp)
    if not app.testing:  # a server: have every file's brotli form ready for the first viewers
        threading.Thread(target=assets.warm, daemon=True, name="sagalab-assets").start()
    app.jinja_env.globals["asset_url"] = assets.url
    graphs: dict[str, list[str]] = {}  # per process, as the version is

    def module_preloads(name: str) -> list[str]:
        if name not in graphs:
            graphs[name] = [assets.url(m) for m in module_graph(assets, name)]
        return graphs[name]

    app.jinja_env.globals["module_preloads"] = module_preloads
