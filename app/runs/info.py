"""What the API and join acks say about a run: the stored record, live state laid over it."""

from __future__ import annotations

from typing import Any

from app.runs.controlled import ControlledRun
from app.runs.manager import RunManager
from sim import PRESETS
from sim.presets import REMEDIES


def run_info(manager: RunManager, run_id: str, summary: bool = True) -> dict[str, Any] | None:
    """The run's id, status, params, speed, t, summary, ...; None if there is no such run.

    The live run is looked up before the store is read: a run stores its end (status,
    summary) before it leaves the live runs, so one not live then is stored in full.
    """
    live = manager.get(run_id)
    stored = manager.store.get_run(run_id)
    if stored is None:
        return None
    _with_live_state(stored, live)
    if live is not None:
        stored["reason"] = live.status().get("reason")
        if summary:
            stored["summary"] = live.summary()
    preset = PRESETS.get(stored["preset"] or "")
    stored["description"] = preset["description"] if preset else None
    stored["remedy"] = REMEDIES.get(stored["preset"] or "")
    if not summary:
        stored.pop("summary", None)
    return stored


def list_info(manager: RunManager, limit: int, offset: int) -> list[dict[str, Any]]:
    """Stored runs, newest first, with live state for the live ones (no live summaries);
    the live runs are taken before the store is read, as in run_info."""
    live = manager.live_runs()
    out = []
    for stored in manager.store.list_runs(limit, offset):
        _with_live_state(stored, live.get(stored["id"]))
        out.append(stored)
    return out


def _with_live_state(stored: dict[str, Any], live: ControlledRun | None) -> None:
    """Overlay a stored run with its live state (if it is live), its `live` flag and URL."""
    if live is not None:
        status = live.status()
        stored.update(
            status=status["state"],
            t=status["t"],
            speed=status["speed"],
            event_count=status["events"],
        )
    stored["live"] = live is not None
    stored["url"] = f"/runs/{stored['id']}"
