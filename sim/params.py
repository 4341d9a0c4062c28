"""Run parameters: one JSON shape for the form, the REST API, the CLI and the store."""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

STEPS: tuple[str, ...] = ("flight", "hotel", "car")
MODES: tuple[str, ...] = ("orchestration", "choreography")
BOOKING_ID = re.compile(r"^BOOK(\d{3,7})$")

DEFAULTS: dict[str, Any] = {
    "mode": "orchestration",
    "bookings": 5,
    "interarrival": 3.0,
    "until": None,
    "seed": 1,
    "services": {
        "flight": {"capacity": 10, "failure_rate": 0.10},
        "hotel": {"capacity": 5, "failure_rate": 0.15},
        "car": {"capacity": 3, "failure_rate": 0.30},
    },
    "network_delay": 0.3,
    "compensation_delay": 0.2,
    "max_in_flight": 1,
    "compensation_order": "reverse",
    "retries": 0,
    "retry_steps": list(STEPS),
    "reply_loss_rate": 0.0,
    "idempotent": False,
    "compensation_failure_rate": 0.0,
    "compensation_retries": 3,
    "compensation_backoff": 0.5,
    "orchestrator": {
        "crash_at": None,
        "crash_saga": None,
        "crash_step": None,
        "crash_phase": "after_commit",
        "crash_random": False,
        "restart_after": 5.0,
        "durable_log": False,
    },
    "choreography": {
        "compensate_on_hotel_failure": True,
        "crash_service": None,
        "crash_saga": None,
        "restart_after": 5.0,
        "outbox": False,
        "ack_after_commit": False,
        "redelivery_timeout": 2.0,
        "saga_timeout": None,
    },
    "plan": {},
}


class ParamsError(ValueError):
    """Bad parameters: `errors` maps each dotted field name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Field:
    """How one dotted parameter is checked; `doc` is shown in forms and errors."""

    kind: str  # int | float | bool | choice | steps | saga | str
    lo: float | None = None
    hi: float | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


FIELDS: dict[str, Field] = {
    "mode": Field("choice", choices=MODES, doc="orchestration or choreography"),
    "bookings": Field("int", 1, 1_000_000, doc="number of booking requests"),
    "interarrival": Field("float", 0.0, 3600.0, doc="simulated seconds between bookings"),
    "until": Field("float", 0.0, 1e9, nullable=True, doc="stop time; null: until every saga ended"),
    "seed": Field("int", 0, 2**63 - 1, doc="random seed"),
    "network_delay": Field("float", 0.0, 60.0, doc="delay of each forward step"),
    "compensation_delay": Field("float", 0.0, 60.0, doc="delay of each compensation"),
    "max_in_flight": Field("int", 1, 1000, doc="sagas the orchestrator runs at once"),
    "compensation_order": Field("choice", choices=("reverse", "forward"), doc="order of undo"),
    "retries": Field("int", 0, 5, doc="extra attempts of a failed forward step"),
    "retry_steps": Field("steps", doc="steps that are retried"),
    "reply_loss_rate": Field("float", 0.0, 1.0, doc="chance a reply is lost after the commit"),
    "idempotent": Field("bool", doc="services dedupe requests by booking id"),
    "compensation_failure_rate": Field("float", 0.0, 1.0, doc="chance a compensation fails"),
    "compensation_retries": Field("int", 0, 10, doc="retries of a failed compensation"),
    "compensation_backoff": Field("float", 0.0, 60.0, doc="first backoff, doubled per retry"),
    "orchestrator.crash_at": Field("float", 0.0, 1e9, nullable=True, doc="crash time"),
    "orchestrator.crash_saga": Field("saga", nullable=True, doc="crash during this saga"),
    "orchestrator.crash_step": Field("choice", nullable=True, choices=STEPS, doc="...at step"),
    "orchestrator.crash_phase": Field(
        "choice", choices=("before_request", "after_commit"), doc="...before or after commit"
    ),
    "orchestrator.crash_random": Field("bool", doc="crash at a random saga, step and phase"),
    "orchestrator.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "orchestrator.durable_log": Field("bool", doc="write saga state before each step"),
    "choreography.compensate_on_hotel_failure": Field(
        "bool", doc="flight listens to hotel_booking_failed (false: the tutorial's gap)"
    ),
    "choreography.crash_service": Field(
        "choice", nullable=True, choices=STEPS, doc="crashes after commit, before publish"
    ),
    "choreography.crash_saga": Field("saga", nullable=True, doc="the saga that triggers it"),
    "choreography.restart_after": Field("float", 0.0, 1e6, nullable=True, doc="restart delay"),
    "choreography.outbox": Field("bool", doc="transactional outbox relayed after restart"),
    "choreography.ack_after_commit": Field("bool", doc="ack after commit, redelivery"),
    "choreography.redelivery_timeout": Field("float", 0.1, 1e4, doc="redelivery after"),
    "choreography.saga_timeout": Field("float", 0.1, 1e6, nullable=True, doc="compensate after"),
}


def booking_id(index: int) -> str:
    """The id of the index-th booking (0-based), as the tutorial spells it."""
    return f"BOOK{index + 1:03d}"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return base with override's keys replaced, recursing into nested dicts (not `plan`)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "plan":
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _flatten(raw: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key != "plan":
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _service_fields() -> dict[str, Field]:
    out = {}
    for step in STEPS:
        out[f"services.{step}.capacity"] = Field("int", 0, 1_000_000_000, doc=f"{step} inventory")
        out[f"services.{step}.failure_rate"] = Field("float", 0.0, 1.0, doc=f"{step} failure")
    return out


ALL_FIELDS: dict[str, Field] = {**FIELDS, **_service_fields()}


def _check(name: str, spec: Field, value: Any) -> tuple[Any, str | None]:
    """Coerce one value; return (value, None) or (None, message)."""
    if value is None:
        return (None, None) if spec.nullable else (None, "is required")
    kind = spec.kind
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"must be a number from {_fmt(spec.lo)} to {_fmt(spec.hi)}"
        if kind == "int" and isinstance(value, float) and not value.is_integer():
            return None, "must be a whole number"
        if not math.isfinite(value) or not spec.lo <= value <= spec.hi:
            return None, f"must be from {_fmt(spec.lo)} to {_fmt(spec.hi)}"
        return (int(value) if kind == "int" else float(value)), None
    if kind == "choice":
        if value in spec.choices:
            return value, None
        return None, "must be one of " + ", ".join(spec.choices)
    if kind == "steps":
        if isinstance(value, list) and all(v in STEPS for v in value):
            return [s for s in STEPS if s in value], None
        return None, "must be a list of steps from flight, hotel, car"
    if kind == "saga":
        if isinstance(value, str) and BOOKING_ID.match(value):
            return value, None
        return None, "must be a booking id like BOOK001"
    return None, f"unknown field kind for {name}"


def _fmt(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _check_plan(plan: Any, bookings: int | None, errors: dict[str, str]) -> dict[str, list[str]]:
    if not isinstance(plan, dict):
        errors["plan"] = 'must map booking ids to failing steps, e.g. {"BOOK002": ["flight"]}'
        return {}
    out: dict[str, list[str]] = {}
    for bid, steps in plan.items():
        m = BOOKING_ID.match(str(bid))
        if not m:
            errors[f"plan.{bid}"] = "is not a booking id like BOOK001"
            continue
        if bookings is not None and not 1 <= int(m.group(1)) <= bookings:
            errors[f"plan.{bid}"] = f"names a booking beyond the {bookings} in this run"
            continue
        if isinstance(steps, str):
            steps = [steps]
        if not isinstance(steps, list) or not steps or any(s not in STEPS for s in steps):
            errors[f"plan.{bid}"] = "must list steps from flight, hotel, car"
            continue
        out[bid] = [s for s in STEPS if s in steps]
    return dict(sorted(out.items()))


def validate(raw: dict[str, Any]) -> RunParams:
    """Check raw parameters (missing keys take DEFAULTS); raise ParamsError naming each field."""
    if not isinstance(raw, dict):
        raise ParamsError({"params": "must be a JSON object"})
    merged = deep_merge(DEFAULTS, raw)
    errors: dict[str, str] = {}
    flat = _flatten(merged)
    clean: dict[str, Any] = {}
    for name, value in flat.items():
        if name == "plan":
            continue
        spec = ALL_FIELDS.get(name)
        if spec is None:
            errors[name] = "is not a known parameter"
            continue
        value, problem = _check(name, spec, value)
        if problem:
            errors[name] = f"{problem} ({spec.doc})" if spec.doc else problem
        clean[name] = value
    bookings = clean.get("bookings") if "bookings" not in errors else None
    plan = _check_plan(merged.get("plan", {}), bookings, errors)
    for name in ("orchestrator.crash_saga", "choreography.crash_saga"):
        m = BOOKING_ID.match(clean.get(name) or "")
        if m and bookings is not None and int(m.group(1)) > bookings:
            errors[name] = f"names a booking beyond the {bookings} in this run"
    if errors:
        raise ParamsError(dict(sorted(errors.items())))
    data: dict[str, Any] = {}
    for name, value in clean.items():
        put(data, name, value)
    data["plan"] = plan
    return RunParams(data)


class RunParams:
    """Validated parameters; read with `p["services"]["car"]["capacity"]` or `p.get("a.b")`."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]):
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def get(self, dotted: str) -> Any:
        node: Any = self._data
        for part in dotted.split("."):
            node = node[part]
        return node

    def to_dict(self) -> dict[str, Any]:
        """A deep copy as plain JSON-able data."""
        return copy.deepcopy(self._data)

    def replace(self, overrides: dict[str, Any]) -> RunParams:
        """New validated params with nested overrides applied."""
        return validate(deep_merge(self._data, overrides))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunParams) and self._data == other._data

    def __repr__(self) -> str:
        return f"RunParams({self._data!r})"


def parse_plan(text: str) -> dict[str, list[str]]:
    """Parse the CLI spelling `BOOK002:flight,BOOK004:car` (a booking may repeat)."""
    plan: dict[str, list[str]] = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        bid, sep, step = item.partition(":")
        if not sep or not bid or not step:
            raise ParamsError({"plan": f"'{item}' is not BOOKID:step, e.g. BOOK002:flight"})
        plan.setdefault(bid.strip(), []).append(step.strip())
    return plan


def parse_assignment(text: str) -> dict[str, Any]:
    """Parse `--set a.b=value` into a nested override; the value is JSON, else a string."""
    import json

    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ParamsError({"set": f"'{text}' is not key=value"})
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return nested(key.strip(), parsed)


def put(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set a dotted name in nested dicts, in place; return `data`."""
    node = data
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return data


def nested(dotted: str, value: Any) -> dict[str, Any]:
    """`nested("a.b", 1) == {"a": {"b": 1}}`: a dotted name as a nested override."""
    return put({}, dotted, value)
