"""The saga schema: every rule of docs/sagas.md, with a message per field like the parameters'."""

from __future__ import annotations

import math
import re
from typing import Any

from sim.saga.definition import KINDS, WORDS, Saga, Step, default_words

SAGA_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
STEP_NAME = re.compile(r"[a-z][a-z0-9_]{0,19}")
SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ]{0,31}")
UNIT = re.compile(r"[a-z][a-z ]{0,19}")
#: the other actors of a run: a step may not take their names
RESERVED = ("orchestrator", "bus", "monitor", "client")
MIN_STEPS, MAX_STEPS = 2, 8
MAX_CAPACITY = 1_000_000_000
SAGA_FIELDS = ("name", "title", "description", "steps")
STEP_FIELDS = ("name", "service", "unit", "capacity", "failure_rate", "kind", "words")
MAX_TITLE, MAX_DESCRIPTION, MAX_WORD, MAX_SHORT = 80, 1000, 60, 4


class SagaError(ValueError):
    """A definition that breaks the schema: `errors` maps each field (`steps.3.kind`) to why."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(value: Any, most: int) -> bool:
    return isinstance(value, str) and len(value) <= most and value.isprintable()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _words(raw: Any, name: str, unit: str, errors: dict[str, str], at: str) -> dict[str, str]:
    words = default_words(name, unit)
    if raw is None:
        return words
    if not isinstance(raw, dict):
        errors[at] = "must be an object of words (" + ", ".join(WORDS) + ")"
        return words
    for key, value in raw.items():
        if key not in WORDS:
            errors[f"{at}.{key}"] = "is not a word of a step (" + ", ".join(WORDS) + ")"
        elif not _text(value, MAX_WORD) or not value.strip():
            errors[f"{at}.{key}"] = f"must be text of 1 to {MAX_WORD} printable characters"
        elif key == "short" and (len(value) > MAX_SHORT or value != value.strip()):
            errors[f"{at}.{key}"] = f"must be 1 to {MAX_SHORT} characters (a narrow column's head)"
        else:
            words[key] = value
    return words


def _step(raw: Any, i: int, errors: dict[str, str]) -> Step | None:
    at = f"steps.{i}"
    if not isinstance(raw, dict):
        errors[at] = "must be an object {name, service, unit, capacity, failure_rate, kind}"
        return None
    before = len(errors)
    for key in raw:
        if key not in STEP_FIELDS:
            errors[f"{at}.{key}"] = "is not a step field (" + ", ".join(STEP_FIELDS) + ")"
    name, service, unit = raw.get("name"), raw.get("service"), raw.get("unit")
    capacity, rate, kind = raw.get("capacity"), raw.get("failure_rate", 0.0), raw.get("kind")
    if not isinstance(name, str) or not STEP_NAME.fullmatch(name):
        errors[f"{at}.name"] = (
            "must be a-z first, then a-z, 0-9 or _, at most 20 characters (e.g. book_flight)"
        )
    elif name in RESERVED:
        errors[f"{at}.name"] = "is the name of another actor (" + ", ".join(RESERVED) + ")"
    if not isinstance(service, str) or not SERVICE.fullmatch(service) or service != service.strip():
        errors[f"{at}.service"] = "must be a name of letters, digits and spaces, at most 32"
    if not isinstance(unit, str) or not UNIT.fullmatch(unit) or unit != unit.strip():
        errors[f"{at}.unit"] = "must be a short noun: a-z and spaces, at most 20 (e.g. seat)"
    if capacity is not None and (
        not _number(capacity)
        or (isinstance(capacity, float) and not capacity.is_integer())
        or not 0 <= capacity <= MAX_CAPACITY
    ):
        errors[f"{at}.capacity"] = (
            f"must be a whole number from 0 to {MAX_CAPACITY:,}, or null (the step holds nothing)"
        )
    if not _number(rate) or not 0 <= rate <= 1:
        errors[f"{at}.failure_rate"] = "must be a number from 0 to 1 (the chance a try fails)"
    if kind not in KINDS:
        errors[f"{at}.kind"] = "must be one of " + ", ".join(KINDS)
    if len(errors) > before:
        return None
    words = _words(raw.get("words"), name, unit, errors, f"{at}.words")
    if len(errors) > before:
        return None
    cap = None if capacity is None else int(capacity)
    return Step(name, service, unit, cap, float(rate), kind, words)


def _order(raw_steps: list[Any], steps: list[Step | None], errors: dict[str, str]) -> None:
    """Compensatable steps, then at most one pivot, then retriable steps; names unique. The
    order is judged on every step whose kind is valid, even one wrong in another field (so a
    pivot with a bad name does not make the retriable steps after it look misplaced)."""
    seen: dict[str, int] = {}
    pivot: int | None = None
    for i, (raw, step) in enumerate(zip(raw_steps, steps, strict=True)):
        if step is not None:
            if step.name in seen:
                errors[f"steps.{i}.name"] = f"is already the name of step {seen[step.name]}"
            seen.setdefault(step.name, i)
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if kind not in KINDS or f"steps.{i}.kind" in errors:
            continue
        if kind == "pivot":
            if pivot is not None:
                errors[f"steps.{i}.kind"] = f"a saga has at most one pivot (step {pivot} is one)"
            else:
                pivot = i
        elif kind == "retriable" and pivot is None:
            errors[f"steps.{i}.kind"] = "a retriable step must come after the pivot"
        elif kind == "compensatable" and pivot is not None:
            errors[f"steps.{i}.kind"] = "a compensatable step must come before the pivot"


def check_saga(raw: Any) -> Saga:
    """A checked Saga from its JSON shape; SagaError names every field that is wrong."""
    if isinstance(raw, Saga):
        return raw
    if not isinstance(raw, dict):
        raise SagaError({"saga": "must be an object {name, title, description, steps}"})
    errors: dict[str, str] = {}
    for key in raw:
        if key not in SAGA_FIELDS:
            errors[str(key)] = "is not a saga field (" + ", ".join(SAGA_FIELDS) + ")"
    name = raw.get("name")
    if not isinstance(name, str) or not SAGA_NAME.fullmatch(name):
        errors["name"] = "must be a-z first, then a-z, 0-9 or -, at most 40 characters"
    title = raw.get("title", name)
    if not _text(title, MAX_TITLE) or not str(title).strip():
        errors["title"] = f"must be text of 1 to {MAX_TITLE} printable characters"
    description = raw.get("description", "")
    if not _text(description, MAX_DESCRIPTION):
        errors["description"] = f"must be text of at most {MAX_DESCRIPTION} printable characters"
    raw_steps = raw.get("steps")
    steps: list[Step | None] = []
    if not isinstance(raw_steps, list) or not MIN_STEPS <= len(raw_steps) <= MAX_STEPS:
        errors["steps"] = f"must list {MIN_STEPS} to {MAX_STEPS} steps"
    else:
        steps = [_step(s, i, errors) for i, s in enumerate(raw_steps)]
        _order(raw_steps, steps, errors)
    if errors:
        raise SagaError(dict(sorted(errors.items(), key=lambda kv: _field_order(kv[0]))))
    return Saga(name, title, description, _unique_shorts([s for s in steps if s is not None]))


def _unique_shorts(steps: list[Step]) -> tuple[Step, ...]:
    """Steps whose short heads repeat get their position appended (co, co2)."""
    seen: set[str] = set()
    out = []
    for i, step in enumerate(steps, 1):
        short = step.words["short"]
        if short in seen:
            short = f"{short[:3]}{i}"
            step = Step(**{**step.__dict__, "words": {**step.words, "short": short}})
        seen.add(short)
        out.append(step)
    return tuple(out)


def _field_order(field: str) -> tuple[Any, ...]:
    """Errors in the order of the fields: steps by number, not as text (10 after 9)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in field.split("."))
