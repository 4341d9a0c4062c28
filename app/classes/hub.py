"""What a class does: show a run, ask, take votes, reveal; and tell every device in the room.

Locks: the class store's lock is a leaf (nothing else is taken while it is held). A run's
watcher (called under the run's lock) only reads a poll, writes SQLite and emits, so the
run lock -> store lock order is the only one there is.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from app.classes.errors import ClassError
from app.classes.polls import Poll, parse_poll
from app.classes.records import PollRecords
from app.classes.rules import settle_first
from app.classes.store import Classroom, ClassStore
from app.runs.controlled import ControlledRun
from app.runs.manager import RunManager
from app.runs.request import StartRequest

PUBLISH_EVERY = 0.25  # seconds: vote tallies and viewer counts go out at most this often
SWEEP_EVERY = 5.0  # seconds between looks for expired classes


def student_room(code: str) -> str:
    return f"class:{code}"


def presenter_room(code: str) -> str:
    return f"class:{code}:presenter"


class ClassHub:
    """The classes of one server and their actions; also the run manager's start hook."""

    def __init__(self, classes: ClassStore, records: PollRecords, runs: RunManager) -> None:
        self.classes = classes
        self.records = records
        self.runs = runs
        self.socketio = runs.socketio
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._looping = False

    # ----- the run manager's start hook: {"class": {...}} in a start body --------------------

    def admit(self, request: StartRequest) -> None:
        if request.classroom:
            self._presenting(request.classroom)

    def started(self, run: ControlledRun, request: StartRequest) -> None:
        if request.classroom:
            self.show(self._presenting(request.classroom), run.id, owns=True)

    def _presenting(self, auth: dict[str, str]) -> Classroom:
        return self.classes.presenter(auth["code"], auth["presenter_token"])

    # ----- presenter actions -----------------------------------------------------------------

    def create(self) -> Classroom:
        room = self.classes.create()
        self._start_loop()
        return room

    def show(self, room: Classroom, run_id: str, owns: bool = False) -> None:
        """Make run_id the class's current run; every device switches to it."""
        if room.run_id == run_id:
            room.owns_run = room.owns_run or owns
            return
        self._close(room.poll)
        room.run_id, room.owns_run, room.poll = run_id, owns, None
        self.publish(room)

    def ask(self, room: Classroom, body: Any) -> Poll:
        """Put a question to the class about its current run."""
        if room.run_id is None:
            raise ClassError(409, "show the class a run before asking about it", "run")
        if room.poll is not None and room.poll.open:
            raise ClassError(409, "reveal the open question before asking another", "poll")
        limit = int(self.classes.config["MAX_POLLS_PER_CLASS"])
        if room.polls_asked >= limit:
            raise ClassError(429, f"a class may ask at most {limit} questions", "poll")
        question, choices, rule = parse_poll(body, int(self.classes.config["MAX_POLL_CHOICES"]))
        live = self.runs.get(room.run_id)
        if live is not None:
            with live.lock:  # no event goes out between reading `emitted` and watching
                poll = Poll(room.run_id, question, choices, rule, live.emitted, room.voters)
                self.records.add(poll, room.code)
                if rule:
                    live.watchers.append(self._watcher(room, poll, live))
        else:
            seq = self._stored_seq(room, body)
            poll = Poll(room.run_id, question, choices, rule, seq, room.voters)
            self.records.add(poll, room.code)
            if rule:
                self._settle_stored(poll)
        room.poll, room.polls_asked = poll, room.polls_asked + 1
        self.publish(room)
        return poll

    def reveal(self, room: Classroom, body: dict[str, Any]) -> Poll:
        """Close voting, show everyone the tally, and resume the class's run."""
        poll = room.poll
        if poll is None or not poll.open:
            raise ClassError(409, "there is no open question to reveal", "poll")
        answer, resume = body.get("answer"), body.get("resume", True)
        if answer is not None and (poll.rule or answer not in poll.choices):
            why = "the trace settles this question" if poll.rule else "answer must be a choice"
            raise ClassError(400, why, "answer")
        if not isinstance(resume, bool):
            raise ClassError(400, "must be true or false", "resume")
        poll.answer = answer if answer is not None else poll.answer
        self._close(poll)
        self.publish(room)
        run = self.runs.get(poll.run_id) if resume and room.owns_run else None
        if run is not None and run.state == "paused":
            with contextlib.suppress(ValueError):  # it ended meanwhile
                run.resume()
        return poll

    def vote(self, room: Classroom, body: Any) -> str:
        """A joined device's vote {"voter", "choice", "poll"?}; its choice, or ClassError."""
        poll = room.poll
        if not isinstance(body, dict):
            raise ClassError(400, 'must be {"voter": ..., "choice": ..., "poll": id}', "body")
        voter = room.voters.admit(body.get("voter"))
        if poll is None or body.get("poll", poll.id) != poll.id:
            raise ClassError(409, "that question is closed", "vote")
        poll.vote(voter, body.get("choice"))
        self.classes.touch(room)
        run = self.runs.get(poll.run_id)
        if run is not None:
            run.touch()  # a class voting on a paused run is not an idle run
        self.publish(room, soon=True)
        return body["choice"]

    def end(self, room: Classroom, why: str) -> None:
        self.classes.remove(room.code)
        self._close(room.poll)
        for name in (student_room(room.code), presenter_room(room.code)):
            self.socketio.emit("class_closed", {"code": room.code, "reason": why}, to=name)
            self.socketio.server.close_room(name, namespace="/")

    # ----- settling questions from the trace -------------------------------------------------

    def _watcher(
        self, room: Classroom, poll: Poll, run: ControlledRun
    ) -> Callable[[list[dict[str, Any]]], None]:
        def watch(batch: list[dict[str, Any]]) -> None:
            answer = settle_first(poll.rule or {}, [e for e in batch if e["seq"] > poll.seq])
            if answer is not None:
                run.watchers.remove(watch)
                self._answered(room, poll, answer)

        return watch

    def _settle_stored(self, poll: Poll) -> None:
        for rows in self.runs.store.event_lines(poll.run_id, poll.seq + 1):
            answer = settle_first(poll.rule or {}, [json.loads(line) for _seq, line in rows])
            if answer is not None:
                poll.answer = answer
                self.records.save(poll)
                return

    def _answered(self, room: Classroom, poll: Poll, answer: str) -> None:
        poll.answer = answer
        self.records.save(poll)
        if room.poll is poll:
            self.publish(room)

    def _stored_seq(self, room: Classroom, body: dict[str, Any]) -> int:
        """An ended run: the question is about what follows event `seq` (default: the end)."""
        stored = self.runs.store.get_run(room.run_id or "") or {"event_count": 0}
        last = int(stored["event_count"]) - 1
        seq = body.get("seq", last)
        if isinstance(seq, bool) or not isinstance(seq, int) or not -1 <= seq <= last:
            raise ClassError(400, f"must be a seq of the run, from -1 to {last}", "seq")
        return seq

    def _close(self, poll: Poll | None) -> None:
        if poll is not None:
            poll.close()
            self.records.save(poll)

    # ----- telling the room ------------------------------------------------------------------

    def publish(self, room: Classroom, soon: bool = False) -> None:
        """Send class_state to the students (counts hidden until the reveal) and the
        presenter; `soon`: coalesced with others within PUBLISH_EVERY (votes, joins)."""
        if soon:
            with self._lock:
                self._dirty.add(room.code)
            return
        with self.classes.lock:
            students, presenter = room.state(full=False), room.state(full=True)
        self.socketio.emit("class_state", students, to=student_room(room.code))
        self.socketio.emit("class_state", presenter, to=presenter_room(room.code))

    def _start_loop(self) -> None:
        with self._lock:
            if self._looping:
                return
            self._looping = True
        self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        """Coalesced updates and expiry, while there are classes."""
        swept = time.monotonic()
        while True:
            self.socketio.sleep(PUBLISH_EVERY)
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            for code in dirty:
                room = self.classes.get(code)
                if room is not None:
                    self.publish(room)
            if time.monotonic() - swept >= SWEEP_EVERY:
                swept = time.monotonic()
                for room in self.classes.expired():
                    self.end(room, "the class expired after being idle")
            with self._lock:
                if not self.classes.all() and not self._dirty:
                    self._looping = False
                    return
