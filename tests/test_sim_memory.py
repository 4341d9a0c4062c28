"""Memory follows the sagas in flight: an ended saga is forgotten only once nothing can name it."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim import ParamsError, Simulation
from sim.presets import PRESETS, resolve
from sim.trace.events import ListSink

ENDS = ("saga.completed", "saga.compensated", "saga.flagged")
BIG = {s: {"capacity": 10**9} for s in ("flight", "hotel", "car")}

fault = st.fixed_dictionaries(
    {
        "t": st.sampled_from([0.3, 1.0, 2.6, 4.0, 6.2, 9.0]),
        "action": st.sampled_from(["crash", "restart"]),
        "actor": st.sampled_from(["orchestrator", "flight", "hotel", "car"]),
    }
)


def forgetting_run(preset: str, params: dict) -> tuple[Simulation, list, dict[str, int]]:
    """Run to the end; return the simulation, its events and, per forgotten saga, how many
    events had been emitted when it was forgotten."""
    sink = ListSink()
    sim = Simulation(resolve({"preset": preset, "params": params}), sink)
    forgotten: dict[str, int] = {}
    forget = sim.checker.forget

    def noting(saga: str) -> None:
        assert saga not in forgotten, f"{saga} forgotten twice"
        forgotten[saga] = len(sink.events)
        forget(saga)

    sim.checker.forget = noting  # type: ignore[method-assign]
    sim.run()
    return sim, sink.events, forgotten


@settings(max_examples=150, deadline=None)
@given(
    preset=st.sampled_from(sorted(PRESETS)),
    seed=st.integers(0, 2**32),
    bookings=st.integers(5, 12),
    interarrival=st.sampled_from([0.2, 1.0, 3.0]),
    faults=st.lists(fault, max_size=3),
    idempotent=st.booleans(),
    choreography=st.fixed_dictionaries(
        {
            "ack_after_commit": st.booleans(),
            "redelivery_timeout": st.sampled_from([0.5, 2.0]),
            "saga_timeout": st.sampled_from([None, 0.8, 4.0]),
            "outbox": st.booleans(),
        }
    ),
)
def test_no_event_names_a_saga_after_it_was_forgotten(
    preset, seed, bookings, interarrival, faults, idempotent, choreography
):
    """Whatever crashes, redeliveries, timeouts or retries happen, a forgotten saga is never
    named again, and every saga that ended was forgotten unless an event was still due."""
    params = {"seed": seed, "bookings": bookings, "interarrival": interarrival}
    params |= {"idempotent": idempotent, "until": None, "faults": faults}
    params["choreography"] = choreography
    try:
        sim, events, forgotten = forgetting_run(preset, params)
    except ParamsError:
        assume(False)  # a fault for an actor the mode lacks
    for saga, seen in forgotten.items():
        ends = [e["kind"] for e in events[:seen] if e["saga"] == saga and e["kind"] in ENDS]
        assert ends, f"{saga} was forgotten before it ended"
        late = [e["kind"] for e in events[seen:] if e["saga"] == saga]
        assert late == [], f"{saga} was forgotten, then named by {late}"
    for service in sim.services.values():
        assert not set(service.records) & set(forgotten)


def test_a_run_keeps_nothing_of_the_sagas_that_ended():
    """After thousands of bookings, services, checker and bus hold nothing per booking."""
    for mode in ("orchestration", "choreography"):
        sim, _, forgotten = forgetting_run(
            None, {"mode": mode, "bookings": 3000, "services": BIG, "seed": 4}
        )
        summary = sim.summary()
        assert len(forgotten) == 3000
        assert summary["sagas"]["completed"] + summary["sagas"]["compensated"] == 3000
        assert all(not s.records for s in sim.services.values())
        assert not sim.checker.ended and not sim.checker.sagas
        if mode == "choreography":
            assert not sim.bus.in_flight and not sim.monitor.state
        for step, service in sim.services.items():  # the service's invariant, records gone
            held = sum(status == "booked" for status in service.records.values())
            assert service.available + held + service.kept == service.capacity, step


def test_a_stuck_saga_is_kept():
    """The tutorial's gap leaves BOOK002 stuck holding a seat: its record stays."""
    sim, events, forgotten = forgetting_run("tutorial-choreography-gap", {})
    stuck = {e["saga"] for e in events if e["kind"] == "saga.stuck"}
    assert stuck and not stuck & set(forgotten)
    assert all(saga in sim.services["flight"].records for saga in stuck)
