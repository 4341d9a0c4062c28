"""Send stored events of a run to one client as `run_events` batches, in seq order, paced."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from flask_socketio import SocketIO

from app.runs.viewers import Viewer
from app.store import Store

BATCH = 5_000


class Dropped(Exception):
    """The client went away, or fell too far behind: the replay stopped."""

    def __init__(self, viewer: Viewer, from_seq: int, reason: str) -> None:
        super().__init__(reason)
        self.viewer, self.from_seq, self.reason = viewer, from_seq, reason

    def tell(self, socketio: SocketIO, run_id: str) -> None:
        """Tell the client (if still connected) where to rejoin from."""
        tell_dropped(socketio, self.viewer, run_id, self.from_seq, self.reason)


def tell_dropped(
    socketio: SocketIO, viewer: Viewer, run_id: str, from_seq: int, reason: str
) -> None:
    """`run_dropped`: the viewer gets no more of the run's events; join again from from_seq."""
    if viewer.connected():
        message = {"run_id": run_id, "from_seq": from_seq, "reason": reason}
        socketio.emit("run_dropped", message, to=viewer.sid)


def send_stored(
    socketio: SocketIO,
    store: Store,
    run_id: str,
    sid: str,
    first: int,
    last: int | None,
    config: Mapping[str, Any],
    viewer: Viewer | None = None,
) -> int:
    """Emit stored events first..last (None: all) to sid; return the last seq sent (or first-1).

    Never more than VIEWER_MAX_BATCHES_BEHIND batches ahead of what the client confirmed;
    raises Dropped when it disconnects or stays that far behind VIEWER_MAX_LAG_SECONDS.
    """
    viewer = viewer or Viewer(socketio.server, sid, run_id, first)
    max_behind = int(config["VIEWER_MAX_BATCHES_BEHIND"])
    max_lag = float(config["VIEWER_MAX_LAG_SECONDS"])
    sent = first - 1
    for rows in store.event_lines(run_id, first, last, chunk=BATCH):
        if not viewer.connected():
            raise Dropped(viewer, sent + 1, "disconnected")
        if not viewer.wait(max_behind, max_lag):
            raise Dropped(viewer, viewer.confirmed_seq + 1, f"fell behind by over {max_lag:g} s")
        events = [json.loads(line) for _seq, line in rows]
        socketio.emit(
            "run_events",
            {"run_id": run_id, "events": events, "sent_at": time.time()},
            to=sid,
        )
        sent = rows[-1][0]
        viewer.sent_batch(sent)
    return sent
