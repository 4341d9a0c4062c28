"""Built-in experiments that answer the tutorial's exercises in numbers."""

from __future__ import annotations

from typing import Any

from sim.trace.vocabulary import STEPS

#: capacities too large to run out, so the failure rates alone decide the outcome
ROOMY = {s: {"capacity": 10_000} for s in STEPS}
CAR_SWEEP = {"param": "services.car.failure_rate", "from": 0, "to": 0.6, "step": 0.1}

EXPERIMENTS: dict[str, dict[str, Any]] = {
    "exercise-1": {
        "title": "Exercise 1: how often does the car step fail?",
        "description": (
            "The tutorial's five bookings, car failure rate 0 to 0.6. Look at the share of "
            "compensated sagas, and at compensations performed against completed forward "
            "steps: the two lines must lie on top of each other."
        ),
        "spec": {
            "base": {"preset": "tutorial", "params": {}},
            "sweep": CAR_SWEEP,
            "factor": None,
            "replications": 200,
            "seed": 1,
        },
    },
    "exercise-3-retry": {
        "title": "Exercise 3: one retry of the car step",
        "description": (
            "Twenty bookings with rooms to spare; no retry against one retry of the car. "
            "The retry raises the success rate; a car failing at rate r still fails twice "
            "with probability r squared."
        ),
        "spec": {
            "base": {
                "preset": None,
                "params": {"bookings": 20, "services": ROOMY, "retry_steps": ["car"]},
            },
            "sweep": CAR_SWEEP,
            "factor": {"param": "retries", "levels": [0, 1]},
            "replications": 100,
            "seed": 1,
        },
    },  # fmt: skip
    "exercise-3-idempotency": {
        "title": "Exercise 3: retries without idempotency book twice",
        "description": (
            "One retry of every step, and a tenth of the replies are lost after the service "
            "committed. Without idempotent services the retry books a second unit and "
            "no_double_booking breaks; with idempotency the service recognises the retry "
            "(duplicates prevented) and the violations vanish."
        ),
        "spec": {
            "base": {
                "preset": None,
                "params": {"bookings": 20, "services": ROOMY, "retries": 1, "reply_loss_rate": 0.1},
            },
            "sweep": CAR_SWEEP,
            "factor": {"param": "idempotent", "levels": [False, True]},
            "replications": 100,
            "seed": 1,
        },
    },  # fmt: skip
    "pessimistic-order": {
        "title": "The pessimistic order: the likeliest failure first",
        "description": (
            "The optimistic-order preset's 30 bookings, rooms to spare: travel as the tutorial "
            "orders it (the car, likeliest to fail, last) against the pessimistic order (the "
            "car first, the flight the pivot), car failure rate 0 to 0.6. Both complete the "
            "same share of sagas. Once the car is the likeliest failure (above the hotel's "
            "0.15) the pessimistic order needs fewer compensations per run, and the gap grows "
            "with the car's failure rate."
        ),
        "spec": {
            "base": {"preset": "optimistic-order", "params": {}},
            "sweep": CAR_SWEEP,
            "factor": {
                "param": "order",
                "levels": [
                    ["flight", "hotel", "car"],
                    ["car:compensatable", "hotel", "flight:pivot"],
                ],
            },
            "replications": 100,
            "seed": 1,
        },
    },  # fmt: skip
    "orchestration-vs-choreography": {
        "title": "Orchestration against choreography across car failure rates",
        "description": (
            "The same twenty bookings driven by an orchestrator and by events on a bus. "
            "Without faults both should complete the same share of sagas."
        ),
        "spec": {
            "base": {"preset": None, "params": {"bookings": 20, "services": ROOMY}},
            "sweep": CAR_SWEEP,
            "factor": {"param": "mode", "levels": ["orchestration", "choreography"]},
            "replications": 100,
            "seed": 1,
        },
    },
}
