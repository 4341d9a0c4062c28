"""Hosts, origins and security headers.

Every request (Socket.IO included) must name one of this server's hosts in its Host header,
so a page on a DNS-rebinding name cannot reach it; a request that changes state from a
browser must come from a page of one of those hosts on this port (or from ALLOWED_ORIGINS);
every document carries a Content-Security-Policy that runs only the app's own scripts, refuses
framing, and `nosniff` (scripts and stylesheets, where a browser ignores the rest, only that).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, request
from markupsafe import escape
from werkzeug.wrappers import Response

from app.errors import PAGE

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
#: the <style> elements Plotly's npm bundle (app/assets.py VENDOR) adds, by the SHA-256 of their
#: text: an empty one it fills through the CSSOM (which CSP does not govern), and a fixed
#: stylesheet; tests/test_hosts_headers.py recomputes them from the installed bundle
PLOTLY_STYLES = (
    "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    "sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o=",
)
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' " + " ".join(f"'{h}'" for h in PLOTLY_STYLES),
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _split(netloc: str) -> tuple[str, int | None] | None:
    """(lower-case host name, port or None) of "name[:port]", or None if it is not one."""
    try:
        parts = urlsplit("//" + netloc)
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not name or parts.username is not None or parts.path or parts.query:
        return None
    return name.rstrip("."), port


def allowed_hosts(config: dict[str, Any]) -> set[str]:
    """The bound address, localhost, 127.0.0.1, ::1 and ALLOWED_HOSTS, lower case."""
    named = [config.get("HOST") or "", *DEFAULT_HOSTS, *config.get("ALLOWED_HOSTS", ())]
    return {str(host).strip().strip("[]").lower().rstrip(".") for host in named if host}


def host_allowed(name: str, config: dict[str, Any]) -> bool:
    """A host name this server answers to. Bound to every interface (0.0.0.0), any IP address
    is one of the machine's: a DNS-rebinding page always names its own domain instead."""
    hosts = allowed_hosts(config)
    if "*" in hosts or name in hosts:
        return True
    if (config.get("HOST") or "") in WILDCARD_ADDRESSES:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


def origin_allowed(origin: str | None, environ: dict[str, Any], config: dict[str, Any]) -> bool:
    """No Origin (not a browser), one of ALLOWED_ORIGINS, or a page of an allowed host on the
    port this request came to (compared with the allowed hosts, not with the Host header)."""
    if not origin or origin in config.get("ALLOWED_ORIGINS", ()):
        return True
    scheme, _, netloc = origin.partition("://")
    own = _split(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    theirs = _split(netloc)
    if scheme not in ("http", "https") or own is None or theirs is None:
        return False
    default = DEFAULT_PORTS[scheme]
    same_port = (theirs[1] or default) == (own[1] or default)
    return same_port and host_allowed(theirs[0], config)


def socketio_origin_check(config: dict[str, Any]) -> Callable[[str | None, dict], bool]:
    """The `cors_allowed_origins` callable for Socket.IO."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        return origin_allowed(origin, environ, config)

    return check


def refuse_foreign_origin() -> Any:
    """before_request: a state-changing request from another site's page gets 403."""
    if request.method not in STATE_CHANGING:
        return None
    origin = request.headers.get("Origin")
    if origin_allowed(origin, request.environ, current_app.config):
        return None
    return jsonify(error=f"origin {origin} is not allowed to change anything here"), 403


#: the headers every answer carries (no page of this app is ever framed, not even by itself)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
]
#: a script or stylesheet is never a document: a browser applies a policy, framing rule or
#: referrer policy only from a document's answer, so these carry just `nosniff` (a page's
#: first load fetches some 40 of them: ~420 bytes each that no browser reads)
SUBRESOURCE_HEADERS = [("X-Content-Type-Options", "nosniff")]
SUBRESOURCE_TYPES = ("text/javascript", "application/javascript", "text/css")


def security_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The security headers an answer with these headers lacks."""
    named = {name.lower(): value for name, value in headers}
    subresource = named.get("content-type", "").startswith(SUBRESOURCE_TYPES)
    extra = SUBRESOURCE_HEADERS if subresource else SECURITY_HEADERS
    return [h for h in extra if h[0].lower() not in named]


class HostGuard:
    """WSGI middleware around everything (Socket.IO too): refuse unknown hosts, add headers."""

    def __init__(self, wsgi_app: Any, config: dict[str, Any]) -> None:
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        parts = _split(host)
        if parts is None or not host_allowed(parts[0], self.config):
            return self._refuse(host, path, SECURITY_HEADERS)(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.extend(security_headers(headers))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)

    def _refuse(self, host: str, path: str, headers: list[tuple[str, str]]) -> Response:
        message = (
            f"This server does not answer to the host name {host[:100]!r}. An operator can add "
            "it to ALLOWED_HOSTS (SAGALAB_ALLOWED_HOSTS=name1,name2)."
        )
        if path.startswith(("/api/", "/socket.io")) or path == "/healthz":
            response = Response(json.dumps({"error": message}), 400, mimetype="application/json")
        else:
            body = PAGE.format(code=400, name="Bad Request", description=escape(message))
            response = Response(body, 400, mimetype="text/html")
        response.headers.extend(headers)
        return response


def init_app(app: Flask) -> None:
    """Install the checks; call after socketio.init_app so Socket.IO is behind them too."""
    app.before_request(refuse_foreign_origin)
    app.wsgi_app = HostGuard(app.wsgi_app, app.config)  # type: ignore[method-assign]
