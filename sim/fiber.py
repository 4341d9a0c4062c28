"""Fibers: processes that await only a delay or a wake-up, driven by a kernel Alarm."""

from __future__ import annotations

import types
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from asimpy import Environment, Interrupt

from sim.kernel import Alarm

_PARK = object()  # what a fiber yields to wait for `wake`
_NOTHING = object()  # no wake-up pending


@types.coroutine
def _yield(request: Any) -> Generator[Any, Any, Any]:
    """Await this to hand `request` (a delay, or `_PARK`) to the fiber's driver."""
    return (yield request)


class Fiber:
    """A process written as asimpy writes one (`init()` + `async run()`) whose coroutine awaits
    only `self.sleep(delay)` and `self.park()`; no asimpy Event is made, so an await costs a
    alarm or a callback instead of an Event, a wake-up and a trip through the ready queue.

    It runs at the moments, and in the order, an asimpy Process would:
    - it starts in a callback due now, queued when it is made;
    - a sleep ends inside its alarm's callback (asimpy resumes a process in the next callback
      due now, and at that point nothing else is due);
    - `wake(value)` resumes a parked fiber in a callback due now (as an Event's waiter);
    - `interrupt(cause)` throws `Interrupt(cause)` at its await in a callback due now, and
      then cancels the sleep it was in (the alarm, like a cancelled Timeout, moves no clock).
    Invariant: a fiber is sleeping (`_sleeping`), parked (`_parked`), running, or done.
    """

    def __init__(self, env: Environment, *args: Any) -> None:
        self.env = env
        self._alarm = Alarm(env, self._ring)
        self._sleeping = False
        self._parked = False
        self._woken: Any = _NOTHING
        self._done = False
        self._started = False
        self.init(*args)
        self._coro: Coroutine[Any, Any, None] = self.run()
        env.immediate(self._start)

    def init(self, *args: Any) -> None:
        """Set up before the coroutine is made."""

    async def run(self) -> None:
        """The fiber's behaviour."""

    # --- what the coroutine awaits ---------------------------------------------------
    #: `await self.sleep(delay)` lets `delay` simulated seconds pass
    sleep = staticmethod(_yield)

    def park(self) -> Any:
        """Await this to wait for `wake(value)`; the await gives `value`."""
        return _yield(_PARK)

    @types.coroutine
    def park_in(self, waiters: list[Fiber] | deque[Fiber]) -> Generator[Any, Any, Any]:
        """Wait in `waiters` (which the waker takes it from) for `wake(value)`; give `value`.
        An interrupt takes the fiber out of `waiters` again. (A generator-based coroutine,
        like `_yield`: one level fewer for every park than an `async def` awaiting it.)"""
        waiters.append(self)
        try:
            return (yield _PARK)
        except Interrupt:
            if self in waiters:
                waiters.remove(self)
            raise

    # --- what others do to it ----------------------------------------------------------
    def wake(self, value: Any = None) -> None:
        """Resume the parked fiber with `value`, in a callback due now."""
        self._parked = False
        self._woken = value
        self.env.immediate(self._on_wake)

    def interrupt(self, cause: Any = None) -> None:
        """Throw `Interrupt(cause)` into the fiber at its next await, in a callback due now."""
        if not self._done:
            self.env.immediate(lambda: self._throw(Interrupt(cause)))

    def close(self) -> None:
        """Close the coroutine of a fiber that never ran, so Python does not warn about it."""
        if not self._started:
            self._coro.close()

    # --- the driver --------------------------------------------------------------------
    def _start(self) -> None:
        self._started = True
        self._advance(self._coro.send, None)

    def _on_wake(self) -> None:
        value, self._woken = self._woken, _NOTHING
        if value is not _NOTHING:
            self._advance(self._coro.send, value)

    def _ring(self) -> None:
        self._sleeping = False
        self._advance(self._coro.send, None)

    def _throw(self, exc: Interrupt) -> None:
        if self._done:
            return
        if self._sleeping:
            self._alarm.cancel()
            self._sleeping = False
        self._parked = False
        self._woken = _NOTHING
        self._advance(self._coro.throw, exc)

    def _advance(self, step: Callable[[Any], Any], value: Any) -> None:
        """Run the coroutine to its next request (`send` or `throw` into it) and honour it."""
        try:
            request = step(value)
        except StopIteration:
            self._done = True
            return
        if request is _PARK:
            self._parked = True
        else:
            self._sleeping = True
            self._alarm.set(request)
