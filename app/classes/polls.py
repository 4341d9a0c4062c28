"""A question put to the class: its choices, one vote per device, the reveal and the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.classes.errors import ClassError
from app.classes.rules import parse_rule

MAX_QUESTION_CHARS = 200
MAX_CHOICE_CHARS = 60


@dataclass
class Poll:
    """A question as stored (app/classes/records.py): voting is open until the reveal;
    `answer` is filled in when the trace settles it."""

    run_id: str
    question: str
    choices: list[str]
    rule: dict[str, str] | None
    seq: int  # the last event the class had seen when it was asked
    id: int = 0  # set when stored
    open: bool = True
    answer: str | None = None
    #: votes per choice: of the devices still in the class while open, as at the reveal after
    counts: dict[str, int] = field(default_factory=dict)
    connected: int | None = None  # devices that could vote now (None once closed)

    def tally(self) -> dict[str, int]:
        """Every choice with its count (0 for a choice nobody picked)."""
        return {choice: self.counts.get(choice, 0) for choice in self.choices}

    def view(self, full: bool) -> dict[str, Any]:
        """The poll as the API shows it; counts and answer only to the presenter until the
        reveal (`full`), to everyone after it."""
        shown = full or not self.open
        counts = self.tally()
        return {
            "id": self.id,
            "run_id": self.run_id,
            "question": self.question,
            "choices": list(self.choices),
            "counts": counts if shown else None,
            "votes": sum(counts.values()),
            "connected": self.connected if self.open else None,
            "open": self.open,
            "answer": self.answer if shown else None,
            "rule": self.rule,
            "seq": self.seq,
        }

    def check_vote(self, choice: Any) -> str:
        """The choice of a vote on this poll; ClassError if it cannot count."""
        if not self.open:
            raise ClassError(409, "voting on this question has closed", "vote")
        if choice not in self.choices:
            raise ClassError(400, f"{choice!r} is not one of the choices", "choice")
        return choice


def parse_poll(body: Any, max_choices: int) -> tuple[str, list[str], dict[str, str] | None]:
    """The question, its choices and its settling rule from a request body."""
    if not isinstance(body, dict):
        raise ClassError(400, 'must be {"question", "choices": [...], "rule"?}', "body")
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ClassError(400, "ask a question (text)", "question")
    if len(question) > MAX_QUESTION_CHARS:
        raise ClassError(400, f"at most {MAX_QUESTION_CHARS} characters", "question")
    choices = body.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise ClassError(400, "must be a list of texts", "choices")
    choices = [c.strip() for c in choices]
    if not 2 <= len(choices) <= max_choices:
        raise ClassError(400, f"give 2 to {max_choices} choices", "choices")
    if any(not c or len(c) > MAX_CHOICE_CHARS for c in choices):
        raise ClassError(400, f"each choice needs 1 to {MAX_CHOICE_CHARS} characters", "choices")
    if len(set(choices)) != len(choices):
        raise ClassError(400, "the choices must differ", "choices")
    try:
        rule = parse_rule(body.get("rule"))
    except ValueError as exc:
        raise ClassError(400, str(exc), "rule") from None
    return question.strip(), choices, rule
