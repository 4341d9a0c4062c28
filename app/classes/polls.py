"""A question put to the class: its choices, one vote per device, the reveal and the answer."""

from __future__ import annotations

import threading
from typing import Any

from app.classes.errors import ClassError
from app.classes.rules import parse_rule
from app.classes.voters import Voters

MAX_QUESTION_CHARS = 200
MAX_CHOICE_CHARS = 60


class Poll:
    """Voting is open until the reveal; `answer` is filled in when the trace settles it."""

    def __init__(
        self,
        run_id: str,
        question: str,
        choices: list[str],
        rule: dict[str, str] | None,
        seq: int,
        voters: Voters | None = None,
    ) -> None:
        self.id = 0  # set when stored
        self.run_id = run_id
        self.question = question
        self.choices = choices
        self.rule = rule
        self.seq = seq  # the last event the class had seen when it was asked
        self.open = True
        self.answer: str | None = None
        self._votes: dict[str, str] = {}  # voter id -> choice
        self._voters = voters  # whose votes count (those still joined); None: every vote
        self._final: dict[str, int] | None = None  # the tally at the reveal
        self._lock = threading.Lock()

    def vote(self, voter: str, choice: Any) -> None:
        """Record (or change) this device's vote; ClassError if it cannot count."""
        if not self.open:
            raise ClassError(409, "voting on this question has closed", "vote")
        if choice not in self.choices:
            raise ClassError(400, f"{choice!r} is not one of the choices", "choice")
        with self._lock:
            self._votes[voter] = choice

    def vote_of(self, voter: str | None) -> str | None:
        return self._votes.get(voter) if voter else None

    def counts(self) -> dict[str, int]:
        """Votes per choice: of the devices still in the class while open, as at the
        reveal once closed."""
        if self._final is not None:
            return dict(self._final)
        counting = self._voters.connected() if self._voters is not None else None
        with self._lock:
            votes = [c for v, c in self._votes.items() if counting is None or v in counting]
        return {choice: votes.count(choice) for choice in self.choices}

    def close(self) -> None:
        """Voting ends: the tally is kept as it is now."""
        if self.open:
            self._final = self.counts()
            self.open = False

    def connected(self) -> int | None:
        """How many devices could vote now (None for a poll without a class)."""
        return len(self._voters) if self._voters is not None and self.open else None

    def view(self, full: bool) -> dict[str, Any]:
        """The poll as the API shows it; counts and answer only to the presenter until the
        reveal (`full`), to everyone after it."""
        shown = full or not self.open
        counts = self.counts()
        return {
            "id": self.id,
            "run_id": self.run_id,
            "question": self.question,
            "choices": list(self.choices),
            "counts": counts if shown else None,
            "votes": sum(counts.values()),
            "connected": self.connected(),
            "open": self.open,
            "answer": self.answer if shown else None,
            "rule": self.rule,
            "seq": self.seq,
        }


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
