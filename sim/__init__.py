"""Saga Lab's simulation: the tutorial's travel-booking saga on asimpy, traced event by event."""

from .engine import Simulation
from .events import EVENT_KINDS, to_json
from .params import DEFAULTS, ParamsError, RunParams, validate
from .presets import PRESETS, resolve

__all__ = [
    "DEFAULTS", "EVENT_KINDS", "PRESETS", "ParamsError", "RunParams", "Simulation", "resolve",
    "to_json", "validate",
]
