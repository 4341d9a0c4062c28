"""Who may do what: a run's control token (its starter) or the administrator token."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

#: an administrator token shorter than this is refused at start-up (it would be guessable)
MIN_ADMIN_TOKEN = 16


def digest(token: str) -> str:
    """What the store keeps of a control token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Constant-time equality of two tokens (any text: compared as UTF-8 bytes)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def delete_refusal(
    token: str | None,
    stored_digest: str | None,
    config: dict[str, Any],
    what: str = "run",
    holder: str = "its control token (the browser tab that started it holds it)",
) -> str:
    """Why this token may not delete a run, or change a stored saga ("" if it may): it must be
    the run's control token (the token the saga was stored with) or the ADMIN_TOKEN."""
    admin = config.get("ADMIN_TOKEN")
    if token is None:
        return f"deleting a {what} needs {holder}" + (
            " or the administrator token" if admin else ""
        )
    if admin and same(token, admin):
        return ""
    if stored_digest and same(digest(token), stored_digest):
        return ""
    if not stored_digest and not admin:
        return f"this {what} was stored without a control token: it cannot be deleted"
    return f"wrong token: only the {what}'s owner (with {holder.split(' (')[0]}) " + (
        "or an administrator may delete it" if admin else "may delete it"
    )


def check_admin_token(value: Any) -> None:
    """ADMIN_TOKEN is unset or a long enough token; raise ValueError naming the key otherwise."""
    from app.inputs import token_shaped

    if value is None or value == "":
        return
    if not token_shaped(value) or len(value) < MIN_ADMIN_TOKEN:
        raise ValueError(
            f"ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN} letters, digits, - or _ "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))')"
        )
