"""Property tests: the invariants hold over random parameters, seeds and crash times."""

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.presets import resolve
from sim.runner import run_summary
from tests.sim_helpers import broken

SETTINGS = settings(max_examples=200, deadline=None)
rate = st.floats(0.0, 1.0, allow_nan=False)
seeds = st.integers(0, 2**32)


def service():
    return st.fixed_dictionaries({"capacity": st.integers(0, 12), "failure_rate": rate})


def summary(preset: str | None, params: dict) -> dict:
    return run_summary(resolve({"preset": preset, "params": params}))


def assert_all_hold(s: dict, bookings: int) -> None:
    assert broken(s) == {}
    assert s["sagas"]["stuck"] == 0 and s["sagas"]["not_started"] == 0
    ended = s["sagas"]["completed"] + s["sagas"]["compensated"] + s["sagas"]["flagged"]
    assert ended == bookings
    assert (
        s["compensations"]["performed"] == s["compensations"]["expected"]
        or s["sagas"]["flagged"] > 0
    )
    for step, inv in s["inventory"].items():
        assert 0 <= inv["available"] <= inv["capacity"], step


@SETTINGS
@given(
    mode=st.sampled_from(["orchestration", "choreography"]),
    bookings=st.integers(1, 25),
    interarrival=st.sampled_from([0.1, 0.5, 3.0]),
    in_flight=st.integers(1, 4),
    flight=service(),
    hotel=service(),
    car=service(),
    retries=st.integers(0, 2),
    reply_loss=st.sampled_from([0.0, 0.3]),
    comp_fail=st.sampled_from([0.0, 0.4]),
    seed=seeds,
)
def test_every_invariant_holds_in_the_correct_modes(
    mode,
    bookings,
    interarrival,
    in_flight,
    flight,
    hotel,
    car,
    retries,
    reply_loss,
    comp_fail,
    seed,
):
    params = {
        "mode": mode,
        "bookings": bookings,
        "interarrival": interarrival,
        "seed": seed,
        "max_in_flight": in_flight,
        "services": {"flight": flight, "hotel": hotel, "car": car},
        "retries": retries,
        "reply_loss_rate": reply_loss if mode == "orchestration" else 0.0,
        "idempotent": reply_loss > 0 or retries > 0,
        "compensation_failure_rate": comp_fail,
    }
    assert_all_hold(summary(None, params), bookings)


@SETTINGS
@given(seed=seeds, bookings=st.integers(2, 12), victim=st.integers(1, 12))
def test_the_gap_leaks_a_seat_whenever_a_hotel_fails_after_the_flight(seed, bookings, victim):
    victim = min(victim, bookings)
    saga = f"BOOK{victim:03d}"
    params = {
        "bookings": bookings,
        "seed": seed,
        "until": None,
        "plan": {saga: ["hotel"]},
        "services": {"flight": {"capacity": 50}, "hotel": {"capacity": 50}},
    }
    s = summary("tutorial-choreography-gap", params)
    assert s["leaked"]["flight"] == 1
    assert s["invariants"]["nothing_stuck"]["sagas"] == [saga]


@SETTINGS
@given(
    seed=seeds,
    bookings=st.integers(1, 12),
    when=st.floats(0.0, 1.0),
    restart=st.floats(0.5, 10.0),
    in_flight=st.integers(1, 3),
    randomly=st.booleans(),
)
def test_durable_log_with_idempotent_services_survives_any_crash(
    seed,
    bookings,
    when,
    restart,
    in_flight,
    randomly,
):
    # a crash time while sagas are in flight: anywhere up to the last arrival and a bit
    crash = {"crash_random": True} if randomly else {"crash_at": when * (bookings * 3.0 + 1)}
    params = {
        "seed": seed,
        "bookings": bookings,
        "plan": {},
        "max_in_flight": in_flight,
        "orchestrator": {**crash, "crash_saga": None, "restart_after": restart},
    }
    assert_all_hold(summary("orchestrator-crash-durable-log", params), bookings)


@SETTINGS
@given(
    seed=seeds,
    bookings=st.integers(1, 12),
    victim=st.integers(1, 12),
    service=st.sampled_from(["flight", "hotel"]),
    remedy=st.sampled_from(
        [
            "choreography-crash-outbox",
            "choreography-crash-redelivery",
            "choreography-crash-saga-timeout",
        ]
    ),
)
def test_choreography_remedies_survive_a_crash_between_commit_and_publish(
    seed,
    bookings,
    victim,
    service,
    remedy,
):
    saga = f"BOOK{min(victim, bookings):03d}"
    params = {
        "seed": seed,
        "bookings": bookings,
        "choreography": {"crash_service": service, "crash_saga": saga},
    }
    assert_all_hold(summary(remedy, params), bookings)


@SETTINGS
@given(seed=seeds, bookings=st.integers(1, 20))
def test_retries_with_idempotent_services_never_double_book(seed, bookings):
    s = summary("retry-idempotent", {"seed": seed, "bookings": bookings})
    assert_all_hold(s, bookings)
