"""Checks of the parts of an experiment spec; each records problems in `errors` by field."""

from __future__ import annotations

import math
from typing import Any

from sim.params import ParamsError, nested, saga_of, validate
from sim.saga.order import OrderError, normal_level, reorder
from sim.schema import ALL_FIELDS, Field, fields_for

NOT_VARIABLE = ("seed", "plan")
#: the factor whose levels are orders of the base saga's steps (sim/saga/order.py)
ORDER = "order"


def sweep_values(start: float, stop: float, step: float) -> list[float]:
    """from, from+step, ... up to `stop` inclusive, without float drift (0.1*3 is 0.3)."""
    if step <= 0:
        raise ValueError("step must be positive")
    count = math.floor((stop - start) / step + 1e-9) + 1
    return [round(start + i * step, 10) + 0.0 for i in range(max(0, count))]


def _number(raw: dict[str, Any], key: str, errors: dict[str, str], where: str) -> float | None:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors[f"{where}.{key}"] = "must be a number"
        return None
    if abs(value) > 1e300 or not math.isfinite(value):  # float() of a larger int overflows
        errors[f"{where}.{key}"] = "must be a number from -1e300 to 1e300"
        return None
    return float(value)


def fields_of(base: dict[str, Any]) -> dict[str, Field]:
    """The fields a spec may vary: those of the base's saga (the default saga's when the base
    is bad, so that the other fields are still checked)."""
    try:
        return fields_for(saga_of(base["saga"])) if base else ALL_FIELDS
    except ParamsError:
        return ALL_FIELDS


def _param_name(
    raw: dict[str, Any], errors: dict[str, str], where: str, fields: dict[str, Field]
) -> str | None:
    name = raw.get("param")
    if not isinstance(name, str):
        errors[f"{where}.param"] = (
            "must be a parameter's dotted name, e.g. services.car.failure_rate"
        )
        return None
    if name not in fields or name in NOT_VARIABLE:
        errors[f"{where}.param"] = f"'{name[:80]}' is not a parameter that can vary"
        return None
    return name


def check_sweep(
    raw: Any, errors: dict[str, str], limits: dict[str, int], fields: dict[str, Field]
) -> tuple[str, list]:
    if not isinstance(raw, dict):
        errors["sweep"] = 'must be {"param", "from", "to", "step"}'
        return "", []
    name = _param_name(raw, errors, "sweep", fields)
    if name and fields[name].kind not in ("int", "float"):
        errors["sweep.param"] = f"'{name}' is not numeric; use it as the factor instead"
    start, stop, step = (_number(raw, k, errors, "sweep") for k in ("from", "to", "step"))
    if None in (start, stop, step) or "sweep.param" in errors:
        return "", []
    if step <= 0:
        errors["sweep.step"] = "must be greater than 0"
    elif stop < start:
        errors["sweep.to"] = f"is below from ({start:g}): the range is empty"
    elif (stop - start) / step + 1 > limits["max_points"]:
        errors["sweep.step"] = f"gives more than {limits['max_points']} values; take a larger step"
    else:
        values = sweep_values(start, stop, step)
        if fields[name].kind == "int":
            values = [int(v) if float(v).is_integer() else v for v in values]
        return name, values
    return "", []


def check_factor(
    raw: Any,
    sweep: str,
    errors: dict[str, str],
    limits: dict[str, int],
    fields: dict[str, Field],
    saga: dict[str, Any] | None = None,
) -> tuple[str | None, list]:
    """The second factor's name and levels; `order` (ORDER) takes orders of the base's `saga`
    as its levels, each checked alone (`factor.levels.N`) and kept as step:kind."""
    if raw is None:
        return None, [None]
    if not isinstance(raw, dict):
        errors["factor"] = 'must be {"param", "levels"} or null'
        return None, [None]
    ordering = raw.get("param") == ORDER
    name = ORDER if ordering else _param_name(raw, errors, "factor", fields)
    if name and name == sweep:
        errors["factor.param"] = "must differ from the swept parameter"
    levels = raw.get("levels")
    if not isinstance(levels, list) or not levels:
        errors["factor.levels"] = "must be a non-empty list"
        return name, [None]
    if len(levels) > limits["max_levels"] or (
        not ordering and len({repr(v) for v in levels}) != len(levels)
    ):
        errors["factor.levels"] = f"must be at most {limits['max_levels']} distinct values"
    elif ordering and saga is not None:
        levels = _orders(levels, saga, errors)
    return name, levels


def _orders(levels: list, saga: dict[str, Any], errors: dict[str, str]) -> list:
    """Each level as an order of the saga's steps in step:kind form; a bad one named at
    `factor.levels.N`, and one that repeats an earlier order (in other words)."""
    out: list = []
    for i, level in enumerate(levels):
        try:
            order = normal_level(saga, level)
        except OrderError as exc:
            errors[f"factor.levels.{i}"] = str(exc)
            order = level
        else:
            if order in out:
                errors[f"factor.levels.{i}"] = f"is the same order as level {out.index(order)}"
        out.append(order)
    return out


def factor_override(name: str, level: Any, base: dict[str, Any]) -> dict[str, Any]:
    """What a factor's level changes in the base: its value, or for ORDER the saga's steps."""
    if name == ORDER:
        return {"saga": reorder(base["saga"], level)}
    return nested(name, level)


def check_int(spec: dict, key: str, lo: int, hi: int, errors: dict[str, str]) -> int:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        errors[key] = f"must be a whole number from {lo} to {hi}"
        return lo
    return value


def resolve_base(raw: Any, errors: dict[str, str]) -> dict[str, Any]:
    """The base parameters (preset plus overrides) as a plain dict; {} if they are bad."""
    if not isinstance(raw, dict):
        errors["base"] = 'must be {"preset": name or null, "params": {...}}'
        return {}
    from sim.presets import resolve

    try:
        return resolve({"preset": raw.get("preset"), "params": raw.get("params") or {}}).to_dict()
    except ParamsError as exc:
        for field, message in exc.errors.items():
            errors[f"base.{field}" if field == "preset" else f"base.params.{field}"] = message
        return {}


def validate_point(
    params: dict[str, Any], sweep: str, factor: str | None, errors: dict[str, str], level: int = 0
) -> dict[str, Any]:
    """One point's validated parameters; a bad swept value or level is blamed on sweep/factor
    (for ORDER, whatever the base alone did not break is the `level`-th order's doing, e.g. a
    choreography.unheard_failure that names the step now first)."""
    try:
        return validate(params).to_dict()
    except ParamsError as exc:
        for field, message in exc.errors.items():
            if field == sweep:
                errors.setdefault("sweep", f"{field}={params_value(params, field)!r} {message}")
            elif factor == ORDER:
                errors.setdefault(f"factor.levels.{level}", f"{field}: {message}")
            elif field == factor:
                errors.setdefault("factor.levels", f"{params_value(params, field)!r} {message}")
            else:
                errors.setdefault(f"base.params.{field}", message)
        return {}


def params_value(params: dict[str, Any], dotted: str) -> Any:
    node: Any = params
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node
