"""A live run's store writes: its batches of events (within the quota) and its row."""

from __future__ import annotations

from typing import Any

from app.runs.quota import Quota
from app.store import Store
from sim import to_json


class WriteFailed(Exception):
    """A batch could not be stored; the message says why."""


class EventWriter:
    """Stores one run's events in seq order, one transaction per batch, and counts them."""

    def __init__(self, store: Store, run_id: str, quota: Quota) -> None:
        self.store = store
        self.run_id = run_id
        self.quota = quota
        self.count = 0  # events stored
        self.emitted = -1  # the last seq stored (and then sent to the room)

    def write(self, batch: list[dict[str, Any]], t: float) -> None:
        """Store a batch (nothing past the quota); WriteFailed if it was not stored."""
        lines = [(event["seq"], to_json(event)) for event in batch]
        full = self.quota.refuses_batch(sum(len(line) for _seq, line in lines))
        if full:  # as if the write failed: nothing past the quota is stored
            raise WriteFailed(full)
        try:
            self.store.append_events(self.run_id, lines, t, self.count + len(batch))
        except Exception as exc:
            raise WriteFailed(f"could not store events ({exc})") from exc
        self.count += len(batch)
        self.emitted = batch[-1]["seq"]

    def record(self, **fields: Any) -> None:
        """Update the run's row (status, reason, t, speed, params, summary, ...)."""
        self.store.update_run(self.run_id, **fields)
