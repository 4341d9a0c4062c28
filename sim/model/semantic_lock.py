"""The semantic lock (Richardson's countermeasure): a unit held by a saga that has not ended is
pending, and a step that needs it waits for that saga to end instead of being refused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sim.kernel import call_at

if TYPE_CHECKING:
    from sim.fiber import Fiber
    from sim.model.service import InventoryService


async def wait_for_pending(
    fiber: Fiber,
    service: InventoryService,
    saga: str,
    actor: str,
    wait: float,
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """While the last unit of `service` is pending for another saga, wait for it to be
    released or for that saga to end, `wait` simulated seconds in all; each holder waited for
    is a `step.waiting` event. Returns when the step may be tried (it may still be refused).
    `meanwhile()` runs before each wait and after any wake-up (a choreographed service
    compensates while it waits: the unit it waits for may be its own to release)."""
    env, tracer = fiber.env, service.tracer
    deadline = env.now + wait
    holder = service.pending_holder(saga)
    told = None
    while holder is not None and env.now < deadline:
        if holder != told:
            tracer.emit("step.waiting", saga, actor, service.step, holder=holder)
            told = holder
        if meanwhile is not None:
            await meanwhile()
            holder = service.pending_holder(saga)
            if holder is None or env.now >= deadline:
                return
        generation = service.releases

        def expire(generation: int = generation) -> None:
            if service.releases == generation and fiber in service.waiters:
                service.waiters.remove(fiber)
                fiber.wake("timeout")

        call_at(env, deadline, expire)
        if await fiber.park_in(service.waiters) == "timeout":
            return
        holder = service.pending_holder(saga)
