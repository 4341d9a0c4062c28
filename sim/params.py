"""Run parameters: one JSON shape for the form, the REST API, the CLI and the store."""

from __future__ import annotations

import copy
import math
from typing import Any

from sim.faults import check_faults
from sim.saga import BUILTIN, DEFAULT_SAGA, Saga, SagaError, check_saga
from sim.saga.travel import upgrade_legacy
from sim.schema import BOOKING_ID, Field, booking_id, defaults_for, fields_for

#: parameters nest 4 levels (`plan` -> id -> steps); deeper input is refused before it is walked
MAX_DEPTH = 32


class ParamsError(ValueError):
    """Bad parameters: `errors` maps each dotted field name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def depth(value: Any) -> int:
    """How deeply lists and dicts nest in value (0 for a scalar), without recursion; it stops
    counting past MAX_DEPTH."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict | list):
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend(
            (child, level + 1) for child in (node.values() if isinstance(node, dict) else node)
        )
    return deepest


def check_depth(value: Any, field: str = "params") -> None:
    """Refuse input nested deeper than MAX_DEPTH (copying or walking it would overflow)."""
    if depth(value) > MAX_DEPTH:
        raise ParamsError({field: f"nests lists or objects more than {MAX_DEPTH} levels deep"})


def booking_number(text: Any) -> int | None:
    """n for the booking id of the n-th booking spelled as the engine spells it (BOOK002), else
    None ("BOOK0002", "BOOK002\n", "book002", "BOOK000" are not booking ids)."""
    m = BOOKING_ID.fullmatch(text) if isinstance(text, str) else None
    if m is None or not m.group(1).isascii():
        return None
    number = int(m.group(1))
    return number if number >= 1 and text == booking_id(number - 1) else None


#: values that an override replaces whole instead of merging into
WHOLE = ("plan", "saga")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return base with override's keys replaced, recursing into nested dicts (not `plan`)."""
    check_depth(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in WHOLE:
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _flatten(raw: dict[str, Any], fields: dict[str, Field], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if _is_group(name, value, fields):
            flat.update(_flatten(value, fields, f"{name}."))
        else:
            flat[name] = value
    return flat


def _is_group(name: str, value: Any, fields: dict[str, Field]) -> bool:
    """An object of parameters to flatten: never a field's own value (`{"bookings": {}}` is
    a bad number, not an empty group that would drop the field), nor `plan` or `saga`."""
    return isinstance(value, dict) and name not in WHOLE and name not in fields


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
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"must be from {_fmt(spec.lo)} to {_fmt(spec.hi)}"
        if kind == "int" and isinstance(value, float) and not value.is_integer():
            return None, "must be a whole number"
        if not spec.lo <= value <= spec.hi:  # exact for whole numbers of any size
            return None, f"must be from {_fmt(spec.lo)} to {_fmt(spec.hi)}"
        return (int(value) if kind == "int" else float(value)), None
    if kind == "choice":
        if value in spec.choices:
            return value, None
        return None, "must be one of " + ", ".join(spec.choices)
    if kind == "steps":
        if isinstance(value, list) and all(v in spec.choices for v in value):
            return [s for s in spec.choices if s in value], None
        return None, "must be a list of steps from " + ", ".join(spec.choices)
    if kind == "saga":
        if booking_number(value) is not None:
            return value, None
        return None, f"must be a booking id like BOOK001{_spelling(value)}"
    return None, f"unknown field kind for {name}"


def _spelling(text: Any) -> str:
    """For a near miss like "BOOK0002": what to write instead."""
    m = BOOKING_ID.fullmatch(text.strip()) if isinstance(text, str) else None
    if m and m.group(1).isascii() and int(m.group(1)) >= 1:
        return f" (write {booking_id(int(m.group(1)) - 1)})"
    return ""


def _fmt(x: float | None) -> str:
    return f"{x:g}" if x is not None else "?"


def _check_plan(
    plan: Any, bookings: int | None, steps: tuple[str, ...], errors: dict[str, str]
) -> dict[str, list[str]]:
    if not isinstance(plan, dict):
        errors["plan"] = (
            f'must map booking ids to failing steps, e.g. {{"BOOK002": ["{steps[0]}"]}}'
        )
        return {}
    out: dict[str, list[str]] = {}
    for bid, failing in plan.items():
        number = booking_number(bid)
        if number is None:
            shown = (
                bid
                if isinstance(bid, str) and bid.isprintable() and bid == bid.strip()
                else repr(bid)
            )
            errors[f"plan.{shown}"] = f"is not a booking id like BOOK001{_spelling(bid)}"
            continue
        if bookings is not None and number > bookings:
            errors[f"plan.{bid}"] = f"names a booking beyond the {bookings} in this run"
            continue
        if isinstance(failing, str):
            failing = [failing]
        if not isinstance(failing, list) or not failing or any(s not in steps for s in failing):
            errors[f"plan.{bid}"] = "must list steps from " + ", ".join(steps)
            continue
        out[bid] = [s for s in steps if s in failing]
    return dict(sorted(out.items()))


def saga_of(value: Any) -> Saga:
    """The run's saga: a built-in's name or a whole definition (None: the default saga);
    ParamsError names the field."""
    if value is None:
        return BUILTIN[DEFAULT_SAGA]
    if isinstance(value, str):
        if value in BUILTIN:
            return BUILTIN[value]
        raise ParamsError({"saga": "must be a saga definition or one of " + ", ".join(BUILTIN)})
    try:
        return check_saga(value)
    except SagaError as exc:
        errors = {f"saga.{k}" if k != "saga" else k: v for k, v in exc.errors.items()}
        raise ParamsError(errors) from None


def validate(raw: dict[str, Any]) -> RunParams:
    """Check raw parameters (missing keys take the saga's defaults); raise ParamsError naming
    each field. Without `saga` the run is of the default saga (runs stored before sagas were
    data are travel runs)."""
    if not isinstance(raw, dict):
        raise ParamsError({"params": "must be a JSON object"})
    check_depth(raw)
    saga = saga_of(raw.get("saga"))
    raw = upgrade_legacy({k: v for k, v in raw.items() if k != "saga"}, saga)
    merged = deep_merge(defaults_for(saga), raw)
    fields = fields_for(saga)
    errors: dict[str, str] = {}
    flat = _flatten(merged, fields)
    clean: dict[str, Any] = {}
    for name, value in flat.items():
        if name in ("plan", "faults", "saga"):
            continue
        spec = fields.get(name)
        if spec is None:
            errors[name] = "is not a known parameter"
            continue
        value, problem = _check(name, spec, value)
        if problem:
            errors[name] = f"{problem} ({spec.doc})" if spec.doc else problem
        clean[name] = value
    for name in fields:
        if name not in clean and name not in errors:
            errors[name] = "is required"  # e.g. set to {} where a value belongs
    bookings = clean.get("bookings") if "bookings" not in errors else None
    plan = _check_plan(merged.get("plan", {}), bookings, saga.names, errors)
    for name in ("orchestrator.crash_saga", "choreography.crash_saga"):
        number = booking_number(clean.get(name))
        if number and bookings is not None and number > bookings:
            errors[name] = f"names a booking beyond the {bookings} in this run"
    faults, fault_errors = check_faults(
        merged.get("faults", []), clean.get("mode"), clean.get("until"), saga.names
    )
    errors.update(fault_errors)
    if errors:
        raise ParamsError(dict(sorted(errors.items())))
    data: dict[str, Any] = {"saga": saga.to_dict()}
    for name, value in clean.items():
        put(data, name, value)
    data["plan"] = plan
    if faults:  # absent when there are none: runs without faults keep their old form
        data["faults"] = faults
    return RunParams(data, saga)


class RunParams:
    """Validated parameters; read with `p["services"][step]["capacity"]` or `p.get("a.b")`;
    `saga` is the run's checked definition."""

    __slots__ = ("_data", "saga")

    def __init__(self, data: dict[str, Any], saga: Saga):
        self._data = data
        self.saga = saga  # the checked definition of data["saga"]

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def get(self, dotted: str, default: Any = KeyError) -> Any:
        """The value of a dotted name; `default` if given and the name is absent."""
        node: Any = self._data
        for part in dotted.split("."):
            if part not in node and default is not KeyError:
                return default
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
    """Parse the CLI spelling `BOOKID:step,...` (a booking may repeat)."""
    plan: dict[str, list[str]] = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        bid, sep, step = item.partition(":")
        if not sep or not bid or not step:
            raise ParamsError({"plan": f"'{item}' is not BOOKID:step, e.g. BOOK002:{_FIRST}"})
        plan.setdefault(bid.strip(), []).append(step.strip())
    return plan


_FIRST = BUILTIN[DEFAULT_SAGA].names[0]


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
