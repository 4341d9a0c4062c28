"""The tutorial's saga as data: flight, hotel and car, in its own words, and the parameters
its runs were stored with before sagas were data."""

from __future__ import annotations

from typing import Any

from sim.saga.definition import Saga


def _travel_words(step: str, item: str, unit: str, units: str, error: str) -> dict[str, str]:
    """The tutorial's own words for one of its services (its console log, line for line)."""
    noun = step.capitalize()
    return {
        "action": f"book_{step}",
        "request": f"Booking {item}",
        "failed": "Booking FAILED",
        "done": f"{noun} booked",
        "undone": f"{noun} canceled",
        "units": units,
        "label": "Cars" if step == "car" else f"{noun} {units}",
        "error": error,
        "sold_out": f"no {units}",
        "short": {"flight": "flt", "hotel": "htl"}.get(step, step),
    }


TRAVEL: dict[str, Any] = {
    "name": "travel",
    "title": "Travel booking (the tutorial)",
    "description": "The tutorial's saga: book a flight seat, a hotel room and a rental car. The "
    "car is the pivot: when it fails the hotel and the flight are undone, in reverse order.",
    "steps": [
        {"name": "flight", "service": "FlightService", "unit": "seat", "capacity": 10,
         "failure_rate": 0.10, "kind": "compensatable",
         "words": _travel_words("flight", "flight FL123", "seat", "seats", "system error")},
        {"name": "hotel", "service": "HotelService", "unit": "room", "capacity": 5,
         "failure_rate": 0.15, "kind": "compensatable",
         "words": _travel_words("hotel", "hotel HTL456", "room", "rooms", "no rooms")},
        {"name": "car", "service": "CarRentalService", "unit": "car", "capacity": 3,
         "failure_rate": 0.30, "kind": "pivot",
         "words": _travel_words("car", "car CAR789", "car", "cars", "no cars")},
    ],
}  # fmt: skip


def upgrade_legacy(raw: dict[str, Any], saga: Saga) -> dict[str, Any]:
    """Travel parameters as they were stored before sagas were data: the tutorial's gap was
    `choreography.compensate_on_hotel_failure: false` (now `unheard_failure: "hotel"`)."""
    chor = raw.get("choreography")
    if saga.name != "travel" or not isinstance(chor, dict):
        return raw
    if "compensate_on_hotel_failure" not in chor:
        return raw
    chor = dict(chor)
    listens = chor.pop("compensate_on_hotel_failure")
    if listens is False:
        chor.setdefault("unheard_failure", "hotel")
    elif listens is not True:
        chor["compensate_on_hotel_failure"] = listens  # left for the schema to refuse
    return {**raw, "choreography": chor}
