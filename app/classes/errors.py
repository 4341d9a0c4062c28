"""The one error of the class API: an HTTP status and a message for one field."""

from __future__ import annotations

from app.runs.request import RequestError


class ClassError(RequestError):
    """A class request that cannot be carried out: 400, 403, 404, 409 or 429, and why."""

    def __init__(self, status: int, message: str, field: str = "class") -> None:
        super().__init__({field: message})
        self.status = status
        self.message = message
