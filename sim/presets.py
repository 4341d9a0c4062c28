"""Named scenarios: each preset's parameters and what a class should look for in it."""

from __future__ import annotations

from typing import Any

from sim.params import ParamsError, RunParams, deep_merge, validate
from sim.saga.builtin import CHECKOUT
from sim.saga.order import reorder
from sim.saga.travel import TRAVEL

TUTORIAL_PLAN = {
    "BOOK002": ["flight"],
    "BOOK003": ["flight"],
    "BOOK004": ["car"],
    "BOOK005": ["car"],
}

#: the orchestrator crashes right after the hotel committed BOOK002, back 5 s later
ORCHESTRATOR_CRASH = {
    "crash_saga": "BOOK002",
    "crash_step": "hotel",
    "crash_phase": "after_commit",
    "restart_after": 5.0,
}
#: the hotel service crashes after booking BOOK002's room, before publishing; back 5 s later
HOTEL_CRASH = {"crash_service": "hotel", "crash_saga": "BOOK002", "restart_after": 5.0}


def _reordered(saga: dict[str, Any], name: str, title: str, order: list[str]) -> dict:
    """A built-in saga under another name, its steps in another order or of other kinds."""
    return {**reorder(saga, order), "name": name, "title": title}


#: the tutorial's saga with the step most likely to fail first (car 30%, hotel 15%, flight 10%)
PESSIMISTIC_TRAVEL = _reordered(
    TRAVEL,
    "travel-pessimistic",
    "Travel booking, the likeliest failure first",
    ["car:compensatable", "hotel", "flight:pivot"],
)
#: the checkout with no pivot: every step can be undone, so a shipping failure refunds the order
CHECKOUT_NO_PIVOT = _reordered(
    CHECKOUT,
    "checkout-no-pivot",
    "Checkout without a pivot",
    [f"{s['name']}:compensatable" for s in CHECKOUT["steps"]],
)
#: plenty of inventory, so that only failure rates decide how sagas end
ROOMY_TRAVEL = {s["name"]: {"capacity": 1000} for s in TRAVEL["steps"]}


#: two sagas in flight, one hotel room, BOOK001's car fails: the isolation lesson
TWO_IN_FLIGHT_ONE_ROOM: dict[str, Any] = {
    "mode": "orchestration",
    "bookings": 4,
    "interarrival": 0.4,
    "max_in_flight": 2,
    "plan": {"BOOK001": ["car"]},
    "services": {"hotel": {"capacity": 1}},
}


def _orchestrator_crash(durable_log: bool, idempotent: bool) -> dict[str, Any]:
    """The orchestrator-crash scenarios: 5 bookings, BOOK004's car fails, the crash above."""
    return {
        "mode": "orchestration",
        "bookings": 5,
        "plan": {"BOOK004": ["car"]},
        "idempotent": idempotent,
        "orchestrator": {**ORCHESTRATOR_CRASH, "durable_log": durable_log},
    }


PRESETS: dict[str, dict[str, Any]] = {
    "tutorial": {
        "description": "The tutorial's orchestration run: 5 bookings, one every 3 s, until 40. "
        "Watch a car failure undo the hotel first, then the flight.",
        "params": {"mode": "orchestration", "bookings": 5, "until": 40.0},
    },
    "tutorial-choreography": {
        "description": "The same bookings choreographed on an event bus, with the hotel's "
        "failure fixed: every failure is compensated by events alone.",
        "params": {"mode": "choreography", "bookings": 5, "until": 40.0},
    },
    "tutorial-choreography-gap": {
        "description": "The tutorial's choreography as written: nobody listens to "
        "hotel_booking_failed, so when BOOK002's hotel fails its flight seat leaks and the "
        "saga never ends. Look for the stuck saga holding a seat.",
        "params": {
            "mode": "choreography",
            "bookings": 5,
            "until": 40.0,
            "plan": {"BOOK002": ["hotel"]},
            "choreography": {"unheard_failure": "hotel"},
        },
    },
    "wrong-compensation-order": {
        "description": "Exercise 2: compensations run in forward order. The hotel reservation "
        "is found through the flight booking, so cancelling the flight first leaves the hotel "
        "saying 'No booking to cancel': BOOK004 and BOOK005 leak a room.",
        "params": {
            "mode": "orchestration",
            "bookings": 5,
            "until": 40.0,
            "compensation_order": "forward",
            "plan": TUTORIAL_PLAN,
        },
    },
    "right-compensation-order": {
        "description": "The remedy for exercise 2: the same failures undone in reverse order. "
        "Each compensation still finds what it needs; no room leaks.",
        "params": {
            "mode": "orchestration",
            "bookings": 5,
            "until": 40.0,
            "compensation_order": "reverse",
            "plan": TUTORIAL_PLAN,
        },
    },
    "retry-not-idempotent": {
        "description": "Exercise 3: replies get lost after the service committed and the "
        "orchestrator retries. The services are not idempotent, so a retry books a second "
        "unit for the same saga: watch the double bookings and leaked units.",
        "params": {
            "mode": "orchestration",
            "bookings": 10,
            "retries": 1,
            "reply_loss_rate": 0.3,
            "idempotent": False,
        },
    },
    "retry-idempotent": {
        "description": "The remedy for exercise 3: the same lost replies, but services keyed by "
        "booking id answer a retry with the first result, and a step whose reply was lost is "
        "compensated too. Duplicates are prevented; nothing leaks.",
        "params": {
            "mode": "orchestration",
            "bookings": 10,
            "retries": 1,
            "reply_loss_rate": 0.3,
            "idempotent": True,
        },
    },
    "car-no-retry": {
        "description": "Exercise 3's baseline: 40 bookings, plenty of inventory, the car fails "
        "30% of the time and is not retried. Compare the completed count with car-retry.",
        "params": {
            "mode": "orchestration",
            "bookings": 40,
            "seed": 3,
            "services": {
                "flight": {"capacity": 100},
                "hotel": {"capacity": 100},
                "car": {"capacity": 100},
            },
        },
    },
    "car-retry": {
        "description": "Exercise 3: the same 40 bookings with one retry of the car step. More "
        "sagas complete (about 0.9 x 0.85 x 0.91 instead of 0.9 x 0.85 x 0.7).",
        "params": {
            "mode": "orchestration",
            "bookings": 40,
            "seed": 3,
            "retries": 1,
            "retry_steps": ["car"],
            "services": {
                "flight": {"capacity": 100},
                "hotel": {"capacity": 100},
                "car": {"capacity": 100},
            },
        },
    },
    "orchestrator-crash-no-log": {
        "description": "Objective 4: the orchestrator crashes right after the hotel committed "
        "BOOK002 and restarts 5 s later. With no saga log it starts BOOK002 over from scratch: "
        "the flight and hotel are booked twice.",
        "params": _orchestrator_crash(durable_log=False, idempotent=False),
    },
    "orchestrator-crash-durable-log": {
        "description": "The remedy: the orchestrator writes each saga's state to a durable log "
        "before every step, reads it back on restart and resumes BOOK002 at the hotel; the "
        "idempotent hotel answers the repeated request with the first booking.",
        "params": _orchestrator_crash(durable_log=True, idempotent=True),
    },
    "orchestrator-crash-log-not-idempotent": {
        "description": "What the log alone does not cover: the crash falls after the hotel "
        "committed but before the log recorded it. On restart the log says 'hotel requested', "
        "the request is sent again, and a hotel that is not idempotent books a second room.",
        "params": _orchestrator_crash(durable_log=True, idempotent=False),
    },
    "choreography-crash-no-outbox": {
        "description": "Exercise 5: the hotel service crashes after booking BOOK002's room but "
        "before publishing hotel_booked. It restarts, but the event is gone: the saga is stuck, "
        "the flight is never compensated and the room stays taken.",
        "params": {"mode": "choreography", "bookings": 5, "choreography": HOTEL_CRASH},
    },
    "choreography-crash-outbox": {
        "description": "Remedy: a transactional outbox. hotel_booked was written in the same "
        "local transaction as the room; after the restart the relay publishes it and BOOK002 "
        "carries on.",
        "params": {
            "mode": "choreography",
            "bookings": 5,
            "choreography": {**HOTEL_CRASH, "outbox": True},
        },
    },
    "choreography-crash-redelivery": {
        "description": "Remedy: the hotel acknowledges flight_booked only after its commit and "
        "publish. The unacknowledged event is redelivered; the idempotent hotel finds the room "
        "already booked and publishes hotel_booked.",
        "params": {
            "mode": "choreography",
            "bookings": 5,
            "idempotent": True,
            "choreography": {**HOTEL_CRASH, "ack_after_commit": True},
        },
    },
    "choreography-crash-saga-timeout": {
        "description": "Remedy: a saga timeout. BOOK002 has not ended 10 s after it started, so "
        "saga_timed_out is published; the hotel cancels its room and the flight its seat, in "
        "reverse order.",
        "params": {
            "mode": "choreography",
            "bookings": 5,
            "choreography": {**HOTEL_CRASH, "saga_timeout": 10.0},
        },
    },
    "compensation-fails": {
        "description": "Compensations fail half the time; each is retried with doubling backoff "
        "(0.5 s, 1 s). A saga whose compensation keeps failing is flagged for manual "
        "intervention, never silently dropped.",
        "params": {
            "mode": "orchestration",
            "bookings": 8,
            "seed": 2,
            "compensation_failure_rate": 0.6,
            "compensation_retries": 2,
            "plan": {
                "BOOK001": ["car"],
                "BOOK003": ["car"],
                "BOOK005": ["car"],
                "BOOK007": ["car"],
            },
        },
    },
    "no-isolation": {
        "description": "Sagas are not isolated: with two in flight and one hotel room, BOOK002 "
        "is refused the room that BOOK001 still holds while BOOK001 is being compensated a "
        "moment later.",
        "params": TWO_IN_FLIGHT_ONE_ROOM,
    },
    "semantic-lock": {
        "description": "The remedy for no-isolation: a semantic lock. BOOK001's room is marked "
        "pending while its saga runs; BOOK002 waits for BOOK001 to end instead of being "
        "refused, and gets the room when BOOK001's compensation releases it.",
        "params": {**TWO_IN_FLIGHT_ONE_ROOM, "semantic_lock": True},
    },
    "optimistic-order": {
        "description": "The tutorial's order puts the likeliest failure last: the car fails 30% "
        "of the time after the flight and the hotel were booked. Count the compensations and "
        "compare with pessimistic-order.",
        "params": {"bookings": 30, "seed": 4, "interarrival": 1.0, "services": ROOMY_TRAVEL},
    },
    "pessimistic-order": {
        "description": "The pessimistic order (a countermeasure for the lack of isolation): the "
        "step most likely to fail comes first. The same 30 bookings need far fewer "
        "compensations, and fewer units are held by sagas that will fail.",
        "params": {
            "saga": PESSIMISTIC_TRAVEL,
            "bookings": 30,
            "seed": 4,
            "interarrival": 1.0,
            "services": ROOMY_TRAVEL,
        },
    },
    "checkout-no-pivot": {
        "description": "A checkout where every step can be undone: when shipping fails, the "
        "payment is refunded and the stock released, though the order could still go through. "
        "Count the compensated sagas.",
        "params": {"saga": CHECKOUT_NO_PIVOT, "bookings": 12, "seed": 3, "interarrival": 2.0},
    },
    "checkout-pivot": {
        "description": "The remedy: charging the payment is the pivot. Once it commits, shipping "
        "and the confirmation are retriable: a failure is tried again with backoff until it "
        "succeeds, and nothing after the pivot is ever compensated.",
        "params": {"saga": "checkout", "bookings": 12, "seed": 3, "interarrival": 2.0},
    },
    "create-order": {
        "description": "Richardson's Create Order saga: verify consumer holds nothing, "
        "authorize card is the pivot, the approvals after it are retried until they succeed. "
        "Watch a card refusal undo the ticket and the order, and an approval retried.",
        "params": {
            "saga": "create-order",
            "bookings": 6,
            "seed": 2,
            "interarrival": 2.5,
            "plan": {"BOOK002": ["authorize_card"], "BOOK004": ["approve_ticket"]},
        },
    },
    "create-order-choreography": {
        "description": "The same saga choreographed: every service reacts to the previous "
        "step's event; the failure of authorize_card is heard by the kitchen, whose "
        "create_ticket_compensated is heard by the consumer check and then the order service.",
        "params": {
            "saga": "create-order",
            "mode": "choreography",
            "bookings": 6,
            "seed": 2,
            "interarrival": 2.5,
            "plan": {"BOOK002": ["authorize_card"]},
        },
    },  # fmt: skip
}


#: a preset that shows a failure -> the preset that shows its remedy (README's lessons table)
REMEDIES: dict[str, str] = {
    "tutorial-choreography-gap": "tutorial-choreography",
    "wrong-compensation-order": "right-compensation-order",
    "retry-not-idempotent": "retry-idempotent",
    "car-no-retry": "car-retry",
    "orchestrator-crash-no-log": "orchestrator-crash-durable-log",
    "orchestrator-crash-log-not-idempotent": "orchestrator-crash-durable-log",
    "choreography-crash-no-outbox": "choreography-crash-outbox",
    "no-isolation": "semantic-lock",
    "optimistic-order": "pessimistic-order",
    "checkout-no-pivot": "checkout-pivot",
}


def resolve(request: dict[str, Any]) -> RunParams:
    """Validate `{"preset": name?, "params": {...}?}`: the preset's values, then the overrides."""
    if not isinstance(request, dict):
        raise ParamsError({"params": "must be a JSON object"})
    name = request.get("preset")
    overrides = request.get("params") or {}
    if not isinstance(overrides, dict):
        raise ParamsError({"params": "must be a JSON object"})
    base: dict[str, Any] = {}
    if name is not None:
        if not isinstance(name, str) or name not in PRESETS:
            raise ParamsError({"preset": "must be one of " + ", ".join(PRESETS)})
        base = PRESETS[name]["params"]
    merged = deep_merge(base, overrides)
    if "plan" in overrides:
        merged["plan"] = overrides["plan"]
    return validate(merged)
