"""Exercise 4: the choreography's event flow, and the tutorial's gap."""

from tests.sim_helpers import broken, published, summary_of, trace


def test_event_flow_of_a_successful_booking():
    events = trace("tutorial-choreography", plan={})
    assert published(events, "BOOK001") == [
        "booking_started",
        "flight_booked",
        "hotel_booked",
        "car_booked",
    ]


def test_event_flow_when_the_car_fails_after_flight_and_hotel():
    events = trace("tutorial-choreography", plan={"BOOK001": ["car"]})
    assert published(events, "BOOK001") == [
        "booking_started",
        "flight_booked",
        "hotel_booked",
        "car_booking_failed",
        "hotel_compensated",
        "flight_compensated",
    ]
    undo = [
        (e["step"], e["kind"])
        for e in events
        if e["saga"] == "BOOK001" and e["kind"].startswith("compensation.")
    ]
    assert undo == [
        ("hotel", "compensation.started"),
        ("hotel", "compensation.succeeded"),
        ("flight", "compensation.started"),
        ("flight", "compensation.succeeded"),
    ]


def test_hotel_failure_compensates_the_flight_when_fixed():
    events = trace("tutorial-choreography", plan={"BOOK002": ["hotel"]})
    assert published(events, "BOOK002") == [
        "booking_started",
        "flight_booked",
        "hotel_booking_failed",
        "flight_compensated",
    ]
    assert not broken(summary_of(events))


def test_the_tutorials_gap_leaks_the_seat_and_names_the_saga():
    events = trace("tutorial-choreography-gap")
    summary = summary_of(events)
    assert published(events, "BOOK002") == [
        "booking_started",
        "flight_booked",
        "hotel_booking_failed",
    ]
    assert summary["leaked"]["flight"] == 1
    assert broken(summary) == {"nothing_stuck": ["BOOK002"]}
    stuck = [e for e in events if e["kind"] == "saga.stuck"]
    assert [e["saga"] for e in stuck] == ["BOOK002"]


def test_monitor_reports_each_saga_once():
    events = trace("tutorial-choreography", bookings=12, seed=4)
    ends = [e["saga"] for e in events if e["kind"] in ("saga.completed", "saga.compensated")]
    assert sorted(ends) == [f"BOOK{i:03d}" for i in range(1, 13)]
