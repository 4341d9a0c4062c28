"""Named scenarios: each preset's parameters and what a class should look for in it."""

from __future__ import annotations

from typing import Any

from .params import DEFAULTS, ParamsError, RunParams, deep_merge, validate

TUTORIAL_PLAN = {"BOOK002": ["flight"], "BOOK003": ["flight"], "BOOK004": ["car"],
                 "BOOK005": ["car"]}

PRESETS: dict[str, dict[str, Any]] = {
    "tutorial": {
        "description": "The tutorial's orchestration run: 5 bookings, one every 3 s, until 40. "
        "Watch a car failure undo the hotel first, then the flight.",
        "params": {"mode": "orchestration", "bookings": 5, "until": 40.0},
    },
    "tutorial-choreography": {
        "description": "The same bookings choreographed on an event bus, with the hotel's "
        "failure fixed: every failure is compensated by events alone.",
        "params": {"mode": "choreography", "bookings": 5, "until": 40.0},
    },
    "tutorial-choreography-gap": {
        "description": "The tutorial's choreography as written: nobody listens to "
        "hotel_booking_failed, so when the hotel fails the flight seat leaks and the saga "
        "never ends. Look for the stuck saga holding a seat.",
        "params": {"mode": "choreography", "bookings": 5, "until": 40.0,
                   "plan": {"BOOK002": ["hotel"]},
                   "choreography": {"compensate_on_hotel_failure": False}},
    },
}


def preset_names() -> list[str]:
    return list(PRESETS)


def resolve(request: dict[str, Any]) -> RunParams:
    """Validate `{"preset": name?, "params": {...}?}`: the preset's values, then the overrides."""
    if not isinstance(request, dict):
        raise ParamsError({"params": "must be a JSON object"})
    name = request.get("preset")
    overrides = request.get("params") or {}
    if not isinstance(overrides, dict):
        raise ParamsError({"params": "must be a JSON object"})
    base: dict[str, Any] = {}
    if name is not None:
        if name not in PRESETS:
            raise ParamsError({"preset": "must be one of " + ", ".join(PRESETS)})
        base = PRESETS[name]["params"]
    merged = deep_merge(base, overrides)
    if "plan" in overrides:
        merged["plan"] = overrides["plan"]
    return validate(merged)


def preset_params(name: str) -> dict[str, Any]:
    """A preset's full parameters (defaults filled in)."""
    return resolve({"preset": name}).to_dict()


__all__ = ["DEFAULTS", "PRESETS", "TUTORIAL_PLAN", "preset_names", "preset_params", "resolve"]
