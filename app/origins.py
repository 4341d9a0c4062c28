"""Only the server's own origin (and any in ALLOWED_ORIGINS) may talk to it."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request


def own_origin(environ: dict[str, Any]) -> str:
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"


def origin_allowed(origin: str | None, environ: dict[str, Any], extra: list[str]) -> bool:
    """No Origin header (not a browser) or the server's own origin or a configured one."""
    return not origin or origin == own_origin(environ) or origin in extra


def socketio_origin_check(extra: list[str]) -> Any:
    """The `cors_allowed_origins` callable for Socket.IO."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        return origin_allowed(origin, environ, extra)

    return check


def refuse_foreign_origin() -> Any:
    """before_request hook: a request from another site's page gets 403."""
    origin = request.headers.get("Origin")
    if origin_allowed(origin, request.environ, current_app.config["ALLOWED_ORIGINS"]):
        return None
    return jsonify(error=f"origin {origin} is not allowed"), 403
