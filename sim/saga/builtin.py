"""The built-in sagas: the tutorial's travel booking, Richardson's Create Order, a checkout."""

from __future__ import annotations

from typing import Any

from sim.saga.definition import Saga
from sim.saga.rules import check_saga
from sim.saga.travel import TRAVEL

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
