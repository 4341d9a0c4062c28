"""What a class does: show a run, ask, take votes, reveal; and tell every device in the room.

A class is in the database (app/classes/store.py), so any server process serves any of its
requests; what it tells the room goes through Socket.IO's message queue when processes
share one, so it reaches the devices connected to every process. What needs the class's
run (the last event it sent when a question is asked, settling a question from the trace,
resuming it at the reveal, a vote keeping a paused run from idling out) is done by the
process executing that run: here, or asked over Redis (app/runs/cluster.py).

Locks: a run's watcher (called under the run's lock) only writes the database and emits;
asking about a live run stores the question under the run's lock. The run lock -> database
order is the only one there is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from app.classes.errors import ClassError
from app.classes.polls import Poll, parse_poll
from app.classes.records import PollRecords
from app.classes.rules import settle_first
from app.classes.store import Classroom, ClassStore, Joined
from app.runs.controlled import ControlledRun
from app.runs.manager import RunManager
from app.runs.request import RequestError, StartRequest

log = logging.getLogger(__name__)

PUBLISH_EVERY = 0.25  # seconds: vote tallies and viewer counts go out at most this often
SWEEP_EVERY = 5.0  # seconds between looks for expired classes and gone processes
TOUCH_EVERY = 30.0  # seconds between a vote's "the class is here" to a run's other process


def student_room(code: str) -> str:
    return f"class:{code}"


def presenter_room(code: str) -> str:
    return f"class:{code}:presenter"


class ClassHub:
    """This process's side of every class, and the run manager's start hook."""

    def __init__(self, classes: ClassStore, records: PollRecords, runs: RunManager) -> None:
        self.classes = classes
        self.records = records
        self.runs = runs
        self.socketio = runs.socketio
        self.cluster = runs.cluster
        self._dirty: set[str] = set()  # to publish at the next round, then once more
        self._settling: set[str] = set()  # to publish once more (see publish)
        self._lock = threading.Lock()
        self._publishing = threading.Lock()
        self._looping = False
        self._stopped = False
        self._here: dict[str, str] = {}  # connections of this process in a class -> its code
        self._told: dict[str, float] = {}  # run id -> when a vote last touched it elsewhere
        self._dead: set[str] = set()  # processes found gone at the last sweep
        #: code -> (when, students' state, presenter's state) this process last sent
        self._sent: dict[str, tuple[float, dict[str, Any], dict[str, Any]]] = {}
        if self.cluster is not None:
            self.cluster.handlers.update(
                class_ask=self._ask_for_other,
                class_resume=lambda run, _data: self._resume(run),
                class_touch=lambda run, _data: run.touch(),
            )

    def open(self) -> None:
        """At start-up: a lone process's earlier connections are gone; classes stored
        before go on (and expire) here."""
        if self.cluster is None:
            self.classes.drop_hosts(self.alive)
        if self.classes.count():
            self._start_loop()

    def shutdown(self) -> None:
        """The process stops: its devices leave their classes now (not at the others' next
        sweeps), and its loop ends (once: this may be called again at exit)."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self.classes.drop_hosts(lambda host: host != self.classes.host)
        except Exception as exc:  # the database is gone already: the others sweep
            log.warning("could not take this process's devices out of their classes: %s", exc)

    def alive(self, host: str) -> bool:
        """Whether the server process `host` is running (this one, or one Redis knows)."""
        if self.cluster is None:
            return host == self.classes.host
        return self.cluster.alive(host)

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

    def create(self) -> tuple[Classroom, str]:
        """A new class and its presenter token."""
        room, token = self.classes.create()
        self._mark(room.code)  # keeps the loop (expiry) going
        return room, token

    def show(self, room: Classroom, run_id: str, owns: bool = False) -> None:
        """Make run_id the class's current run; every device switches to it."""
        if self.classes.show(room.code, run_id, owns):
            self.publish(room.code)

    def ask(self, room: Classroom, body: Any) -> dict[str, Any]:
        """Put a question to the class about its current run; the poll as the presenter
        sees it."""
        if room.run_id is None:
            raise ClassError(409, "show the class a run before asking about it", "run")
        current = self.classes.current_poll(room)
        if current is not None and current.open:
            raise ClassError(409, "reveal the open question before asking another", "poll")
        limit = int(self.classes.config["MAX_POLLS_PER_CLASS"])
        if room.polls_asked >= limit:
            raise ClassError(429, f"a class may ask at most {limit} questions", "poll")
        parsed = parse_poll(body, int(self.classes.config["MAX_POLL_CHOICES"]))
        live = self.runs.get(room.run_id)
        if live is not None:
            poll = self._ask_live(room.code, parsed, live)
        elif self.cluster is not None and self.cluster.owner(room.run_id):
            answer = self.cluster.call(room.run_id, "class_ask", {"code": room.code, "body": body})
            if answer.get("ok"):
                return answer["poll"]
            if not answer.get("gone"):
                raise ClassError(
                    answer.get("status", 503), answer["error"], answer.get("field", "run")
                )
            poll = self._ask_stored(room, parsed, body)  # it ended meanwhile
        else:
            poll = self._ask_stored(room, parsed, body)
        self.publish(room.code)
        return poll.view(full=True)

    def _ask_live(self, code: str, parsed: tuple[Any, ...], live: ControlledRun) -> Poll:
        """Ask about a run this process executes: from the last event it sent."""
        with live.lock:  # no event goes out between reading `emitted` and watching
            poll = self.classes.ask(code, lambda room: _about(room, live.id, parsed, live.emitted))
            if poll.rule:
                live.watchers.append(self._watcher(code, poll, live))
        return poll

    def _ask_stored(self, room: Classroom, parsed: tuple[Any, ...], body: Any) -> Poll:
        run_id = room.run_id or ""
        seq = self._stored_seq(run_id, body)
        poll = self.classes.ask(room.code, lambda now: _about(now, run_id, parsed, seq))
        if poll.rule:
            self._settle_stored(poll)
        return poll

    def _ask_for_other(self, run: ControlledRun, data: dict[str, Any]) -> dict[str, Any]:
        """Another process asks about a run this one executes (cluster op class_ask)."""
        if self.runs.get(run.id) is None:
            return {"ok": False, "gone": True}
        try:
            parsed = parse_poll(data["body"], int(self.classes.config["MAX_POLL_CHOICES"]))
            poll = self._ask_live(data["code"], parsed, run)
        except ClassError as exc:
            return {"ok": False, "status": exc.status, "error": exc.message,
                    "field": next(iter(exc.errors))}  # fmt: skip
        self.publish(data["code"])
        return {"ok": True, "poll": poll.view(full=True)}

    def reveal(self, room: Classroom, body: dict[str, Any]) -> dict[str, Any]:
        """Close voting, show everyone the tally, and resume the class's run."""
        answer, resume = body.get("answer"), body.get("resume", True)

        def answer_of(poll: Poll) -> str | None:
            if answer is not None and (poll.rule or answer not in poll.choices):
                why = "the trace settles this question" if poll.rule else "answer must be a choice"
                raise ClassError(400, why, "answer")
            if not isinstance(resume, bool):
                raise ClassError(400, "must be true or false", "resume")
            return answer

        room, poll = self.classes.reveal(room.code, answer_of)
        self.publish(room.code)
        if resume and room.owns_run:
            self._on_run(poll.run_id, "class_resume", self._resume)
        return poll.view(full=True)

    def _resume(self, run: ControlledRun) -> None:
        if run.state == "paused":
            with contextlib.suppress(ValueError):  # it ended meanwhile
                run.resume()

    def vote(self, code: str, body: Any) -> tuple[Classroom, str]:
        """A joined device's vote {"voter", "choice", "poll"?}: the class and the choice,
        or ClassError."""
        room, choice = self.classes.vote(code.upper(), body)
        if room.run_id:  # a class voting on a paused run is not an idle run
            self._on_run(room.run_id, "class_touch", ControlledRun.touch, TOUCH_EVERY)
        self.publish(room.code, soon=True)
        return room, choice

    def end(self, code: str, why: str) -> None:
        """End the class for everyone (its open question closes as it is)."""
        if self.classes.remove(code) is not None:
            self._closed(code, why)

    def _on_run(
        self, run_id: str, op: str, act: Callable[[ControlledRun], None], every: float = 0.0
    ) -> None:
        """Do `act` to the live run here, or have its process do it (at most once in
        `every` seconds from here)."""
        run = self.runs.get(run_id)
        if run is not None:
            act(run)
            return
        now = time.monotonic()
        if self.cluster is None or now - self._told.get(run_id, -math.inf) < every:
            return
        self._told[run_id] = now
        try:
            self.cluster.tell(run_id, op, {})
        except RequestError as exc:  # Redis is away: the class's own action stands
            log.warning("could not ask run %s's process to %s: %s", run_id, op, exc.errors)

    # ----- devices joining and leaving (sockets.py) --------------------------------------------

    def join(self, sid: str, data: dict[str, Any]) -> tuple[Joined, dict[str, Any]]:
        """Connection `sid` of this process follows a class, or presents it; the class's
        state as it sees it."""
        with self._lock:
            was_in = self._here.get(sid)
        presenting = "presenter_token" in data
        joined = self.classes.join(
            data.get("code"), sid, presenting, data.get("presenter_token"), data.get("voter"),
            was_in,
        )  # fmt: skip
        room = joined.room
        with self._lock:
            self._here[sid] = room.code
        if joined.left:
            self._mark(joined.left)
        self._mark(room.code)
        return joined, self._state_for(joined, presenting)

    def _state_for(self, joined: Joined, presenting: bool) -> dict[str, Any]:
        """The class's state for a device that joined: as this process last sent it to the
        students, if that was within PUBLISH_EVERY and shows the run and question (open or
        not) the join read (a class opening the link: hundreds of joins at once read it
        once); read afresh otherwise, and for the presenter. Counts follow in class_state."""
        room = joined.room
        with self._lock:
            sent = self._sent.get(room.code)
        if not presenting and sent is not None and time.monotonic() - sent[0] < PUBLISH_EVERY:
            state, poll = sent[1], sent[1]["poll"]
            shown = (poll["id"], poll["open"]) if poll else (None, None)
            if state["run_id"] == room.run_id and shown == (room.poll_id, joined.poll_open):
                return dict(state)
        return self.classes.state(room.code, full=presenting) or {"code": room.code}

    def leave(self, sid: str, code: str | None = None) -> str | None:
        """Connection `sid` of this process leaves its class (only `code`, if given); the
        class it left."""
        with self._lock:
            if sid not in self._here or (code is not None and self._here[sid] != code.upper()):
                return None
            left = self._here.pop(sid)
        self.classes.leave(sid, left)
        self._mark(left)
        return left

    # ----- settling questions from the trace -------------------------------------------------

    def _watcher(
        self, code: str, poll: Poll, run: ControlledRun
    ) -> Callable[[list[dict[str, Any]]], None]:
        def watch(batch: list[dict[str, Any]]) -> None:
            answer = settle_first(poll.rule or {}, [e for e in batch if e["seq"] > poll.seq])
            if answer is not None:
                run.watchers.remove(watch)
                self.records.set_answer(poll.id, answer)
                room = self.classes.get(code)
                if room is not None and room.poll_id == poll.id:
                    self.publish(code)

        return watch

    def _settle_stored(self, poll: Poll) -> None:
        for rows in self.runs.store.event_lines(poll.run_id, poll.seq + 1):
            answer = settle_first(poll.rule or {}, [json.loads(line) for _seq, line in rows])
            if answer is not None:
                self.records.set_answer(poll.id, answer)
                return

    def _stored_seq(self, run_id: str, body: dict[str, Any]) -> int:
        """An ended run: the question is about what follows event `seq` (default: the end)."""
        stored = self.runs.store.get_run(run_id) or {"event_count": 0}
        last = int(stored["event_count"]) - 1
        seq = body.get("seq", last)
        if isinstance(seq, bool) or not isinstance(seq, int) or not -1 <= seq <= last:
            raise ClassError(400, f"must be a seq of the run, from -1 to {last}", "seq")
        return seq

    # ----- telling the room ------------------------------------------------------------------

    def publish(self, code: str, soon: bool = False) -> None:
        """Send class_state to the students (counts hidden until the reveal) and the
        presenter; `soon`: coalesced with others within PUBLISH_EVERY (votes, joins).

        Each state is read from the database and sent once more a round later: two
        processes publishing one class at once may reach Redis in the other order than
        they read it, and the second sending leaves every device with the latest."""
        if soon:
            self._mark(code)
            return
        self._send(code)
        self._mark(code, settle=True)

    def _send(self, code: str) -> None:
        with self._publishing:  # this process's states go out in the order they were read
            states = self.classes.states(code)
            if states is None:  # it has ended
                with self._lock:
                    self._sent.pop(code, None)
                return
            students, presenter = states
            with self._lock:
                self._sent[code] = (time.monotonic(), students, presenter)
            self.socketio.emit("class_state", students, to=student_room(code))
            self.socketio.emit("class_state", presenter, to=presenter_room(code))

    def _mark(self, code: str, settle: bool = False) -> None:
        with self._lock:
            (self._settling if settle else self._dirty).add(code)
        self._start_loop()

    def _start_loop(self) -> None:
        with self._lock:
            if self._looping or self._stopped:
                return
            self._looping = True
        self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        """Coalesced updates, expiry and gone processes' devices, while there are classes."""
        swept = time.monotonic()
        while not self._stopped:
            self.socketio.sleep(PUBLISH_EVERY)
            with self._lock:
                dirty, self._dirty = self._dirty, set()
                settle, self._settling = self._settling - dirty, set(dirty)
            for code in dirty | settle:
                self._logged(self._send, code)
            if time.monotonic() - swept < SWEEP_EVERY:
                continue
            swept = time.monotonic()
            self._logged(self._sweep)
            none = self._logged(self.classes.count) == 0
            with self._lock:
                if none and not self._dirty and not self._settling:
                    self._looping = False
                    return

    def _sweep(self) -> None:
        for room in self.classes.expired():
            self._closed(room.code, "the class expired after being idle")
        if self.cluster is not None and not self.cluster.health.available():
            return
        dead: set[str] = set()

        def staying(host: str) -> bool:
            """A process is gone when it was at the last sweep too (5 s on: a live one has
            refreshed its key by then, even just after a Redis outage)."""
            if self.alive(host):
                return True
            dead.add(host)
            return host not in self._dead

        for code in self.classes.drop_hosts(staying):
            self._mark(code)
        self._dead = dead

    def _closed(self, code: str, why: str) -> None:
        with self._lock:
            self._sent.pop(code, None)
        for name in (student_room(code), presenter_room(code)):
            self.socketio.emit("class_closed", {"code": code, "reason": why}, to=name)
            self.socketio.server.close_room(name, namespace="/")

    def _logged(self, job: Callable[..., Any], *args: Any) -> Any:
        """One round's job; a failure (the database away a moment) is logged, and the
        loop goes on."""
        try:
            return job(*args)
        except Exception:
            log.exception("class loop: %s failed", getattr(job, "__name__", job))
            return None


def _about(room: Classroom, run_id: str, parsed: tuple[Any, ...], seq: int) -> Poll:
    """The question `parsed` about run_id, if it is still the class's run."""
    if room.run_id != run_id:
        raise ClassError(409, "the class switched to another run meanwhile", "run")
    question, choices, rule = parsed
    return Poll(run_id, question, choices, rule, seq)
