"""Send stored events of a run to one client as `run_events` batches, in seq order."""

from __future__ import annotations

import json
import time

from app.extensions import socketio
from app.store import Store

BATCH = 5_000


def send_stored(store: Store, run_id: str, sid: str, first: int, last: int | None) -> int:
    """Emit stored events first..last (None: all) to sid; return the last seq sent (or first-1)."""
    sent = first - 1
    for rows in store.event_lines(run_id, first, last, chunk=BATCH):
        events = [json.loads(line) for _seq, line in rows]
        socketio.emit(
            "run_events",
            {"run_id": run_id, "events": events, "sent_at": time.time()},
            to=sid,
        )
        sent = rows[-1][0]
    return sent
