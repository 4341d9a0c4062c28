"""Batch experiments: check a sweep spec, expand it into points, derive every run's seed.

A spec is `{"base": {"preset", "params"}, "sweep": {"param", "from", "to", "step"},
"factor": {"param", "levels"} (optional), "replications", "seed"}` (docs/experiments.md);
the factor `order` compares orders of the base saga's steps. `plan_experiment` checks all of
it before anything runs and raises ParamsError naming each bad field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sim.batch.spec import (
    check_factor,
    check_int,
    check_sweep,
    factor_override,
    fields_of,
    resolve_base,
    validate_point,
)
from sim.params import ParamsError, deep_merge, nested

LIMITS = {"max_runs": 100_000, "max_sagas": 10_000_000, "max_points": 500, "max_levels": 12}


@dataclass(frozen=True)
class Point:
    """One (swept value, factor level) combination with its validated parameters."""

    index: int
    value: float
    level: Any
    params: dict[str, Any]


@dataclass(frozen=True)
class ExperimentPlan:
    """A checked experiment: its cleaned spec, its points in run order, replications, seed."""

    spec: dict[str, Any]
    points: list[Point]
    replications: int
    seed: int

    @property
    def total_runs(self) -> int:
        return len(self.points) * self.replications

    def run_params(self, point: Point, replication: int) -> dict[str, Any]:
        """The parameters of one run: the point's, with its derived seed."""
        return {**point.params, "seed": derive_seed(self.seed, point.index, replication)}


def derive_seed(master: int, point: int, replication: int) -> int:
    """A run's seed from (master seed, point index, replication): the same on every machine.

    53 bits, so that the seed survives a round trip through a JSON number (a float).
    """
    digest = hashlib.blake2b(f"saga-lab/{master}/{point}/{replication}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 11


def plan_experiment(spec: Any, limits: dict[str, int] | None = None) -> ExperimentPlan:
    """Check a spec and expand it into points; raise ParamsError with every problem found."""
    limits = {**LIMITS, **(limits or {})}
    if not isinstance(spec, dict):
        raise ParamsError({"experiment": "must be a JSON object"})
    errors: dict[str, str] = {}
    base_spec = spec.get("base", {})
    base = resolve_base(base_spec, errors)
    fields = fields_of(base)
    sweep_name, values = check_sweep(spec.get("sweep"), errors, limits, fields)
    factor_name, levels = check_factor(
        spec.get("factor"), sweep_name, errors, limits, fields, base.get("saga")
    )
    reps = check_int(spec, "replications", 1, limits["max_runs"], errors)
    seed = check_int(spec, "seed", 0, 2**63 - 1, errors)
    runs = len(values) * len(levels) * reps
    if values and not errors and runs > limits["max_runs"]:
        errors["replications"] = (
            f"{len(values)} values x {len(levels)} levels x {reps} replications = {runs} runs, "
            f"more than the limit of {limits['max_runs']}"
        )
    if errors:
        raise ParamsError(dict(sorted(errors.items())))
    points = []
    for value in values:
        for i, level in enumerate(levels):
            override = nested(sweep_name, value)
            if factor_name:
                override = deep_merge(override, factor_override(factor_name, level, base))
            params = validate_point(deep_merge(base, override), sweep_name, factor_name, errors, i)
            points.append(Point(len(points), value, level, params))
    sagas = sum(p.params["bookings"] for p in points if p.params) * reps
    if not errors and sagas > limits["max_sagas"]:
        errors["base.params.bookings"] = (
            f"{sagas} sagas in all is more than the limit of {limits['max_sagas']}"
        )
    if errors:
        raise ParamsError(dict(sorted(errors.items())))
    factor = spec.get("factor")
    clean = {
        "base": {"preset": base_spec.get("preset"), "params": base_spec.get("params") or {}},
        "sweep": {key: spec["sweep"][key] for key in ("param", "from", "to", "step")},
        "factor": {"param": factor["param"], "levels": levels} if factor else None,
        "replications": reps,
        "seed": seed,
        "name": str(spec.get("name") or "")[:120],
    }
    return ExperimentPlan(clean, points, reps, seed)
