"""Errors: JSON under /api/ and for /healthz, a small HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from app.runs.request import RequestError

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{code} {name} · Saga Lab</title></head>
<body><h1>{code} {name}</h1><p>{description}</p><p><a href="/">Back to Saga Lab</a></p></body>
</html>"""


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def handle_http(exc: HTTPException) -> Response | tuple[Response | str, int]:
    code = exc.code or 500
    if code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        exc.description = f"The request body is over this server's limit of {limit:,} bytes."
    if _wants_json():
        return jsonify(error=exc.description or exc.name), code
    return PAGE.format(
        code=code, name=escape(exc.name), description=escape(exc.description or "")
    ), code


def handle_bad_input(exc: RequestError) -> tuple[Response | str, int, dict[str, str]]:
    """400 (or the error's own status: 403/404 for a class, 429, 503) naming each bad field:
    `{"errors": {field: message}, "error": "field: message"}`, with Retry-After if it has one."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    if _wants_json():
        return jsonify(errors=exc.errors, error=str(exc)), exc.status, headers
    page = PAGE.format(code=exc.status, name="Bad Request", description=escape(str(exc)))
    return page, exc.status, headers


def handle_unexpected(exc: Exception) -> Response | tuple[Response | str, int]:
    log.exception("request failed", exc_info=exc)
    return handle_http(InternalServerError(description="The server failed on this request."))


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(RequestError, handle_bad_input)
    app.register_error_handler(Exception, handle_unexpected)
