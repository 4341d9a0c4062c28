import json

import pytest

from sim import EVENT_KINDS, Simulation, resolve, to_json
from sim.trace.events import ListSink
from tests.sim_helpers import summary_of, trace


def jsonl(preset: str, **params) -> list[str]:
    return [to_json(e) for e in trace(preset, **params)]


def test_same_parameters_and_seed_give_the_same_trace_byte_for_byte():
    a = jsonl("tutorial", bookings=30, seed=11, until=None)
    assert a == jsonl("tutorial", bookings=30, seed=11, until=None)
    assert a != jsonl("tutorial", bookings=30, seed=12, until=None)


def test_seq_counts_up_from_zero_and_time_never_goes_back():
    events = trace("tutorial-choreography", bookings=20, seed=3, until=None)
    assert [e["seq"] for e in events] == list(range(len(events)))
    times = [e["t"] for e in events]
    assert times == sorted(times)
    assert events[0]["kind"] == "run.started" and events[-1]["kind"] == "run.finished"
    assert summary_of(events)["events"] == len(events)


def test_every_emitted_kind_is_declared_and_json_matches_the_standard_encoder():
    seen = set()
    for preset in (
        "tutorial",
        "orchestrator-crash-durable-log",
        "choreography-crash-outbox",
        "choreography-crash-redelivery",
        "compensation-fails",
        "no-isolation",
        "choreography-crash-saga-timeout",
        "retry-not-idempotent",
    ):
        for e in trace(preset):
            seen.add(e["kind"])
            assert to_json(e) == json.dumps(e, ensure_ascii=False, separators=(",", ":"))
    assert seen <= set(EVENT_KINDS)
    assert {
        "actor.crashed",
        "log.replayed",
        "outbox.relayed",
        "message.redelivered",
        "saga.flagged",
        "isolation.anomaly",
        "saga.timed_out",
    } <= seen


def test_inventory_events_carry_the_three_counts():
    for e in trace("tutorial", bookings=10, seed=5):
        if e["kind"] in ("step.succeeded", "compensation.succeeded") and e["units"]:
            assert set(e["inventory"]) == {"flight", "hotel", "car"}


def sliced(params, how: str) -> list[dict]:
    sink = ListSink()
    sim = Simulation(params, sink)
    if how == "advance":
        t = 0.0
        while not sim.done:
            t += 0.7
            sim.advance(t)
    elif how == "step":
        while not sim.done:
            assert sim.step() >= 1
    else:
        sim.run()
    return sink.events


@pytest.mark.parametrize("mode", ["orchestration", "choreography"])
def test_slices_steps_and_a_whole_run_give_the_same_trace(mode):
    params = resolve({"params": {"mode": mode, "bookings": 15, "seed": 9}})
    whole = sliced(params, "run")
    assert sliced(params, "advance") == whole
    assert sliced(params, "step") == whole


def test_advance_moves_the_clock_and_next_time_looks_ahead():
    sim = Simulation(resolve({"preset": "tutorial"}))
    assert sim.next_time == 0
    sim.advance(1.0)
    assert sim.now == 1.0 and sim.next_time == 3.0
    assert not sim.done
    assert sim.run()["sagas"]["completed"] + sim.summary()["sagas"]["compensated"] == 5


def test_until_cuts_the_run_and_reports_unfinished_sagas_as_stuck():
    events = trace("tutorial", until=3.4, plan={})
    s = summary_of(events)
    assert s["sagas"]["completed"] == 1 and s["sagas"]["stuck"] == 1
    assert events[-1]["reason"] == "until reached"


def test_injected_orchestrator_crash_and_restart():
    sink = ListSink()
    params = resolve(
        {
            "preset": "tutorial",
            "params": {
                "orchestrator": {"restart_after": None, "durable_log": True},
                "idempotent": True,
            },
        }
    )
    sim = Simulation(params, sink, hold_open=True)
    sim.advance(3.1)
    sim.inject({"action": "crash", "actor": "orchestrator"})
    with pytest.raises(ValueError, match="already down"):
        sim.inject({"action": "crash", "actor": "orchestrator"})
    sim.advance(30)  # held open (its `until` is 40): the clock moves on, nothing happens
    assert not sim.done and sim.down_actors() == ["orchestrator"] and sim.now == 30
    sim.inject({"action": "restart", "actor": "orchestrator"})
    summary = sim.run()
    kinds = [e["kind"] for e in sink.events]
    assert kinds.count("actor.crashed") == 1 and "log.replayed" in kinds
    assert all(v["ok"] for v in summary["invariants"].values())
    assert summary["sagas"]["completed"] + summary["sagas"]["compensated"] == 5


def test_injected_service_crash_makes_steps_fail_until_restart():
    sink = ListSink()
    sim = Simulation(resolve({"preset": "tutorial", "params": {"plan": {}}}), sink)
    sim.inject({"action": "crash", "actor": "car"})
    sim.advance(1.0)
    failed = [e for e in sink.events if e["kind"] == "step.failed"]
    assert failed and failed[0]["reason"] == "unavailable"
    sim.inject({"action": "restart", "actor": "car"})
    assert sim.run()["sagas"]["completed"] >= 1


@pytest.mark.parametrize(
    "fault, message",
    [
        ({"action": "explode", "actor": "car"}, "action"),
        ({"action": "crash", "actor": "bank"}, "actor"),
    ],
)
def test_bad_faults_are_refused(fault, message):
    sim = Simulation(resolve({"preset": "tutorial"}))
    with pytest.raises(ValueError, match=message):
        sim.inject(fault)
    sim.finish()


def test_no_orchestrator_to_crash_in_choreography():
    sim = Simulation(resolve({"preset": "tutorial-choreography"}))
    with pytest.raises(ValueError, match="choreography"):
        sim.inject({"action": "crash", "actor": "orchestrator"})
    sim.inject({"action": "crash", "actor": "hotel"})
    assert sim.down_actors() == ["hotel"]
    sim.finish()


def test_finish_stops_a_run_early():
    sink = ListSink()
    sim = Simulation(resolve({"preset": "tutorial"}), sink)
    sim.advance(1.0)
    sim.finish("stopped")
    assert sim.done and sink.events[-1]["reason"] == "stopped"
    assert sim.advance(50) == 0 and sim.step() == 0


def test_to_json_escapes_like_the_standard_encoder():
    event = {
        "seq": 0,
        "t": 0.30000000000000004,
        "kind": "saga.stuck",
        "saga": None,
        "actor": "monitor",
        "step": None,
        "reason": 'said "no" – ✓\n',
        "units": -1,
        "ok": True,
        "list": [1.5, None],
    }
    assert to_json(event) == json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(to_json(event)) == event


def test_stepping_after_slices_ends_at_until():
    sim = Simulation(resolve({"preset": "tutorial", "params": {"bookings": 20}}))
    sim.advance(39.95)  # the next arrival is at 42, after `until`
    assert not sim.done
    sim.step()
    assert sim.done and sim.now == 40.0
