"""The message queue (Redis) between server processes: whether it is there, and Socket.IO's
Redis client manager made to say so and to come back quickly.

python-socketio's RedisManager logs a failed publish and drops it, and waits up to a minute
between reconnects. Here every failure and every reconnect is reported to one QueueHealth,
the listener retries after 0.1 s, doubling up to BACKOFF_MAX, and the queue counts as back
RECOVERY_GRACE seconds after everything reconnected: time for every process to resubscribe
and claim its runs again (a restarted Redis has forgotten them) before joins and controls
rely on it. Until then requests that need it are refused with QueueDown (503, Retry-After).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio

from app.runs.request import RequestError

log = logging.getLogger(__name__)

BACKOFF_MIN = 0.1  # seconds before the first reconnect
BACKOFF_MAX = 1.0  # at most this long between reconnects
RECOVERY_GRACE = 3.0  # seconds after reconnecting before the queue counts as back


class QueueDown(RequestError):
    """The message queue is unreachable (or just came back): try again later."""

    status = 503

    def __init__(self, problem: str, retry_after: int) -> None:
        super().__init__({"queue": problem})
        self.retry(retry_after)


def backoff() -> Iterator[float]:
    """Seconds to wait before each reconnect: BACKOFF_MIN, doubling, up to BACKOFF_MAX."""
    delay = BACKOFF_MIN
    while True:
        yield delay
        delay = min(delay * 2, BACKOFF_MAX)


class QueueHealth:
    """Which parts of this process's link to the queue are down, and since when it is up."""

    def __init__(self, url: str, grace: float = RECOVERY_GRACE) -> None:
        self.url = url
        self.grace = grace
        self.failures = 0  # failed operations so far (a fan-out compares it around an emit)
        self._lock = threading.Lock()
        self._down: dict[str, str] = {}  # part -> what went wrong
        self._up_since = -math.inf  # up from the start: no grace at start-up
        self._recovered: list[Callable[[], None]] = []

    def down(self, part: str, exc: BaseException) -> None:
        """A part (the publisher, a listener) failed."""
        with self._lock:
            self.failures += 1
            if not self._down:
                log.warning("the message queue at %s is unreachable: %s", self.url, exc)
            self._down[part] = str(exc) or type(exc).__name__

    def up(self, part: str) -> None:
        """A part works (again)."""
        with self._lock:
            if part not in self._down:
                return
            del self._down[part]
            if not self._down:
                self._up_since = time.monotonic()
                log.warning("the message queue at %s is back", self.url)

    def is_up(self) -> bool:
        """Every part works (the grace after a reconnect may not have passed yet)."""
        with self._lock:
            return not self._down

    def available(self) -> bool:
        """Up for at least the grace period: runs and viewers across processes can rely on it."""
        with self._lock:
            return not self._down and time.monotonic() - self._up_since >= self.grace

    def state(self) -> str:
        """ "up", "returning" (reconnected, within the grace) or "down"."""
        if self.available():
            return "up"
        return "returning" if self.is_up() else "down"

    def check(self) -> None:
        """Raise QueueDown unless available()."""
        with self._lock:
            down = dict(self._down)
            since = time.monotonic() - self._up_since
        if down:
            why = next(iter(down.values()))
            raise QueueDown(
                f"the message queue (Redis) is unreachable ({why}); runs on other server "
                f"processes cannot be reached until it is back",
                max(1, math.ceil(self.grace)),
            )
        if since < self.grace:
            raise QueueDown(
                "the message queue (Redis) has just come back; the server processes are "
                "registering their runs again",
                max(1, math.ceil(self.grace - since)),
            )


class QueueManager(socketio.RedisManager):
    """Socket.IO's Redis manager, reporting to a QueueHealth and reconnecting quickly."""

    def __init__(self, url: str, health: QueueHealth, channel: str = "flask-socketio") -> None:
        super().__init__(url, channel=channel)
        self.health = health

    def _publish(self, data: Any) -> Any:
        """Publish once (reconnecting first if needed); a failure is reported, not retried:
        the run's fan-out resends what other processes missed once the queue is back."""
        try:
            if not self.connected:
                self._redis_connect()
            result = self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:
            self.connected = False
            self.health.down("publisher", exc)
            return None
        self.health.up("publisher")
        return result

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        delays = backoff()
        while True:
            try:
                redis = self._get_redis_module().Redis.from_url(self.redis_url)
                pubsub = redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self.health.up("socketio listener")
                delays = backoff()
                yield from pubsub.listen()
            except Exception as exc:
                self.health.down("socketio listener", exc)
                time.sleep(next(delays))
