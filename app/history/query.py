"""History queries over the store: filtered pages of runs, and a run's key parameters."""

from __future__ import annotations

from typing import Any

from app.db import reading
from app.store import RUN_COLUMNS, run_dict
from sim.saga import DEFAULT_SAGA

PAGE_SIZE = 25


def _where(preset: str | None, mode: str | None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if preset:
        clauses.append("preset = ?")
        args.append(preset)
    if mode:
        clauses.append("json_extract(params, '$.mode') = ?")
        args.append(mode)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def page_of_runs(
    path: str, page: int, preset: str | None = None, mode: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[dict[str, Any]], int]:
    """One page (1-based) of stored runs, newest first, and how many runs match in all."""
    where, args = _where(preset, mode)
    with reading(path) as db:
        total = db.execute(f"SELECT COUNT(*) FROM runs{where}", args).fetchone()[0]
        rows = db.execute(
            f"SELECT {RUN_COLUMNS} FROM runs{where} ORDER BY created DESC, rowid DESC"
            " LIMIT ? OFFSET ?",
            [*args, size, (page - 1) * size],
        ).fetchall()
    return [run_dict(row) for row in rows], total


def stored_presets(path: str) -> list[str]:
    """The preset names that stored runs used (for the history filter)."""
    with reading(path) as db:
        rows = db.execute(
            "SELECT DISTINCT preset FROM runs WHERE preset IS NOT NULL ORDER BY preset"
        ).fetchall()
    return [row[0] for row in rows]


def key_params(params: dict[str, Any]) -> list[str]:
    """The parameters worth a glance in a list of runs (those that differ from the usual)."""
    out = [f"{params.get('bookings')} bookings"]
    saga = params.get("saga")
    if isinstance(saga, dict) and saga.get("name") != DEFAULT_SAGA:
        out.insert(0, f"saga {saga.get('name')}")
    if params.get("semantic_lock"):
        out.append("semantic lock")
    if params.get("compensation_order") == "forward":
        out.append("forward compensation")
    if params.get("retries"):
        out.append(f"retries {params['retries']}")
    if params.get("idempotent"):
        out.append("idempotent")
    if params.get("reply_loss_rate"):
        out.append(f"reply loss {params['reply_loss_rate']:g}")
    orch = params.get("orchestrator") or {}
    chor = params.get("choreography") or {}
    if params.get("mode") == "orchestration":
        if orch.get("crash_at") is not None or orch.get("crash_saga") or orch.get("crash_random"):
            out.append("orchestrator crash")
        if orch.get("durable_log"):
            out.append("durable log")
    else:
        if chor.get("crash_service"):
            out.append(f"{chor['crash_service']} crash")
        for key, label in (("outbox", "outbox"), ("ack_after_commit", "ack after commit")):
            if chor.get(key):
                out.append(label)
        if chor.get("saga_timeout") is not None:
            out.append(f"saga timeout {chor['saga_timeout']:g}")
        if chor.get("unheard_failure") or chor.get("compensate_on_hotel_failure") is False:
            out.append("tutorial's gap")
    if params.get("plan"):
        out.append(f"plan of {len(params['plan'])}")
    for fault in params.get("faults") or ():
        out.append(f"{fault['actor']} {fault['action']} at {fault['t']:g}")
    return out
