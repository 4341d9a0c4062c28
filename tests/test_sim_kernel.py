"""sim/kernel.py: the only module that touches asimpy's internals behaves as asimpy's own loop."""

from asimpy import Environment, Process, Timeout
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import kernel
from sim.trace.events import ListSink
from sim.trace.tracer import Tracer


class Sleeper(Process):
    """Sleeps through `delays`, noting (time, name) after each sleep."""

    def init(self, name: str, delays: list[float], seen: list) -> None:
        self.name, self.delays, self.seen = name, delays, seen

    async def run(self) -> None:
        for delay in self.delays:
            await self.timeout(delay)
            self.seen.append((self.now, self.name))


def test_peek_reports_the_next_time_and_none_when_idle():
    env = Environment()
    assert kernel.peek(env) is None
    env.schedule(5.0, lambda: None)
    assert kernel.peek(env) == 5.0
    env.immediate(lambda: None)
    assert kernel.peek(env) == 0  # something is due now
    env.run()
    assert kernel.peek(env) is None
    assert env.now == 5.0


def test_step_runs_callbacks_due_now_first_and_moves_the_clock_after_a_future_one():
    env, seen = Environment(), []
    env.schedule(2.0, lambda: seen.append(("future", env.now)))
    env.immediate(lambda: seen.append(("now-1", env.now)))
    env.immediate(lambda: seen.append(("now-2", env.now)))
    assert kernel.step(env) and kernel.step(env)
    assert seen == [("now-1", 0), ("now-2", 0)]
    assert kernel.step(env)
    assert seen[-1] == ("future", 0)  # as in asimpy: the clock moves once the callback ran
    assert env.now == 2.0
    assert not kernel.step(env)


def test_step_stops_at_until_without_touching_the_clock():
    env = Environment()
    env.schedule(3.0, lambda: None)
    assert not kernel.step(env, until=2.5)
    assert env.now == 0 and kernel.peek(env) == 3.0
    assert kernel.step(env, until=3.0)
    assert env.now == 3.0


def test_a_cancelled_timeout_does_not_move_the_clock():
    env = Environment()
    timeout = Timeout(env, 4.0)
    timeout.cancel()
    assert kernel.step(env)
    assert env.now == 0


def test_advance_moves_the_clock_forward_only():
    env = Environment()
    kernel.advance(env, 7.5)
    assert env.now == 7.5
    kernel.advance(env, 1.0)
    assert env.now == 7.5


def test_call_at_and_call_after_see_their_own_time():
    env, seen = Environment(), []
    kernel.call_at(env, 4.0, lambda: seen.append(("at", env.now)))
    kernel.call_after(env, 1.5, lambda: seen.append(("after", env.now)))
    env.run()
    assert seen == [("after", 1.5), ("at", 4.0)]


def test_a_cancelled_alarm_neither_runs_nor_moves_the_clock():
    env, seen = Environment(), []
    first = kernel.Alarm(env, lambda: seen.append(("first", env.now)))
    first.set(2.0)
    kernel.Alarm(env, lambda: seen.append(("second", env.now))).set(1.0)
    first.cancel()
    assert kernel.peek(env) == 1.0
    env.run()
    assert seen == [("second", 1.0)]
    assert env.now == 1.0  # the cancelled alarm's time never came
    assert kernel.peek(env) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 0.5, 1.0, 2.0, 3.0]), st.booleans()), max_size=8))
def test_an_alarm_set_again_after_cancels_rings_once_at_its_last_time(waits):
    """Set again and again (each time after a cancel, as a fiber does), maybe cancelled at
    the end: only the last uncancelled setting rings, at its own time and in time order with
    other callbacks; the cancelled ones, earlier or later, neither ring nor move the clock."""
    env, seen = Environment(), []
    alarm = kernel.Alarm(env, lambda: seen.append(("alarm", env.now, env.now)))
    live = None
    for delay, cancel in waits:
        if live is not None:
            alarm.cancel()
        alarm.set(delay)
        live = delay
        if cancel:
            alarm.cancel()
            live = None
    for at in (0.25, 0.75, 1.5, 2.5, 10.0):  # what else happens, in time order
        kernel.call_at(env, at, lambda at=at: seen.append(("other", at, env.now)))
    env.run()
    others = [("other", at, at) for at in (0.25, 0.75, 1.5, 2.5, 10.0)]
    assert seen == sorted(
        others + ([("alarm", live, live)] if live is not None else []), key=lambda x: x[1]
    )


schedules = st.lists(
    st.lists(st.sampled_from([0, 0.5, 1.0, 1.5, 2.0, 3.0]), min_size=1, max_size=5),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(schedules, st.one_of(st.none(), st.sampled_from([0.5, 2.0, 4.0])))
def test_stepping_matches_environment_run(plans, until):
    """One step at a time gives the same happenings, in the same order, as asimpy's run."""

    def build() -> tuple[Environment, list]:
        env, seen = Environment(), []
        for i, delays in enumerate(plans):
            Sleeper(env, f"p{i}", delays, seen)
        return env, seen

    env_a, seen_a = build()
    env_a.run(until=until)
    env_b, seen_b = build()
    while kernel.step(env_b, until):
        pass
    assert seen_b == seen_a
    assert env_b.now == env_a.now
    assert kernel.peek(env_b) == kernel.peek(env_a)


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(min_value=0, max_value=2e9, allow_nan=False),
        st.integers(0, 10**7).map(lambda n: n * 0.3 + 0.3 + 0.3 + 0.2),
        st.integers(0, 10**12).map(lambda n: n / 1e6 + 5e-7),  # ties in decimal
        st.integers(0, 10**6),
    )
)
def test_event_times_are_round_to_six_places(now):
    """The tracer's fast rounding of event times gives exactly what round(now, 6) gives."""
    env, sink = Environment(), ListSink()
    tracer = Tracer(env, sink)
    for clock in (now, now + 1.0, now):  # a new time each event
        env._now = clock
        tracer.emit("saga.started", "BOOK001")
    for event, clock in zip(sink.events, (now, now + 1.0, now), strict=True):
        fast, slow = event["t"], round(clock, 6)
        assert fast == slow and type(fast) is type(slow)


def test_the_clock_the_tracer_reads_is_asimpys_now():
    """The tracer reads `env._now` (sim/kernel.py's docstring); it must be `env.now`."""
    env, seen = Environment(), []
    kernel.call_at(env, 2.5, lambda: seen.append((env._now, env.now)))
    Timeout(env, 4.0)
    env.run()
    assert seen == [(2.5, 2.5)] and env._now == env.now == 4.0
