"""The built-in sagas: the tutorial's travel booking, Richardson's Create Order, a checkout."""

from __future__ import annotations

from typing import Any

from sim.saga.definition import Saga
from sim.saga.rules import check_saga


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

CREATE_ORDER: dict[str, Any] = {
    "name": "create-order",
    "title": "Create Order (Microservices Patterns)",
    "description": "Chris Richardson's Create Order saga: an order is created pending, the "
    "consumer verified (a check that holds nothing), a kitchen ticket created; authorizing the "
    "card is the pivot, and approving the ticket and the order are retried until they succeed.",
    "steps": [
        {"name": "create_order", "service": "Order Service", "unit": "order", "capacity": 20,
         "failure_rate": 0.02, "kind": "compensatable",
         "words": {"request": "Creating order", "done": "Order created (pending)",
                   "undone": "Order rejected", "error": "order refused",
                   "failed": "Create order FAILED"}},
        {"name": "verify_consumer", "service": "Consumer Service", "unit": "check",
         "capacity": None, "failure_rate": 0.05, "kind": "compensatable",
         "words": {"request": "Verifying consumer", "done": "Consumer verified",
                   "error": "consumer not verified", "failed": "Verification FAILED"}},
        {"name": "create_ticket", "service": "Kitchen Service", "unit": "ticket", "capacity": 8,
         "failure_rate": 0.10, "kind": "compensatable",
         "words": {"request": "Creating ticket", "done": "Ticket created",
                   "undone": "Ticket rejected", "error": "kitchen refused",
                   "failed": "Create ticket FAILED", "sold_out": "kitchen full"}},
        {"name": "authorize_card", "service": "Accounting Service", "unit": "authorization",
         "capacity": None, "failure_rate": 0.15, "kind": "pivot",
         "words": {"request": "Authorizing card", "done": "Card authorized",
                   "error": "card declined", "failed": "Authorization FAILED"}},
        {"name": "approve_ticket", "service": "Kitchen Service", "unit": "approval",
         "capacity": None, "failure_rate": 0.10, "kind": "retriable",
         "words": {"request": "Approving ticket", "done": "Ticket approved",
                   "failed": "Approve ticket FAILED", "error": "kitchen busy"}},
        {"name": "approve_order", "service": "Order Service", "unit": "approval",
         "capacity": None, "failure_rate": 0.05, "kind": "retriable",
         "words": {"request": "Approving order", "done": "Order approved",
                   "failed": "Approve order FAILED", "error": "order service busy"}},
    ],
}  # fmt: skip

CHECKOUT: dict[str, Any] = {
    "name": "checkout",
    "title": "Online shop checkout",
    "description": "Reserve the stock, charge the payment (the pivot: once the money is "
    "taken the order goes through), then ship and notify, retried until they succeed.",
    "steps": [
        {"name": "reserve_stock", "service": "Inventory Service", "unit": "item",
         "capacity": 10, "failure_rate": 0.05, "kind": "compensatable",
         "words": {"request": "Reserving stock", "done": "Stock reserved",
                   "undone": "Stock released", "sold_out": "out of stock"}},
        {"name": "charge_payment", "service": "Payment Service", "unit": "charge",
         "capacity": None, "failure_rate": 0.15, "kind": "pivot",
         "words": {"request": "Charging payment", "done": "Payment charged",
                   "undone": "Payment refunded", "error": "payment declined"}},
        {"name": "ship", "service": "Shipping Service", "unit": "courier", "capacity": None,
         "failure_rate": 0.25, "kind": "retriable",
         "words": {"request": "Shipping parcel", "done": "Parcel shipped",
                   "undone": "Shipment recalled", "error": "no courier"}},
        {"name": "notify", "service": "Notification Service", "unit": "email",
         "capacity": None, "failure_rate": 0.10, "kind": "retriable",
         "words": {"request": "Sending confirmation", "done": "Confirmation sent",
                   "undone": "Confirmation withdrawn", "error": "mail server down"}},
    ],
}  # fmt: skip

BUILTIN: dict[str, Saga] = {s["name"]: check_saga(s) for s in (TRAVEL, CREATE_ORDER, CHECKOUT)}
DEFAULT_SAGA = "travel"


def builtin(name: str) -> Saga | None:
    return BUILTIN.get(name)


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
