"""Saga Lab's simulation: the tutorial's travel-booking saga on asimpy, traced event by event."""

from .events import EVENT_KINDS, to_json
from .params import DEFAULTS, ParamsError, RunParams, validate

__all__ = ["DEFAULTS", "EVENT_KINDS", "ParamsError", "RunParams", "to_json", "validate"]
