"""A saga definition: its steps in order, each with a service, a unit, a capacity and a kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: a step's kind, in the order a saga must list them (Garcia-Molina and Salem; Richardson ch. 4)
KINDS: tuple[str, ...] = ("compensatable", "pivot", "retriable")
#: a step's words for the transcript and the page, each optional in a definition
WORDS: tuple[str, ...] = (
    "action",  # the local transaction's name: "book_flight"
    "request",  # what the service says when asked: "Booking flight FL123"
    "failed",  # how it says it refused: "Booking FAILED"
    "done",  # how it says it committed: "Flight booked"
    "undone",  # how it says it compensated: "Flight canceled"
    "units",  # the unit's plural: "seats"
    "label",  # the inventory's name: "Flight seats"
    "error",  # why it failed, in words: "system error"
    "sold_out",  # why it failed when no unit is left: "no seats"
    "short",  # the head of its column where columns are narrow (a phone): "flt"
)
VOWELS = set("aeiou")


def short_head(name: str) -> str:
    """A head of at most three letters: a one-word name keeps its first letter, the next
    consonant and its last consonant (flight: flt, hotel: htl; car stays car); a name of
    several words, their initials (create_order: co)."""
    words = [w for w in name.split("_") if w]
    if len(words) > 1:
        return "".join(w[0] for w in words)[:3]
    word = words[0]
    if len(word) <= 3:
        return word
    rest = [c for c in word[1:] if c not in VOWELS and c.isalpha()]
    if len(rest) < 2:
        return word[:3]
    return word[0] + rest[0] + rest[-1]


def default_words(name: str, unit: str) -> dict[str, str]:
    """The words a step gets when its definition gives none."""
    spoken = name.replace("_", " ")
    noun = spoken[:1].upper() + spoken[1:]
    units = unit if unit.endswith("s") else f"{unit}s"
    return {
        "action": name,
        "request": f"{noun} requested",
        "failed": f"{noun} FAILED",
        "done": f"{noun} done",
        "undone": f"{noun} undone",
        "units": units,
        "label": units[:1].upper() + units[1:],
        "error": "refused",
        "sold_out": f"no {units} left",
        "short": short_head(name),
    }


@dataclass(frozen=True)
class Step:
    """One step. `capacity` None: the step holds nothing (no inventory, no chart line)."""

    name: str
    service: str
    unit: str
    capacity: int | None
    failure_rate: float
    kind: str
    words: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.name, self.service, self.unit, self.capacity, self.failure_rate,
                     self.kind, tuple(sorted(self.words.items()))))  # fmt: skip

    @property
    def holds(self) -> bool:
        return self.capacity is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "service": self.service,
            "unit": self.unit,
            "capacity": self.capacity,
            "failure_rate": self.failure_rate,
            "kind": self.kind,
            "words": dict(self.words),
        }

    def written(self) -> dict[str, Any]:
        """The step as a person writes it: only the words that are not its defaults."""
        defaults = default_words(self.name, self.unit)
        own = {k: v for k, v in self.words.items() if defaults.get(k) != v}
        out = self.to_dict()
        del out["words"]
        return {**out, "words": own} if own else out


@dataclass(frozen=True)
class Saga:
    """A checked saga definition.

    Invariants (sim/saga/rules.py): 2 to 8 steps with unique names; compensatable steps come
    first, then at most one pivot, then retriable steps, which need the pivot before them.
    """

    name: str
    title: str
    description: str
    steps: tuple[Step, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)

    @property
    def holding(self) -> tuple[str, ...]:
        """The steps that hold units, in order (the inventory's keys)."""
        return tuple(s.name for s in self.steps if s.holds)

    @property
    def pivot(self) -> str | None:
        return next((s.name for s in self.steps if s.kind == "pivot"), None)

    def step(self, name: str) -> Step:
        return self.steps[self.names.index(name)]

    def index(self, name: str) -> int:
        return self.names.index(name)

    def compensatable(self, name: str) -> bool:
        """Whether a committed step is undone when the saga fails (and holds something to
        undo)."""
        step = self.step(name)
        return step.kind == "compensatable"

    def to_dict(self) -> dict[str, Any]:
        """The one JSON shape (docs/sagas.md), every word filled in."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps],
        }

    def written(self) -> dict[str, Any]:
        """The same saga as a person writes it (a file, the editor): words only where they
        are not a step's defaults; checking it again gives the same Saga."""
        return {**self.to_dict(), "steps": [s.written() for s in self.steps]}
