"""Sagas that users bring: stored definitions beside the built-in ones (docs/protocol.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app

from app.db import Database
from app.sagas.store import SagaStore
from sim.params import ParamsError, saga_of
from sim.presets import PRESETS
from sim.saga import Saga


def find_saga() -> Callable[[str], dict[str, Any] | None]:
    """The current app's look-up of a stored saga by name (for starting runs)."""
    return current_app.extensions["sagalab.sagas"].get


def requested_saga(args: Mapping[str, str]) -> Saga | None:
    """The saga a request's query names: `saga=NAME` (a built-in or a stored one) or
    `preset=NAME` (that preset's saga, which may be a definition of its own); None for the
    default saga. LookupError naming what is unknown."""
    name = args.get("saga")
    preset = args.get("preset")
    if name is None and preset is not None:
        if preset not in PRESETS:
            raise LookupError(f"no preset named '{preset[:40]}'")
        return saga_of(PRESETS[preset]["params"].get("saga"))
    if name is None:
        return None
    try:
        return saga_of(find_saga()(name) or name)
    except ParamsError:
        raise LookupError(f"no saga named '{name[:40]}'") from None


def init_app(app: Flask, database: Database) -> SagaStore:
    """The app's saga store and its REST views."""
    from app.sagas import files, views

    store = SagaStore(database, app.config["MAX_STORED_SAGAS"])
    app.extensions["sagalab.sagas"] = store
    app.register_blueprint(views.bp)
    app.register_blueprint(files.bp)
    return store
