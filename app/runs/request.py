"""The body of `POST /api/runs` and `start_run`: checked field by field, limits included."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.runs.breakpoints import parse_breakpoints
from sim import ParamsError, RunParams, resolve
from sim.saga import BUILTIN

#: a stored saga's definition by its name, or None (app/sagas/store.py)
FindSaga = Callable[[str], dict[str, Any] | None]

INSTANT = "instant"
MIN_SPEED = 0.1
MAX_SPEED = 1000.0
START_FIELDS = ("preset", "saga", "params", "speed", "start_paused", "breakpoints", "class")

Speed = float | str


class RequestError(ValueError):
    """Bad input: `errors` maps each field to a message; `status` is the HTTP answer."""

    status = 400
    retry_after: int | None = None  # seconds, for a 429 or 503: the Retry-After header

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    def retry(self, seconds: int) -> RequestError:
        """This error, telling the client to try again in `seconds`."""
        self.retry_after = seconds
        return self


@dataclass(frozen=True)
class StartRequest:
    """A checked request to start a run."""

    preset: str | None
    params: RunParams
    speed: Speed
    start_paused: bool
    breakpoints: tuple[str, ...] = ()
    classroom: dict[str, str] | None = None  # {"code", "presenter_token"}: show it to a class


def parse_speed(value: Any) -> Speed:
    """A speed is "instant" or simulated seconds per wall second, from 0.1 to 1000."""
    if value == INSTANT:
        return INSTANT
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise RequestError(
            {"speed": f'must be a number from {MIN_SPEED:g} to {MAX_SPEED:g} or "instant"'}
        )
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise RequestError(
            {
                "speed": f"must be from {MIN_SPEED:g} to {MAX_SPEED:g} "
                f'(simulated seconds per second) or "instant"'
            }
        )
    return float(value)


def bookings_limit_error(bookings: int, speed: Speed, config: dict[str, Any]) -> str | None:
    """The message for a run too large for its speed, or None."""
    if speed == INSTANT:
        limit = config["MAX_BOOKINGS_INSTANT"]
        if bookings > limit:
            return f"at most {limit:,} bookings per instant run on this server"
        return None
    limit = config["MAX_BOOKINGS_LIVE"]
    if bookings > limit:
        return (
            f"at most {limit:,} bookings per live run on this server; "
            f'use speed "instant" for up to {config["MAX_BOOKINGS_INSTANT"]:,}'
        )
    return None


def with_saga(raw_params: dict[str, Any], saga: Any, find: FindSaga | None) -> dict[str, Any]:
    """The parameters with the run's saga: `saga` (the request's own field) or `params.saga`;
    a stored saga's name becomes its definition, so that the run keeps the version it ran.
    RequestError for a name that is neither a built-in's nor a stored saga's."""
    if saga is not None:
        raw_params = {**raw_params, "saga": saga}
    name = raw_params.get("saga")
    if not isinstance(name, str) or name in BUILTIN:
        return raw_params
    stored = find(name) if find is not None else None
    if stored is None:
        shown = name[:40] if name.isprintable() else repr(name[:40])
        raise RequestError(
            {
                "saga": f"no saga named '{shown}' (built-in: {', '.join(BUILTIN)}; "
                "GET /api/sagas lists the stored ones)"
            }  # fmt: skip
        )
    return {**raw_params, "saga": stored}


def parse_start(
    body: Any, config: dict[str, Any], find_saga: FindSaga | None = None
) -> StartRequest:
    """Check a start request; raise RequestError naming every bad field at once. `find_saga`
    looks up stored sagas by name."""
    if not isinstance(body, dict):
        raise RequestError(
            {
                "body": 'must be a JSON object like {"preset": "tutorial", '
                '"params": {}, "speed": 1.0}'
            }
        )
    errors: dict[str, str] = {}
    for key in body:
        if key not in START_FIELDS:
            errors[str(key)] = "is not a known field (" + ", ".join(START_FIELDS) + ")"
    preset = body.get("preset")
    if preset is not None and not isinstance(preset, str):
        errors["preset"] = "must be a preset name or null"
    raw_params = body.get("params", {})
    if raw_params is None:
        raw_params = {}
    if not isinstance(raw_params, dict):
        errors["params"] = "must be a JSON object of parameters"
    speed: Speed = 1.0
    try:
        speed = parse_speed(body.get("speed", 1.0))
    except RequestError as exc:
        errors.update(exc.errors)
    start_paused = body.get("start_paused", False)
    if not isinstance(start_paused, bool):
        errors["start_paused"] = "must be true or false"
    breakpoints: tuple[str, ...] = ()
    try:
        breakpoints = parse_breakpoints(body.get("breakpoints"))
    except ValueError as exc:
        errors["breakpoints"] = str(exc)
    classroom = body.get("class")
    if classroom is not None and not (
        isinstance(classroom, dict)
        and set(classroom) == {"code", "presenter_token"}
        and all(isinstance(v, str) for v in classroom.values())
    ):
        errors["class"] = 'must be {"code": ..., "presenter_token": ...} (from POST /api/classes)'
    params: RunParams | None = None
    if "preset" not in errors and "params" not in errors:
        try:
            raw_params = with_saga(raw_params, body.get("saga"), find_saga)
        except RequestError as exc:
            errors.update(exc.errors)
    if not {"preset", "params", "saga"} & set(errors):
        try:
            params = resolve(
                {"preset": preset, "params": raw_params} if preset else {"params": raw_params}
            )
        except ParamsError as exc:
            errors.update(exc.errors)
    if params is not None and "speed" not in errors:
        problem = bookings_limit_error(params["bookings"], speed, config)
        if problem:
            errors["bookings"] = problem
    if errors or params is None:
        raise RequestError(dict(sorted(errors.items())) or {"params": "could not be resolved"})
    return StartRequest(preset, params, speed, start_paused, breakpoints, classroom)
