"""Saga Lab's simulation: the tutorial's travel-booking saga on asimpy, traced event by event."""

from sim.engine import Simulation
from sim.params import ParamsError, RunParams, validate
from sim.presets import PRESETS, resolve
from sim.schema import DEFAULTS
from sim.trace.events import to_json
from sim.trace.vocabulary import EVENT_KINDS

__all__ = [
    "DEFAULTS",
    "EVENT_KINDS",
    "PRESETS",
    "ParamsError",
    "RunParams",
    "Simulation",
    "resolve",
    "to_json",
    "validate",
]
