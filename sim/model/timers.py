"""Plain callbacks at a simulated time, for crashes, restarts, redeliveries and timeouts."""

from __future__ import annotations

from collections.abc import Callable

from asimpy import Environment


def call_at(env: Environment, when: float, callback: Callable[[], object]) -> None:
    """Run `callback` at simulated time `when`, with the clock already showing `when`.

    (asimpy moves its clock after a scheduled callback returns, so the callback sets it.)
    """

    def fire() -> None:
        if when > env._now:
            env._now = when
        callback()

    env.schedule(when, fire)
