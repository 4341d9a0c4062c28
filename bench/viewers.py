"""A benchmark worker process: many python-socketio viewers of one run, as threads."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio


class Recorder:
    """One viewer: counts the run's events and the delay of each since the server's emit."""

    def __init__(self, url: str, run_id: str) -> None:
        self.count = 0
        self.delays: list[float] = []
        self.ended = threading.Event()
        # websocket-client checks UTF-8 in pure Python unless told not to: that, not the
        # server, would be what 300 viewers on one machine measure
        self.client = socketio.Client(
            reconnection=False, websocket_extra_options={"skip_utf8_validation": True}
        )
        self.client.on("run_events", self._events)
        self.client.on("run_status", self._status)
        self.client.on("disconnect", self._dropped)
        self.dropped = False
        self.client.connect(url, transports=["websocket"], wait_timeout=60)
        began = time.perf_counter()
        ack = self.client.call("join_run", {"run_id": run_id}, timeout=60)
        self.join_seconds = time.perf_counter() - began
        if not ack.get("ok"):
            raise RuntimeError(f"join failed: {ack}")

    def _events(self, message: dict[str, Any]) -> None:
        delay = time.time() - message["sent_at"]
        self.count += len(message["events"])
        self.delays.extend([delay] * len(message["events"]))

    def _dropped(self, *_: Any) -> None:
        """Disconnected before the run ended (e.g. too far behind): stop waiting for it."""
        self.dropped = not self.ended.is_set()
        self.ended.set()

    def _status(self, message: dict[str, Any]) -> None:
        if message["state"] in ("finished", "stopped", "interrupted", "failed"):
            self.ended.set()


def watch(
    url: str, run_id: str, n: int, ready: Any, go: Any, results: Any, limit: float = 600.0
) -> None:
    """Connect n viewers, say ready, wait for the run to end (or `limit`), report counts."""
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)  # noisy on disconnect
    with ThreadPoolExecutor(max_workers=min(n, 64)) as pool:  # they join at once, as a class does
        viewers = list(pool.map(lambda _: Recorder(url, run_id), range(n)))
    ready.wait(timeout=300)
    go.wait(timeout=300)
    cpu = time.process_time()
    deadline = time.monotonic() + limit
    for v in viewers:
        v.ended.wait(max(0.0, deadline - time.monotonic()))
    results.put(
        {
            "cpu": time.process_time() - cpu,
            "counts": [v.count for v in viewers],
            "dropped": sum(v.dropped for v in viewers),
            "delays": [d for v in viewers for d in v.delays],
            "joins": [v.join_seconds for v in viewers],
        }
    )
    closers = [threading.Thread(target=v.client.disconnect) for v in viewers]
    for t in closers:  # in parallel: python-socketio's client may wait 3 s for a close frame
        t.start()
    for t in closers:
        t.join()
