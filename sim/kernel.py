"""The one module that touches asimpy's internals: its clock, its two queues, its event loop.

asimpy 0.20 keeps the clock (`_now`), the callbacks due now (`_ready`) and the future ones
(`_heap`) on the Environment, and runs them only inside `Environment.run`. Running one
callback at a time, moving the clock on when nothing happens, and timers whose callback
already sees their time (and that can be cancelled) need those parts; everything else in
sim/ uses asimpy's public API and these functions (the tracer reads the clock once per event
with `now`, a C-level getter: the `now` property would cost a Python call each time). A new
asimpy release is checked here and in tests/test_sim_kernel.py.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable

from asimpy import Environment
from asimpy.environment import _serial
from asimpy.timeout import _NO_TIME

#: now(env): the simulated time, read without the `now` property's Python call
now: Callable[[Environment], float] = operator.attrgetter("_now")


def peek(env: Environment) -> float | None:
    """The simulated time of the next callback (now, if one is due now); None if none is left."""
    if env._ready:
        return env._now
    heap = env._heap
    return heap[0][0] if heap else None


def step(env: Environment, until: float | None = None) -> bool:
    """Run the next callback exactly as `Environment.run` would; False if none is due by `until`.

    Callbacks due now run first; a future one moves the clock to its time after it has run,
    unless it was a cancelled timeout (which asimpy marks with `_NO_TIME`).
    """
    ready = env._ready
    if ready:
        ready.popleft()()
        return True
    heap = env._heap
    if not heap or (until is not None and heap[0][0] > until):
        return False
    when, _, callback = heapq.heappop(heap)
    if callback() is not _NO_TIME and when > env._now:
        env._now = when
    return True


def advance(env: Environment, when: float) -> None:
    """Move the clock on to `when` (never back): time passed and nothing happened."""
    if when > env._now:
        env._now = when


def call_at(env: Environment, when: float, callback: Callable[[], object]) -> None:
    """Run `callback` at simulated time `when`, with the clock already showing `when`.

    (asimpy moves its clock only after a scheduled callback returns.)
    """

    def fire() -> None:
        if when > env._now:
            env._now = when
        callback()

    env.schedule(when, fire)


def call_after(env: Environment, delay: float, callback: Callable[[], object]) -> None:
    """`call_at` `delay` simulated seconds from now."""
    call_at(env, env._now + delay, callback)


class Alarm:
    """A timer set again and again by one owner that waits for one thing at a time (a fiber):
    `set(delay)` runs `callback` `delay` simulated seconds from now, with the clock already
    showing that time, as `call_at` does; `cancel()` drops the pending one, which stays in
    asimpy's heap and, like a cancelled Timeout, moves no clock when its time comes.

    No object is made per wait: every entry it puts in asimpy's heap calls the same bound
    method. asimpy pops entries in (time, serial) order, so the entry due when that method
    runs is the earliest of this alarm's entries still in the heap: the pending one, or a
    cancelled one that comes first.
    """

    __slots__ = ("env", "callback", "_pending", "_cancelled", "_ring")

    def __init__(self, env: Environment, callback: Callable[[], object]) -> None:
        self.env, self.callback = env, callback
        self._pending: tuple[float, int, Callable[[], object]] | None = None
        self._cancelled: list[tuple[float, int, Callable[[], object]]] = []
        self._ring = self._fire

    def set(self, delay: float) -> None:
        """Run the callback `delay` from now (as `env.schedule` would queue it)."""
        env = self.env
        self._pending = entry = (env._now + delay, next(_serial), self._ring)
        heapq.heappush(env._heap, entry)

    def cancel(self) -> None:
        if self._pending is not None:
            self._cancelled.append(self._pending)
            self._pending = None

    def _fire(self) -> object:
        pending, cancelled = self._pending, self._cancelled
        if cancelled:
            first = min(cancelled)
            if pending is None or first < pending:
                cancelled.remove(first)
                return _NO_TIME
        self._pending = None
        when, env = pending[0], self.env  # type: ignore[index]
        if when > env._now:
            env._now = when
        self.callback()
        return None
