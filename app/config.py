"""Configuration: defaults, then instance/config.py, then SAGALAB_* environment variables."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Config, Flask

from app.access import check_admin_token
from sim.batch.plan import LIMITS

ENV_PREFIX = "SAGALAB_"

#: the keys an operator may set, with their defaults (DATABASE is filled in from the instance path)
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "DATABASE": None,  # the SQLite file (the embedded default)
    "DATABASE_URL": "",  # postgresql://user:password@host:port/db: the server database instead
    "HOST": "127.0.0.1",
    "PORT": 5000,
    "MAX_LIVE_RUNS": 8,
    "MAX_LIVE_RUNS_PER_CLIENT": 3,
    "RUN_IDLE_SECONDS": 900.0,
    "RUN_MAX_SECONDS": 3_600.0,
    "MAX_JOINS_PER_CONNECTION": 50,
    "MAX_BOOKINGS_LIVE": 2_000,
    "MAX_BOOKINGS_INSTANT": 100_000,
    "MAX_EVENTS_PER_RUN": 5_000_000,
    "MAX_MESSAGE_BYTES": 16_384,
    "ALLOWED_ORIGINS": [],
    "ALLOWED_HOSTS": [],  # besides HOST, localhost and 127.0.0.1 (app/origins.py)
    "ADMIN_TOKEN": None,  # may delete any run (app/access.py); none: only a run's own token
    "TICK_SECONDS": 0.1,
    "INSTANT_CHUNK_EVENTS": 2_000,
    "VIEWER_MAX_BATCHES_BEHIND": 4,
    "VIEWER_MAX_LAG_SECONDS": 10.0,
    "STORE_MAX_MB": 2_048,
    "EXPERIMENT_WORKERS": os.cpu_count() or 1,  # 0: run experiments in the server process
    "EXPERIMENT_MAX_RUNS": LIMITS["max_runs"],
    "EXPERIMENT_MAX_SAGAS": LIMITS["max_sagas"],
    "EXPERIMENT_MAX_QUEUED": 10,
    "EXPERIMENT_MAX_QUEUED_PER_CLIENT": 2,
    "PROXY_HOPS": 0,  # reverse proxies in front that set X-Forwarded-For (docs/deploy.md)
    "MESSAGE_QUEUE": "",  # redis://host:port/db: several processes share viewers and runs
    "PUBLIC_URL": "",  # the base URL students' devices reach (default: the presenter's)
    "MAX_CLASSES": 50,
    "CLASS_IDLE_SECONDS": 4 * 3600,
    "MAX_POLLS_PER_CLASS": 200,
    "MAX_POLL_CHOICES": 6,
    "MAX_STORED_SAGAS": 500,  # user sagas (POST /api/sagas); the built-ins are not counted
    "MAX_CLASS_SIZE": 400,  # devices of one class that may vote (app/classes/voters.py)
    "VOTES_PER_MINUTE": 20,  # votes (changes included) one device may cast a minute
}


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, the instance config file and the environment."""
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = os.path.join(app.instance_path, "sagalab.sqlite3")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    for key, value in from_env(app).items():
        if test_config is None or key not in test_config:
            app.config[key] = value
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_MESSAGE_BYTES"]
    check_admin_token(app.config["ADMIN_TOKEN"])


def from_env(app: Flask) -> dict[str, Any]:
    """The SAGALAB_<KEY> variables of known keys, read by Flask's `from_prefixed_env` (JSON
    values: numbers, `true`, lists) and checked against the type of the key's default."""
    env = Config(app.root_path)
    env.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    return {
        key: typed(key, env[key], DEFAULTS[key], os.environ[ENV_PREFIX + key])
        for key in DEFAULTS
        if key in env
    }


def typed(key: str, value: Any, default: Any, raw: str) -> Any:
    """One environment value as the key's type; a bad value names the variable. A list may be
    given comma-separated; a text that JSON would read as a number stays text."""
    if default is None or isinstance(default, str):
        return raw
    if isinstance(default, list):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return [item.strip() for item in raw.split(",") if item.strip()]
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, bool) and isinstance(value, bool):
        return value
    if isinstance(default, int) and isinstance(value, int) and number:
        return value
    if isinstance(default, float) and number:
        return float(value)
    raise ValueError(f"{ENV_PREFIX}{key}={raw!r}: not {type(default).__name__}")
