"""Any saga in both modes (issue 23): the built-ins and random valid definitions keep every
invariant; a saga of our own (tests/data/food_order.yaml: 5 steps, one holding nothing, a
pivot, two retriable) with every fault, from the engine, the CLI and the API; the taxonomy's
semantics (a pivot is never undone, a retriable step is retried, then flagged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.presets import resolve
from sim.runner import run_summary, run_trace
from sim.saga import BUILTIN, KINDS, check_saga, load_saga_file
from sim.trace.events import Event
from tests.conftest import run_ended, wait_until
from tests.sim_helpers import broken, published

FOOD_FILE = Path(__file__).parent / "data" / "food_order.yaml"
FOOD = load_saga_file(str(FOOD_FILE)).to_dict()
FOOD_STEPS = [s["name"] for s in FOOD["steps"]]
#: no failure but the planned ones, and room for every booking
CALM = {s["name"]: {"failure_rate": 0.0} | ({"capacity": 1000} if s["capacity"] else {})
        for s in FOOD["steps"]}  # fmt: skip
MODES = ("orchestration", "choreography")
rate = st.floats(0.0, 1.0, allow_nan=False)
seeds = st.integers(0, 2**32)


def food(**params: Any) -> dict[str, Any]:
    """Parameters of a run of the food-order saga (calm services unless `services` is given)."""
    return {"saga": FOOD, "services": CALM, **params}


def events(**params: Any) -> list[Event]:
    return run_trace(resolve({"params": food(**params)}))


def summary_of(trace: list[Event]) -> dict[str, Any]:
    assert trace[-1]["kind"] == "run.finished"
    return trace[-1]["summary"]


def of(trace: list[Event], kind: str, saga: str | None = None, step: str | None = None) -> list:
    return [
        e
        for e in trace
        if e["kind"] == kind
        and (saga is None or e["saga"] == saga)
        and (step is None or e["step"] == step)
    ]


def assert_counts_add_up(s: dict[str, Any], bookings: int) -> None:
    sagas = s["sagas"]
    assert sagas["stuck"] == 0 and sagas["not_started"] == 0 and sagas["submitted"] == bookings
    assert sagas["completed"] + sagas["compensated"] + sagas["flagged"] == bookings
    if sagas["flagged"] == 0:
        assert s["compensations"]["performed"] == s["compensations"]["expected"]
    for step, inv in s["inventory"].items():
        held = inv["capacity"] - inv["available"]
        assert sagas["completed"] <= held <= sagas["completed"] + sagas["flagged"], step


def assert_all_hold(s: dict[str, Any], bookings: int) -> None:
    assert broken(s) == {}
    assert_counts_add_up(s, bookings)


# --- the built-ins on random parameters --------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    saga=st.sampled_from(sorted(BUILTIN)),
    mode=st.sampled_from(MODES),
    bookings=st.integers(1, 20),
    interarrival=st.sampled_from([0.1, 0.5, 3.0]),
    in_flight=st.integers(1, 4),
    capacities=st.lists(st.integers(0, 12), min_size=8, max_size=8),
    rates=st.lists(rate, min_size=8, max_size=8),
    retries=st.integers(0, 2),
    reply_loss=st.sampled_from([0.0, 0.3]),
    comp_fail=st.sampled_from([0.0, 0.4]),
    attempts=st.integers(1, 6),
    seed=seeds,
)
def test_every_builtin_keeps_every_invariant_in_both_modes(
    saga, mode, bookings, interarrival, in_flight, capacities, rates, retries, reply_loss,
    comp_fail, attempts, seed,
):  # fmt: skip
    steps = BUILTIN[saga].steps
    services = {
        s.name: {"failure_rate": r} | ({"capacity": c} if s.holds else {})
        for s, c, r in zip(steps, capacities, rates, strict=False)
    }
    params = {
        "saga": saga,
        "mode": mode,
        "bookings": bookings,
        "interarrival": interarrival,
        "max_in_flight": in_flight,
        "seed": seed,
        "services": services,
        "retries": retries,
        "reply_loss_rate": reply_loss if mode == "orchestration" else 0.0,
        "idempotent": reply_loss > 0 or retries > 0,
        "compensation_failure_rate": comp_fail,
        "retriable_attempts": attempts,
    }
    s = run_summary(resolve({"params": params}))
    assert broken(s) == {}
    sagas = s["sagas"]
    assert sagas["stuck"] == 0 and sagas["not_started"] == 0
    assert sagas["completed"] + sagas["compensated"] + sagas["flagged"] == bookings


# --- random valid definitions ------------------------------------------------------------


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid saga: 2 to 8 steps, compensatable ones, maybe a pivot, retriable ones after it;
    some steps hold nothing."""
    n = draw(st.integers(2, 8))
    pivot = draw(st.one_of(st.none(), st.integers(0, n - 1)))
    words = ("book", "pay", "ship", "verify", "notify", "reserve")
    steps = []
    for i in range(n):
        kind = "compensatable" if pivot is None or i < pivot else (
            "pivot" if i == pivot else "retriable")  # fmt: skip
        steps.append({
            "name": f"{draw(st.sampled_from(words))}_{i}",
            "service": f"Service {i}",
            "unit": draw(st.sampled_from(["unit", "seat", "parcel"])),
            "capacity": draw(st.one_of(st.none(), st.integers(0, 12))),
            "failure_rate": draw(st.sampled_from([0.0, 0.1, 0.3, 0.6, 1.0])),
            "kind": kind,
        })  # fmt: skip
    return {"name": "random-saga", "steps": steps}


@settings(max_examples=200, deadline=None)
@given(
    definition=definitions(),
    mode=st.sampled_from(MODES),
    bookings=st.integers(1, 15),
    interarrival=st.sampled_from([0.1, 0.5, 3.0]),
    in_flight=st.integers(1, 3),
    seed=seeds,
)
def test_random_definitions_keep_every_invariant_in_both_modes(
    definition, mode, bookings, interarrival, in_flight, seed
):
    saga = check_saga(definition)
    assert [s.kind for s in saga.steps] == sorted((s.kind for s in saga.steps), key=KINDS.index)
    params = {
        "saga": definition,
        "mode": mode,
        "bookings": bookings,
        "interarrival": interarrival,
        "max_in_flight": in_flight,
        "seed": seed,
        "idempotent": True,
        "retriable_attempts": 3,
    }
    trace = run_trace(resolve({"params": params}))
    s = summary_of(trace)
    assert_all_hold(s, bookings)
    assert set(s["inventory"]) == set(saga.holding)
    never_undone = {st.name for st in saga.steps if st.kind != "compensatable" or not st.holds}
    assert not [e for e in of(trace, "compensation.started") if e["step"] in never_undone]
    if mode == "choreography":
        for e in of(trace, "message.published"):
            name = e["event_type"]
            assert name in ("booking_started", "saga_timed_out") or any(
                name == f"{st}_{what}"
                for st in saga.names
                for what in ("booked", "booking_failed", "compensated")
            ), name


# --- the taxonomy ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_pivot_failure_undoes_the_steps_before_it_and_is_never_undone(mode: str) -> None:
    trace = events(mode=mode, bookings=2, plan={"BOOK002": ["charge_card"]})
    s = summary_of(trace)
    assert s["sagas"] | {"submitted": 2} == {
        "completed": 1,
        "compensated": 1,
        "stuck": 0,
        "flagged": 0,
        "not_started": 0,
        "submitted": 2,
    }
    undone = [e["step"] for e in of(trace, "compensation.started", "BOOK002")]
    assert undone == ["reserve_slot"]  # check_address holds nothing: skipped, not undone
    skipped = of(trace, "compensation.skipped", "BOOK002")
    assert [e["step"] for e in skipped] == ["check_address"]
    assert not of(trace, "compensation.started", step="charge_card")
    assert broken(s) == {}


@pytest.mark.parametrize("mode", MODES)
def test_a_committed_pivot_is_never_undone_whatever_fails_after_it(mode: str) -> None:
    deliver = {"capacity": 1000, "failure_rate": 1.0}
    services = {**CALM, "deliver": deliver}
    trace = events(mode=mode, bookings=3, retriable_attempts=2, services=services)
    s = summary_of(trace)
    assert s["sagas"]["flagged"] == 3 and broken(s) == {}
    assert not of(trace, "compensation.started")
    assert s["inventory"]["charge_card"]["available"] == 1000 - 3  # the charges stay taken


@pytest.mark.parametrize("mode", MODES)
def test_a_retriable_step_is_retried_with_doubling_backoff_then_the_saga_is_flagged(
    mode: str,
) -> None:
    services = {**CALM, "cook": {"failure_rate": 1.0}}
    trace = events(mode=mode, bookings=1, services=services, retriable_attempts=4,
                   retriable_backoff=0.5)  # fmt: skip
    tries = [e for e in of(trace, "step.failed", "BOOK001", "cook")]
    assert [e["attempt"] for e in tries] == [1, 2, 3, 4]
    gaps = [round(b["t"] - a["t"], 6) for a, b in zip(tries, tries[1:], strict=False)]
    delay = 0.3 if mode == "orchestration" else 0.0  # the orchestrator asks again over the net
    assert gaps == [round(delay + 0.5 * 2**k, 6) for k in range(3)]
    (flagged,) = of(trace, "saga.flagged", "BOOK001")
    assert "cook kept failing after" in flagged["reason"]
    assert not of(trace, "compensation.started") and not of(trace, "saga.compensating")
    assert broken(summary_of(trace)) == {}


@pytest.mark.parametrize("mode", MODES)
def test_a_retriable_steps_failure_rate_is_per_attempt(mode: str) -> None:
    services = {**CALM, "cook": {"failure_rate": 0.5}}
    trace = events(mode=mode, bookings=300, services=services, retriable_attempts=100,
                   retriable_backoff=0.0, interarrival=1.0)  # fmt: skip
    failed = len(of(trace, "step.failed", step="cook"))
    succeeded = len(of(trace, "step.succeeded", step="cook"))
    assert succeeded == 300  # every saga got through in the end
    share = failed / (failed + succeeded)
    assert 0.42 < share < 0.58, share  # each try fails half the time (300 sagas, seed 1)
    assert summary_of(trace)["sagas"]["completed"] == 300


@pytest.mark.parametrize("mode", MODES)
def test_the_plan_fails_each_step_as_its_kind_says(mode: str) -> None:
    plan = {f"BOOK00{i + 1}": [step] for i, step in enumerate(FOOD_STEPS)}
    trace = events(mode=mode, bookings=5, plan=plan)
    s = summary_of(trace)
    ends = {e["saga"]: e["kind"] for e in trace if e["kind"].startswith("saga.")
            and e["kind"] not in ("saga.started", "saga.compensating")}  # fmt: skip
    assert ends == {
        "BOOK001": "saga.compensated",  # the first step failed: nothing to undo
        "BOOK002": "saga.compensated",
        "BOOK003": "saga.compensated",  # the pivot
        "BOOK004": "saga.completed",  # a retriable step: the plan fails its first try only
        "BOOK005": "saga.completed",
    }
    for saga, step in (("BOOK004", "cook"), ("BOOK005", "deliver")):
        assert [e["attempt"] for e in of(trace, "step.failed", saga, step)] == [1]
        assert [e["attempt"] for e in of(trace, "step.succeeded", saga, step)] == [2]
    assert [e["step"] for e in of(trace, "compensation.started", "BOOK002")] == ["reserve_slot"]
    assert broken(s) == {}


def test_choreography_events_are_named_after_the_steps() -> None:
    trace = events(mode="choreography", bookings=2, plan={"BOOK002": ["charge_card"]})
    assert published(trace, "BOOK001") == ["booking_started"] + [
        f"{step}_booked" for step in FOOD_STEPS
    ]
    assert published(trace, "BOOK002") == [
        "booking_started",
        "reserve_slot_booked",
        "check_address_booked",
        "charge_card_booking_failed",
        "check_address_compensated",  # heard by reserve_slot, which undoes
        "reserve_slot_compensated",
    ]


def test_semantic_lock_preset_against_no_isolation() -> None:
    loose = run_trace(resolve({"preset": "no-isolation"}))
    locked = run_trace(resolve({"preset": "semantic-lock"}))
    assert of(loose, "isolation.anomaly") and not of(locked, "isolation.anomaly")
    assert of(loose, "saga.compensated", "BOOK002")
    assert of(locked, "saga.completed", "BOOK002")
    (wait,) = of(locked, "step.waiting", "BOOK002")
    assert wait["holder"] == "BOOK001" and wait["step"] == "hotel"
    assert broken(summary_of(locked)) == {}


def test_pessimistic_order_needs_fewer_compensations_than_optimistic() -> None:
    optimistic = run_summary(resolve({"preset": "optimistic-order"}))
    pessimistic = run_summary(resolve({"preset": "pessimistic-order"}))
    assert pessimistic["compensations"]["performed"] < optimistic["compensations"]["performed"]
    assert broken(optimistic) == broken(pessimistic) == {}


def test_checkout_pivot_never_refunds_and_no_pivot_does() -> None:
    loose = run_trace(resolve({"preset": "checkout-no-pivot"}))
    pivot = run_trace(resolve({"preset": "checkout-pivot"}))
    after = ("ship", "notify")
    refunded = [e["saga"] for e in of(loose, "saga.compensating") if e["reason"].startswith(after)]
    assert refunded, "no checkout was undone after its payment"
    for saga in refunded:
        assert of(loose, "compensation.skipped", saga, "charge_payment")  # refunded: nothing held
        assert of(loose, "saga.compensated", saga)
    retried = {e["saga"] for e in of(pivot, "step.failed") if e["step"] in after}
    assert retried, "no shipping failed with the pivot"
    for saga in retried:
        assert of(pivot, "saga.completed", saga) or of(pivot, "saga.flagged", saga)
        assert not of(pivot, "compensation.started", saga)
    assert summary_of(pivot)["sagas"]["completed"] > summary_of(loose)["sagas"]["completed"]
    assert broken(summary_of(pivot)) == {}


# --- the food-order saga with every fault ------------------------------------------------

#: name -> (parameters, whether the checker must hold, what the run must show)
FAULTS: dict[str, tuple[dict[str, Any], bool, str]] = {
    "retries, not idempotent": (
        {"mode": "orchestration", "bookings": 10, "retries": 1, "reply_loss_rate": 0.4},
        False, "no_double_booking",
    ),
    "retries, idempotent": (
        {"mode": "orchestration", "bookings": 10, "retries": 1, "reply_loss_rate": 0.4,
         "idempotent": True},
        True, "duplicates_prevented",
    ),
    "compensation failures": (
        {"bookings": 8, "compensation_failure_rate": 0.6, "compensation_retries": 1,
         "plan": {f"BOOK00{i}": ["charge_card"] for i in range(1, 9)}},
        True, "saga.flagged",
    ),
    "orchestrator crash, no log": (
        {"mode": "orchestration", "bookings": 3,
         "orchestrator": {"crash_saga": "BOOK002", "crash_step": "reserve_slot"}},
        False, "no_double_booking",
    ),
    "orchestrator crash, durable log": (
        {"mode": "orchestration", "bookings": 3, "idempotent": True,
         "orchestrator": {"crash_saga": "BOOK002", "crash_step": "charge_card",
                          "durable_log": True}},
        True, "log.replayed",
    ),
    "orchestrator crash at a retriable step, durable log": (
        {"mode": "orchestration", "bookings": 3, "idempotent": True,
         "orchestrator": {"crash_saga": "BOOK002", "crash_step": "cook", "durable_log": True}},
        True, "log.replayed",
    ),
    "choreography crash, no outbox": (
        {"mode": "choreography", "bookings": 3,
         "choreography": {"crash_service": "reserve_slot", "crash_saga": "BOOK002"}},
        False, "nothing_stuck",
    ),
    "choreography crash, outbox": (
        {"mode": "choreography", "bookings": 3,
         "choreography": {"crash_service": "cook", "crash_saga": "BOOK002", "outbox": True}},
        True, "outbox.relayed",
    ),
    "choreography crash, redelivery": (
        {"mode": "choreography", "bookings": 3, "idempotent": True,
         "choreography": {"crash_service": "charge_card", "crash_saga": "BOOK002",
                          "ack_after_commit": True}},
        True, "message.redelivered",
    ),
    "choreography crash, saga timeout": (
        {"mode": "choreography", "bookings": 3,
         "choreography": {"crash_service": "reserve_slot", "crash_saga": "BOOK002",
                          "saga_timeout": 10.0}},
        True, "saga.timed_out",
    ),
    "injected faults, orchestration": (
        {"mode": "orchestration", "bookings": 5, "idempotent": True,
         "orchestrator": {"durable_log": True},
         "faults": [{"t": 3.4, "action": "crash", "actor": "orchestrator"},
                    {"t": 5.0, "action": "restart", "actor": "orchestrator"},
                    {"t": 6.5, "action": "crash", "actor": "cook"},
                    {"t": 8.0, "action": "restart", "actor": "cook"}]},
        True, "actor.crashed",
    ),
    "injected faults, choreography": (
        {"mode": "choreography", "bookings": 5, "idempotent": True,
         "choreography": {"ack_after_commit": True},
         "faults": [{"t": 3.5, "action": "crash", "actor": "charge_card"},
                    {"t": 6.0, "action": "restart", "actor": "charge_card"}]},
        True, "actor.crashed",
    ),
}  # fmt: skip


def shows(trace: list[Event], what: str) -> bool:
    s = summary_of(trace)
    if what in s["invariants"]:
        return not s["invariants"][what]["ok"]
    if what in s:
        return s[what] > 0
    return bool(of(trace, what))


@pytest.mark.parametrize("name", FAULTS)
def test_food_order_with_every_fault(name: str) -> None:
    params, holds, what = FAULTS[name]
    trace = events(**params)
    s = summary_of(trace)
    assert shows(trace, what), f"{name}: the run does not show {what}"
    if holds:
        assert_all_hold(s, params["bookings"])
    else:
        assert broken(s) != {}


@pytest.mark.parametrize("mode", MODES)
def test_food_order_semantic_lock_waits_instead_of_refusing(mode: str) -> None:
    one_slot = {**CALM, "reserve_slot": {"capacity": 1, "failure_rate": 0.0}}
    lesson = {"mode": mode, "bookings": 3, "interarrival": 0.7, "max_in_flight": 2,
              "plan": {"BOOK001": ["charge_card"]}, "services": one_slot}  # fmt: skip
    loose = events(**lesson)
    locked = events(**lesson, semantic_lock=True)
    assert of(loose, "isolation.anomaly", "BOOK002")
    assert of(loose, "saga.compensated", "BOOK002")
    assert not of(locked, "isolation.anomaly")
    assert of(locked, "step.waiting", "BOOK002")
    assert of(locked, "saga.completed", "BOOK002")
    assert broken(summary_of(locked)) == {}


@pytest.mark.parametrize("step", ["cook", "deliver"])
def test_a_saga_timeout_after_the_pivot_flags_the_saga_and_undoes_nothing(step: str) -> None:
    """The monitor saw the pivot commit, so the timeout may not compensate anything: the saga
    is flagged for manual intervention (the crashed step's event never came)."""
    trace = events(mode="choreography", bookings=3, choreography={
        "crash_service": step, "crash_saga": "BOOK002", "saga_timeout": 10.0,
        "restart_after": None})  # fmt: skip
    (flagged,) = of(trace, "saga.flagged", "BOOK002")
    assert (
        flagged["reason"] == "the saga timed out after the pivot committed: nothing may be undone"
    )
    assert not of(trace, "saga.timed_out", "BOOK002")  # its line says "compensating"
    assert not of(trace, "compensation.started", "BOOK002")
    assert "saga_timed_out" not in published(trace, "BOOK002")
    assert broken(summary_of(trace)) == {}


@settings(max_examples=100, deadline=None)
@given(
    seed=seeds,
    bookings=st.integers(1, 10),
    victim=st.integers(1, 10),
    service=st.sampled_from(["reserve_slot", "check_address", "cook", "deliver"]),
    remedy=st.sampled_from(["outbox", "redelivery", "timeout"]),
)
def test_food_order_choreography_remedies_survive_a_crash(seed, bookings, victim, service,
                                                          remedy):  # fmt: skip
    chor: dict[str, Any] = {"crash_service": service,
                            "crash_saga": f"BOOK{min(victim, bookings):03d}"}  # fmt: skip
    chor |= {"outbox": {"outbox": True}, "redelivery": {"ack_after_commit": True},
             "timeout": {"saga_timeout": 10.0}}[remedy]  # fmt: skip
    s = run_summary(resolve({"params": {"saga": FOOD, "mode": "choreography", "seed": seed,
                                        "bookings": bookings, "choreography": chor,
                                        "idempotent": remedy == "redelivery"}}))  # fmt: skip
    assert broken(s) == {}
    assert s["sagas"]["stuck"] == 0


@settings(max_examples=100, deadline=None)
@given(seed=seeds, bookings=st.integers(1, 10), when=st.floats(0.0, 1.0),
       restart=st.floats(0.5, 8.0), in_flight=st.integers(1, 3))  # fmt: skip
def test_food_order_durable_log_survives_any_orchestrator_crash(seed, bookings, when,
                                                                restart, in_flight):  # fmt: skip
    orch = {"crash_at": when * (bookings * 3.0 + 1), "restart_after": restart,
            "durable_log": True}  # fmt: skip
    s = run_summary(resolve({"params": {"saga": FOOD, "seed": seed, "bookings": bookings,
                                        "idempotent": True, "max_in_flight": in_flight,
                                        "orchestrator": orch}}))  # fmt: skip
    assert broken(s) == {}
    assert s["sagas"]["stuck"] == 0


# --- the CLI and the API -----------------------------------------------------------------


def cli(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--saga", str(FOOD_FILE), *args, "--format", "summary"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--mode", "orchestration", "--bookings", "8", "--seed", "3"],
        ["--mode", "choreography", "--bookings", "8", "--seed", "3"],
        ["--bookings", "6", "--set", "idempotent=true", "--set", "orchestrator.durable_log=true",
         "--fault", "3.4:crash:orchestrator", "--fault", "5:restart:orchestrator",
         "--plan", "BOOK002:charge_card,BOOK003:cook"],
        ["--mode", "choreography", "--bookings", "6", "--set", "idempotent=true",
         "--set", "choreography.ack_after_commit=true", "--fault", "3.5:crash:charge_card",
         "--fault", "6:restart:charge_card", "--set", "semantic_lock=true"],
    ],
)  # fmt: skip
def test_food_order_from_the_cli(args: list[str]) -> None:
    s = cli(*args)
    bookings = int(args[args.index("--bookings") + 1])
    assert broken(s) == {}
    assert set(s["inventory"]) == {"reserve_slot", "charge_card", "deliver"}
    assert s["sagas"]["stuck"] == 0 and s["sagas"]["submitted"] == bookings


def test_food_order_cli_prints_its_own_words() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--saga", str(FOOD_FILE), "--bookings", "2",
         "--plan", "BOOK002:charge_card", "--set", "services.cook.failure_rate=0",
         "--set", "services.deliver.failure_rate=0"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    out = done.stdout
    assert "Restaurant Service: Reserving a kitchen slot" in out
    assert "Payment Service: Charge card FAILED - card declined" in out
    assert "Restaurant Service: ✓ Slot released" in out
    assert "Courier Service: ✓ Delivered (remaining: 3)" in out


def api_run(client: FlaskClient, app: Flask, params: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/runs", json={"params": params, "speed": "instant"})
    assert response.status_code == 201, response.json
    run_id = response.json["id"]
    wait_until(run_ended(app, run_id), what="the food-order run to end")
    return client.get(f"/api/runs/{run_id}").json


@pytest.mark.parametrize(
    "name",
    [
        "orchestrator crash, durable log",
        "choreography crash, outbox",
        "injected faults, choreography",
        "retries, idempotent",
    ],
)
def test_food_order_through_the_api_with_an_inline_definition(
    client: FlaskClient, app: Flask, name: str
) -> None:
    params, _, _ = FAULTS[name]
    run = api_run(client, app, food(**params))
    assert run["status"] == "finished"
    assert run["params"]["saga"] == FOOD  # the run stores its whole definition
    assert broken(run["summary"]) == {}
    assert run["summary"] == run_summary(resolve({"params": food(**params)})) | {
        "events": run["summary"]["events"]
    }


def test_api_refuses_a_bad_inline_definition_field_by_field(client: FlaskClient) -> None:
    bad = {**FOOD, "steps": [{**FOOD["steps"][0], "kind": "retriable"}, *FOOD["steps"][1:]]}
    response = client.post("/api/runs", json={"params": {"saga": bad}})
    assert response.status_code == 400
    assert response.json["errors"] == {
        "saga.steps.0.kind": "a retriable step must come after the pivot"
    }
    response = client.post("/api/runs", json={"params": {"saga": FOOD, "services": {
        "car": {"failure_rate": 0.5}}}})  # fmt: skip
    assert response.status_code == 400
    assert "services.car.failure_rate" in response.json["errors"]


def test_an_idempotent_pivot_whose_reply_never_came_is_not_undone() -> None:
    """Asked again up to `retriable_attempts` times, a pivot whose reply never came may have
    committed: the orchestrator may not compensate the steps before it (nothing is undone
    once the pivot may have committed); the saga is flagged for a person to look at."""
    lost_pivots = 0
    for seed in range(30):
        params = {"saga": "checkout", "bookings": 4, "seed": seed, "idempotent": True,
                  "reply_loss_rate": 0.5, "retriable_attempts": 1}  # fmt: skip
        trace = run_trace(resolve({"params": params}))
        for e in of(trace, "step.reply_lost", step="charge_payment"):
            if not of(trace, "step.succeeded", e["saga"], "charge_payment")[-1]["t"] > e["t"]:
                lost_pivots += 1
                assert of(trace, "saga.flagged", e["saga"])
                assert not of(trace, "compensation.started", e["saga"])
        assert broken(summary_of(trace)) == {}, seed
    assert lost_pivots, "no pivot's last reply was lost"


def test_semantic_lock_preset_in_choreography_waits_and_completes() -> None:
    """The hotel service that waits for BOOK001's room is the one that must release it: it
    compensates while it waits (it used to wait for itself until the wait ran out)."""
    locked = run_trace(resolve({"preset": "semantic-lock", "params": {"mode": "choreography"}}))
    assert not of(locked, "isolation.anomaly")
    (wait,) = of(locked, "step.waiting", "BOOK002")
    (booked,) = of(locked, "step.succeeded", "BOOK002", "hotel")
    (released,) = of(locked, "compensation.succeeded", "BOOK001", "hotel")
    assert wait["t"] < released["t"] == booked["t"] < wait["t"] + 1.0
    assert of(locked, "saga.completed", "BOOK002")
    assert broken(summary_of(locked)) == {}


def test_the_readmes_api_calls_store_the_food_order_and_run_it_by_name(
    client: FlaskClient, app: Flask
) -> None:
    """README "Your own saga": POST /api/sagas with the file's definition, then a run by name
    is the run of the inline definition; a built-in's name is a 409, a bad saga a 400."""
    stored = client.post("/api/sagas", json=yaml.safe_load(FOOD_FILE.read_text("utf-8")))
    assert stored.status_code == 201, stored.json
    assert stored.json["saga"] == FOOD and stored.json["token"]
    assert client.post("/api/sagas", json={**FOOD, "name": "travel"}).status_code == 409
    bad = client.post("/api/sagas", json={**FOOD, "steps": FOOD["steps"][:1]})
    assert bad.status_code == 400 and bad.json["errors"] == {"steps": "must list 2 to 8 steps"}
    params = {"bookings": 10, "mode": "choreography", "seed": 3}
    by_name = api_run(client, app, {"saga": "food-order", **params})
    inline = api_run(client, app, {"saga": FOOD, **params})
    assert by_name["params"] == inline["params"] and by_name["summary"] == inline["summary"]
    assert broken(by_name["summary"]) == {}
