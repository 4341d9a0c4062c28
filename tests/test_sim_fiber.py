"""sim/fiber.py: a Fiber runs at the moments, and in the order, an asimpy Process would."""

import inspect
import warnings

from asimpy import Environment, Event, Interrupt, Process
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import kernel
from sim.fiber import Fiber


class ProcessSleeper(Process):
    """asimpy's way: sleep through `delays`, noting (time, name) after each; on a wake-up
    (delay None) wait for `bell` and note what it rang with."""

    def init(self, name: str, delays: list, seen: list, bell: dict) -> None:
        self.name, self.delays, self.seen, self.bell = name, delays, seen, bell

    async def run(self) -> None:
        for delay in self.delays:
            if delay is None:
                event = Event(self._env)
                self.bell.setdefault("waiting", []).append((self, event))
                value = await event
            else:
                await self.timeout(delay)
                value = None
            self.seen.append((self.now, self.name, value))


class FiberSleeper(Fiber):
    """The same behaviour as a fiber."""

    def init(self, name: str, delays: list, seen: list, bell: dict) -> None:
        self.name, self.delays, self.seen, self.bell = name, delays, seen, bell

    async def run(self) -> None:
        for delay in self.delays:
            if delay is None:
                value = await self.park_in(self.bell.setdefault("fibers", []))
            else:
                await self.sleep(delay)
                value = None
            self.seen.append((self.env.now, self.name, value))


def ring(bell: dict, env: Environment, seen: list) -> None:
    """Wake every waiter in the order it started waiting, then note the ring (which comes
    before any waiter runs: a woken process runs in a later callback)."""
    for _process, event in bell.pop("waiting", []):
        event.succeed(env.now)
    for fiber in bell.pop("fibers", []):
        fiber.wake(env.now)
    seen.append((env.now, "bell", None))


plans = st.lists(
    st.lists(st.sampled_from([0, 0.5, 1.0, 1.5, 3.0, None]), min_size=1, max_size=5),
    min_size=1,
    max_size=5,
)


@settings(max_examples=80, deadline=None)
@given(plans, st.lists(st.sampled_from([0.5, 1.0, 2.0, 4.0]), max_size=3))
def test_fibers_and_processes_run_in_the_same_order(plans, bells):
    """The same plans as processes or as fibers (ringing bells at some times) note the same
    happenings in the same order, and the clock ends at the same time."""

    def build(kind: type) -> tuple[Environment, list]:
        env, seen = Environment(), []
        bell: dict = {}
        for when in bells:
            kernel.call_at(env, when, lambda: ring(bell, env, seen))
        for i, delays in enumerate(plans):
            kind(env, f"p{i}", delays, seen, bell)
        return env, seen

    env_a, seen_a = build(ProcessSleeper)
    env_a.run()
    env_b, seen_b = build(FiberSleeper)
    env_b.run()
    assert seen_b == seen_a
    assert env_b.now == env_a.now


class Napper(Fiber):
    """Sleeps 5 s; an interrupt makes it note the cause and wait in `beds` instead."""

    def init(self, seen: list, beds: list) -> None:
        self.seen, self.beds = seen, beds

    async def run(self) -> None:
        try:
            await self.sleep(5.0)
            self.seen.append(("slept", self.env.now))
        except Interrupt as stop:
            self.seen.append((stop.cause, self.env.now))
            try:
                await self.park_in(self.beds)
            except Interrupt:
                self.seen.append(("out of bed", self.env.now))


def test_an_interrupt_cancels_the_sleep_which_then_moves_no_clock():
    env, seen, beds = Environment(), [], []
    napper = Napper(env, seen, beds)
    kernel.call_at(env, 2.0, lambda: napper.interrupt("woken"))
    env.run()
    assert seen == [("woken", 2.0)]
    assert beds == [napper]
    assert env.now == 2.0  # the cancelled 5 s sleep did not move the clock
    napper.interrupt("again")
    env.run()
    assert seen[-1] == ("out of bed", 2.0) and beds == []  # park_in left the list


def test_close_closes_only_a_fiber_that_never_ran():
    env, seen = Environment(), []
    ran = Napper(env, seen, [])
    env.run()
    idle = Napper(env, seen, [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine was never awaited" would be an error
        idle.close()
        ran.close()
    assert inspect.getcoroutinestate(idle._coro) == inspect.CORO_CLOSED
    assert seen == [("slept", 5.0)]
