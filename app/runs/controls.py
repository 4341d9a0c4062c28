"""`control_run`: check the message and the token, then pause, resume, step, ... a live run."""

from __future__ import annotations

from typing import Any

from app.inputs import TOKEN_PROBLEM, token_shaped
from app.runs.breakpoints import parse_breakpoints
from app.runs.controlled import ControlledRun
from app.runs.manager import RunManager
from app.runs.request import RequestError, bookings_limit_error, parse_speed
from sim.faults import FAULT_ACTIONS

ACTIONS = ("pause", "resume", "step", "speed", "stop", "inject", "breakpoints")


class ControlError(ValueError):
    """A control message that cannot be carried out; the message says why."""


def apply_control(manager: RunManager, data: Any) -> dict[str, Any]:
    """Carry out one control message; return extra ack fields or raise ControlError."""
    if not isinstance(data, dict):
        raise ControlError('control_run takes an object {"run_id", "token", "action", ...}')
    run_id = data.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise ControlError("run_id is required")
    run = manager.get(run_id)
    if run is None:
        stored = manager.store.get_run(run_id)
        if stored is None:
            raise ControlError(f"no run with id {run_id!r}")
        raise ControlError(f"the run has ended ({stored['status']}): it takes no more controls")
    token = data.get("token")
    if isinstance(token, str) and not token_shaped(token):
        raise ControlError(f"token: {TOKEN_PROBLEM}")
    if not manager.check_token(run, token):
        raise ControlError("only the holder of this run's control token may control it")
    action = data.get("action")
    try:
        return _dispatch(manager, run, action, data)
    except RequestError as exc:
        raise ControlError("; ".join(exc.errors.values())) from None
    except ValueError as exc:
        raise ControlError(str(exc)) from None


def _dispatch(
    manager: RunManager, run: ControlledRun, action: Any, data: dict[str, Any]
) -> dict[str, Any]:
    if action == "pause":
        run.pause()
    elif action == "resume":
        run.resume()
    elif action == "step":
        return {"events": run.step()}
    elif action == "speed":
        if "speed" not in data:
            raise ControlError(
                'action "speed" needs "speed": a number from 0.1 to 1000 or "instant"'
            )
        speed = parse_speed(data["speed"])
        problem = bookings_limit_error(run.bookings, speed, manager.config)
        if problem:
            raise ControlError(f"this run has {run.bookings:,} bookings: {problem}")
        run.set_speed(speed)
    elif action == "stop":
        run.stop()
    elif action == "inject":
        run.inject(parse_fault(data.get("fault")))
    elif action == "breakpoints":
        if "breakpoints" not in data:
            raise ControlError('action "breakpoints" needs "breakpoints": a list of names')
        try:
            run.set_breakpoints(parse_breakpoints(data["breakpoints"]))
        except ValueError as exc:
            raise ControlError(f"breakpoints {exc}") from None
    else:
        raise ControlError("action must be one of " + ", ".join(ACTIONS))
    return {}


def parse_fault(fault: Any) -> dict[str, str]:
    """A fault is {"action": "crash" | "restart", "actor": "orchestrator" | a step}; the run's
    simulation says which actors its saga has (a ValueError naming them)."""
    if not isinstance(fault, dict):
        raise ControlError(
            'action "inject" needs "fault": {"action": "crash" | "restart", '
            '"actor": "orchestrator" or a step of the run\'s saga}'
        )
    if fault.get("action") not in FAULT_ACTIONS:
        raise ControlError("fault.action must be one of " + ", ".join(FAULT_ACTIONS))
    if not isinstance(fault.get("actor"), str):
        raise ControlError("fault.actor must be orchestrator or a step of the run's saga")
    extra = set(fault) - {"action", "actor"}
    if extra:
        raise ControlError("fault has unknown fields: " + ", ".join(sorted(map(str, extra))))
    return {"action": fault["action"], "actor": fault["actor"]}
