"""Fold run summaries into one experiment point's statistics, and points into CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from sim.batch.stats import clustered_proportion, mean_ci, wilson
from sim.trace.vocabulary import OUTCOMES as SAGA_OUTCOMES

OUTCOMES = (*SAGA_OUTCOMES, "not_started")
COUNTERS = ("retries", "duplicates_prevented", "isolation_anomalies")


class PointTally:
    """What a point's runs added up to so far; `result()` gives the point's statistics."""

    def __init__(self, index: int, value: Any, level: Any, bookings: int):
        self.index, self.value, self.level, self.bookings = index, value, level, bookings
        self.successes: list[int] = []
        self.trials: list[int] = []
        self.outcomes = dict.fromkeys(OUTCOMES, 0)
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.violations: dict[str, int] = {}
        self.violating_runs = 0
        self.compensations = {"performed": 0, "expected": 0}
        self.performed: list[int] = []  # compensations performed in each run
        self.compensation_mismatch_runs = 0
        self.leaked = 0

    @property
    def runs(self) -> int:
        return len(self.successes)

    def add(self, summary: dict[str, Any]) -> None:
        """Count one run's summary (the summary shape of docs/sim-api.md)."""
        sagas = summary["sagas"]
        self.successes.append(sagas["completed"])
        self.trials.append(self.bookings)
        for key in OUTCOMES:
            self.outcomes[key] += sagas.get(key, 0)
        for key in COUNTERS:
            self.counters[key] += summary.get(key, 0) or 0
        broken = [name for name, check in summary["invariants"].items() if not check["ok"]]
        for name in broken:
            self.violations[name] = self.violations.get(name, 0) + 1
        self.violating_runs += bool(broken)
        comp = summary["compensations"]
        self.compensations["performed"] += comp["performed"]
        self.performed.append(comp["performed"])
        self.compensations["expected"] += comp["expected"]
        self.compensation_mismatch_runs += comp["performed"] != comp["expected"]
        self.leaked += sum((summary.get("leaked") or {}).values())

    def result(self) -> dict[str, Any]:
        """The point as the API shows it: rates with 95% intervals and totals."""
        runs = self.runs
        rate, ci, deff = clustered_proportion(self.successes, self.trials)
        per_run = [c / m for c, m in zip(self.successes, self.trials, strict=True) if m]
        mean, mean_ci95 = mean_ci(per_run) if per_run else (0.0, (0.0, 1.0))
        comp_mean, (low, high) = mean_ci(self.performed) if self.performed else (0.0, (0.0, 0.0))
        comp_ci95 = (max(0.0, low), high)  # a count: never below 0, however few the runs
        return {
            "index": self.index,
            "value": self.value,
            "level": self.level,
            "runs": runs,
            "sagas": sum(self.trials),
            "success_rate": rate,
            "ci95": list(ci),
            "design_effect": deff,
            "per_run": {"mean": mean, "ci95": list(mean_ci95)},
            **self.outcomes,
            "violation_rate": self.violating_runs / runs if runs else 0.0,
            "violation_ci95": list(wilson(self.violating_runs, runs)),
            "violations": dict(sorted(self.violations.items())),
            "compensations": {
                **self.compensations,
                "per_run": {"mean": comp_mean, "ci95": list(comp_ci95)},
            },
            "compensation_mismatch_runs": self.compensation_mismatch_runs,
            **self.counters,
            "leaked": self.leaked,
        }


CSV_COLUMNS = (
    "value", "level", "runs", "sagas", "success_rate", "ci95_low", "ci95_high",
    "per_run_mean", "per_run_ci95_low", "per_run_ci95_high", *OUTCOMES,
    "violation_rate", "compensations_performed", "compensations_expected",
    "compensations_per_run_mean", "compensations_per_run_ci95_low",
    "compensations_per_run_ci95_high",
    "compensation_mismatch_runs", *COUNTERS, "leaked",
)  # fmt: skip


def points_csv(points: list[dict[str, Any]], sweep: str, factor: str | None) -> str:
    """The points as CSV; the first two headers name the swept parameter and the factor."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([sweep, factor or "level", *CSV_COLUMNS[2:]])
    for p in sorted(points, key=lambda p: p["index"]):
        writer.writerow([
            p["value"], _level(p["level"]), p["runs"], p["sagas"],
            _r(p["success_rate"]), _r(p["ci95"][0]), _r(p["ci95"][1]), _r(p["per_run"]["mean"]),
            _r(p["per_run"]["ci95"][0]), _r(p["per_run"]["ci95"][1]),
            *(p[k] for k in OUTCOMES), _r(p["violation_rate"]),
            p["compensations"]["performed"], p["compensations"]["expected"],
            *_per_run(p["compensations"]), p["compensation_mismatch_runs"],
            *(p[k] for k in COUNTERS), p["leaked"],
        ])  # fmt: skip
    return out.getvalue()


def _level(level: Any) -> Any:
    """A level as a CSV cell: an order as `car:compensatable > ... > flight:pivot`."""
    if level is None:
        return ""
    return " > ".join(level) if isinstance(level, list) else level


def _per_run(compensations: dict[str, Any]) -> list[str]:
    """Compensations per run: mean, 95% low and high ("" for points stored without them)."""
    per_run = compensations.get("per_run")
    if not per_run:
        return ["", "", ""]
    return [_r(per_run["mean"]), _r(per_run["ci95"][0]), _r(per_run["ci95"][1])]


def _r(x: float) -> str:
    return f"{x:.6g}"
