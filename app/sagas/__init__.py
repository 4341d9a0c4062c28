"""Sagas that users bring: stored definitions beside the built-in ones (docs/protocol.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.db import Database
from app.sagas.store import SagaStore


def find_saga() -> Callable[[str], dict[str, Any] | None]:
    """The current app's look-up of a stored saga by name (for starting runs)."""
    return current_app.extensions["sagalab.sagas"].get


def init_app(app: Flask, database: Database) -> SagaStore:
    """The app's saga store and its REST views."""
    from app.sagas import views

    store = SagaStore(database, app.config["MAX_STORED_SAGAS"])
    app.extensions["sagalab.sagas"] = store
    app.register_blueprint(views.bp)
    return store
