"""Each broken preset breaks the invariant it is about, naming the saga; each remedy holds."""

import pytest

from tests.sim_helpers import broken, summary_of, trace

BROKEN = {
    "wrong-compensation-order": {
        "order": ["BOOK004", "BOOK005"],
        "atomic_outcome": ["BOOK004", "BOOK005"],
        "conservation": ["BOOK004", "BOOK005"],
    },
    "orchestrator-crash-no-log": {"no_double_booking": ["BOOK002"], "atomic_outcome": ["BOOK002"]},
    "orchestrator-crash-log-not-idempotent": {
        "no_double_booking": ["BOOK002"],
        "atomic_outcome": ["BOOK002"],
    },
    "choreography-crash-no-outbox": {"nothing_stuck": ["BOOK002"]},
    "tutorial-choreography-gap": {"nothing_stuck": ["BOOK002"]},
}
REMEDIES = [
    "tutorial",
    "tutorial-choreography",
    "right-compensation-order",
    "retry-idempotent",
    "orchestrator-crash-durable-log",
    "choreography-crash-outbox",
    "choreography-crash-redelivery",
    "choreography-crash-saga-timeout",
    "car-retry",
    "car-no-retry",
    "compensation-fails",
    "no-isolation",
]


@pytest.mark.parametrize("preset", sorted(BROKEN))
def test_broken_preset_violates_its_invariant_and_names_the_saga(preset):
    events = trace(preset)
    assert broken(summary_of(events)) == BROKEN[preset]
    named = {(e["check"], e["saga"]) for e in events if e["kind"] == "invariant.violated"}
    for check, sagas in BROKEN[preset].items():
        assert {(check, s) for s in sagas} <= named


def test_retries_without_idempotency_double_book():
    summary = summary_of(trace("retry-not-idempotent"))
    assert summary["invariants"]["no_double_booking"]["sagas"]
    assert summary["retries"] > 0 and summary["duplicates_prevented"] == 0
    assert sum(summary["leaked"].values()) > 0


@pytest.mark.parametrize("preset", REMEDIES)
def test_remedy_preset_keeps_every_invariant(preset):
    summary = summary_of(trace(preset))
    assert broken(summary) == {}
    assert summary["sagas"]["stuck"] == 0
    assert sum(summary["leaked"].values()) == 0


def test_idempotency_prevents_the_duplicates_that_retries_create():
    assert summary_of(trace("retry-idempotent"))["duplicates_prevented"] > 0
    assert summary_of(trace("orchestrator-crash-durable-log"))["duplicates_prevented"] == 1


def test_retrying_the_car_completes_more_sagas():
    without = summary_of(trace("car-no-retry"))["sagas"]["completed"]
    with_retry = summary_of(trace("car-retry"))["sagas"]["completed"]
    assert with_retry > without


def test_durable_log_resumes_at_the_step_it_was_on():
    events = trace("orchestrator-crash-durable-log")
    replay = next(e for e in events if e["kind"] == "log.replayed")
    assert replay["saga"] == "BOOK002" and "hotel requested" in replay["detail"]
    starts = [e for e in events if e["kind"] == "saga.started" and e["saga"] == "BOOK002"]
    assert len(starts) == 1


def test_no_log_starts_the_saga_over():
    events = trace("orchestrator-crash-no-log")
    starts = [e for e in events if e["kind"] == "saga.started" and e["saga"] == "BOOK002"]
    assert [s.get("reason") for s in starts] == [None, "restarted from scratch"]


def test_outbox_relays_after_restart_and_redelivery_redelivers():
    outbox = trace("choreography-crash-outbox")
    relayed = [
        e
        for e in outbox
        if e["kind"] == "outbox.relayed"
        and e["saga"] == "BOOK002"
        and e["event_type"] == "hotel_booked"
    ]
    restart = next(e for e in outbox if e["kind"] == "actor.restarted")
    assert len(relayed) == 1 and relayed[0]["t"] == restart["t"] == 8.6
    redo = trace("choreography-crash-redelivery")
    again = [e for e in redo if e["kind"] == "message.redelivered"]
    assert again[0]["event_type"] == "flight_booked" and again[0]["saga"] == "BOOK002"


def test_saga_timeout_compensates_in_reverse_order():
    events = trace("choreography-crash-saga-timeout")
    undo = [
        e["step"]
        for e in events
        if e["kind"] == "compensation.succeeded" and e["saga"] == "BOOK002"
    ]
    assert undo == ["hotel", "flight"]
    assert any(e["kind"] == "saga.timed_out" and e["saga"] == "BOOK002" for e in events)


def test_failing_compensation_is_retried_with_backoff_then_flagged():
    events = trace("compensation-fails")
    summary = summary_of(events)
    assert summary["sagas"]["flagged"] >= 1
    flagged = next(e["saga"] for e in events if e["kind"] == "saga.flagged")
    tries = [e for e in events if e["kind"] == "compensation.started" and e["saga"] == flagged]
    assert max(e["attempt"] for e in tries) == 3
    ended = {
        e["saga"]
        for e in events
        if e["kind"] in ("saga.completed", "saga.compensated", "saga.flagged")
    }
    assert len(ended) == 8


def test_no_isolation_is_pointed_out():
    events = trace("no-isolation")
    anomaly = next(e for e in events if e["kind"] == "isolation.anomaly")
    assert anomaly["saga"] == "BOOK002" and "BOOK001" in anomaly["detail"]
    assert anomaly["holder"] == "BOOK001"
    assert summary_of(events)["isolation_anomalies"] == 1
