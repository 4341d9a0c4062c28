"""Checks every endpoint shares: a JSON body, how deep it nests, whole numbers in a query
string, control tokens. Each failure is a RequestError naming the field (400 or error ack)."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from app.runs.request import RequestError
from sim.params import MAX_DEPTH, depth

#: the largest page number or row offset a query may ask for (SQLite takes 63-bit integers)
MAX_INDEX = 10**12
#: a control token is URL-safe base64 (secrets.token_urlsafe), far shorter than this
MAX_TOKEN_CHARS = 256
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request's JSON object ({} for an empty body when optional), checked for depth."""
    raw = request.get_data(cache=True)
    if not raw.strip() and optional:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        problem = "nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise RequestError({"body": f"is not JSON ({problem})"}) from None
    if depth(body) > MAX_DEPTH:
        raise RequestError({"body": f"nests lists or objects more than {MAX_DEPTH} levels deep"})
    check_text(body)
    if not isinstance(body, dict):
        raise RequestError({"body": f"must be a JSON object {{...}}, not {json_kind(body)}"})
    return body


def loose_json() -> Any:
    """The request's JSON, whatever it is; None if it is not JSON or nests too deeply to parse
    (Flask's get_json(silent=True) lets the RecursionError through: a 500)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    check_text(body)
    return body


def text_problem(value: Any) -> str | None:
    """Why a decoded JSON value cannot be stored or compared as text, or None: a lone UTF-16
    surrogate (JSON's "\\ud800" escape) in any key or string, which UTF-8 cannot encode."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            texts: Any = (node,)
        elif isinstance(node, dict):
            texts = [key for key in node if isinstance(key, str)]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
            continue
        else:
            continue
        for text in texts:
            if not text.isascii():
                try:
                    text.encode()
                except UnicodeEncodeError as exc:
                    bad = ascii(text[exc.start])
                    return f"holds a lone surrogate {bad}: text must be valid Unicode"
    return None


def check_text(value: Any) -> None:
    """Refuse (RequestError `body`) input that text_problem finds fault with."""
    problem = text_problem(value)
    if problem:
        raise RequestError({"body": problem})


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words ("an array", "a string", ...)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    kinds = {dict: "an object", list: "an array", str: "a string", int: "a number"}
    return kinds.get(type(value), "a number")


def query_int(name: str, default: int, lo: int, hi: int = MAX_INDEX) -> int:
    """A whole number from the query string, lo <= n <= hi."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    problem = f"must be a whole number from {lo:,} to {hi:,}"
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise RequestError({name: problem})
    value = int(raw)
    if not lo <= value <= hi:
        raise RequestError({name: problem})
    return value


TOKEN_PROBLEM = "must be a control token as the server gave it (letters, digits, - and _)"


def token_shaped(value: Any) -> bool:
    """Could value be a control token? (Comparing others in constant time would fail.)"""
    return (
        isinstance(value, str) and 0 < len(value) <= MAX_TOKEN_CHARS and set(value) <= TOKEN_CHARS
    )


def token_text(value: Any, field: str = "token") -> str | None:
    """A control token as given (None if absent); anything that cannot be one is refused."""
    if value is not None and not token_shaped(value):
        raise RequestError({field: TOKEN_PROBLEM})
    return value
