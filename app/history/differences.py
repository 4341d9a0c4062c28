"""What differs between two runs: parameters, outcomes and invariants, as table rows."""

from __future__ import annotations

from typing import Any

from sim.trace.vocabulary import CHECKS, OUTCOMES


def flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameters as dotted keys (`orchestrator.durable_log`)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key != "plan":
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def param_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters whose values differ: [{"name", "a", "b"}]."""
    fa, fb = flatten(a), flatten(b)
    return [
        {"name": key, "a": fa.get(key), "b": fb.get(key)}
        for key in sorted(fa.keys() | fb.keys())
        if fa.get(key) != fb.get(key)
    ]


def _check(summary: dict[str, Any] | None, check: str) -> str:
    if not summary:
        return "–"
    result = (summary.get("invariants") or {}).get(check)
    if result is None:
        return "–"
    if result.get("ok"):
        return "pass"
    sagas = result.get("sagas") or []
    return "FAIL" + (f" ({', '.join(sagas[:4])}{' …' if len(sagas) > 4 else ''})" if sagas else "")


def _leaked(summary: dict[str, Any] | None) -> str:
    leaked = (summary or {}).get("leaked") or {}
    parts = [f"{k} {n}" for k, n in leaked.items() if n]
    return ", ".join(parts) or "none"


def outcome_rows(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Outcome counts, compensations, leaks and every invariant of both runs, each flagged
    `differs` when the two runs disagree."""
    rows: list[dict[str, Any]] = []

    def add(group: str, name: str, va: Any, vb: Any) -> None:
        rows.append({"group": group, "name": name, "a": va, "b": vb, "differs": va != vb})

    for outcome in OUTCOMES:
        add(
            "sagas",
            outcome,
            ((a or {}).get("sagas") or {}).get(outcome, "–"),
            ((b or {}).get("sagas") or {}).get(outcome, "–"),
        )
    comp_a = (a or {}).get("compensations") or {}
    comp_b = (b or {}).get("compensations") or {}
    add(
        "compensations",
        "performed / expected",
        f"{comp_a.get('performed', '–')} / {comp_a.get('expected', '–')}",
        f"{comp_b.get('performed', '–')} / {comp_b.get('expected', '–')}",
    )
    add("inventory", "leaked units", _leaked(a), _leaked(b))
    stocks_a = (a or {}).get("inventory") or {}
    stocks_b = (b or {}).get("inventory") or {}
    for service in {**stocks_a, **stocks_b}:  # the steps of both sagas that hold units
        inv_a = stocks_a.get(service) or {}
        inv_b = stocks_b.get(service) or {}
        add(
            "inventory",
            f"{service} available",
            f"{inv_a.get('available', '–')}/{inv_a.get('capacity', '–')}",
            f"{inv_b.get('available', '–')}/{inv_b.get('capacity', '–')}",
        )
    for check in CHECKS:
        add("invariants", check, _check(a, check), _check(b, check))
    add("trace", "events", (a or {}).get("events", "–"), (b or {}).get("events", "–"))
    return rows
