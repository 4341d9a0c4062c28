"""Two machines, simulated on one: two app processes with their own instance folders, one
Redis, one PostgreSQL, and nginx in front with docs/deploy.md's own config."""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any

import pytest
import requests

from harness.processes import two_machines
from sim import to_json
from sim.trace.vocabulary import OUTCOMES
from tests.conftest import wait_until
from tests.test_e2e_live import Viewer, close_all, stored_lines

pytestmark = pytest.mark.e2e
BODY = {"preset": "tutorial", "params": {"bookings": 40, "seed": 4, "until": None}}


def owner_of(run_id: str, machines: list[tuple[str, int]]) -> tuple[str, int]:
    """The machine executing the run (asked directly, not through the proxy)."""
    live = [
        m for m in machines if requests.get(f"{m[0]}/api/runs/{run_id}", timeout=30).json()["live"]
    ]
    assert len(live) == 1, live
    return live[0]


def texts(viewer: Viewer) -> list[str]:
    return [to_json(event) for event in viewer.events]


def test_two_machines_behind_nginx_share_runs_viewers_controls_and_a_death(tmp_path) -> None:
    with two_machines(str(tmp_path)) as (proxy, machines, _nginx):
        assert all(os.path.isdir(tmp_path / name) for name in ("a", "b"))  # own instance folders
        page = requests.get(f"{proxy}/", timeout=30)
        assert page.status_code == 200 and "/assets/" in page.text

        # a run started through the proxy executes on one machine ...
        started = requests.post(
            f"{proxy}/api/runs", json={**BODY, "speed": 50, "start_paused": True}, timeout=30
        )
        assert started.status_code == 201, started.text
        run = started.json()
        owner_of(run["id"], machines)
        # ... and is watched through the proxy by viewers spread over both (round robin), one
        # of them over long-polling (sticky by address), and controlled by each of them
        viewers = [Viewer(proxy) for _ in range(4)] + [Viewer(proxy, transports=("polling",))]
        for viewer in viewers:
            viewer.join(run["id"])
        control = {"run_id": run["id"], "token": run["control_token"]}
        for viewer, action in zip(
            viewers, ("resume", "pause", "resume", "pause", "resume"), strict=True
        ):
            assert viewer.call("control_run", {**control, "action": action}) == {"ok": True}
            wanted = "paused" if action == "pause" else "running"
            wait_until(lambda w=wanted: viewers[0].statuses[-1]["state"] in (w, "finished"),
                       what=f"the {action} seen by the first viewer")  # fmt: skip
        for viewer in viewers:
            wait_until(viewer.ended, what="every viewer to see the end")
        # ... and replayed through either machine, directly or through the proxy
        stored = stored_lines(proxy, run["id"])
        assert len(stored) > 200
        for url, _pid in machines:
            assert stored_lines(url, run["id"]) == stored
            assert requests.get(f"{url}/api/runs/{run['id']}/events.csv", timeout=30).ok
        for viewer in viewers:
            assert texts(viewer) == stored  # every event once, in order, wherever connected
        late = Viewer(proxy)  # joins the ended run: the stored events, from the database
        late.join(run["id"])
        wait_until(lambda: len(late.events) == len(stored), what="the replay's catch-up")
        assert texts(late) == stored

        # a second run; its machine is killed mid-run
        doomed = requests.post(f"{proxy}/api/runs", json={**BODY, "speed": 2}, timeout=30).json()
        victim = owner_of(doomed["id"], machines)
        survivor = next(m for m in machines if m != victim)
        for viewer in viewers:
            viewer.events, viewer.statuses = [], []
            viewer.join(doomed["id"])
        wait_until(lambda: all(len(v.events) > 20 for v in viewers), what="the second run's events")
        os.kill(victim[1], signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: any(not v.client.connected for v in viewers), what="lost connections")
        time.sleep(1)  # every viewer of the dead machine has noticed by now
        lost = [v for v in viewers if not v.client.connected]
        kept = [v for v in viewers if v.client.connected]
        assert lost and kept  # the viewers were on both machines: each watched through both

        poke = Viewer(proxy)  # a join (or a start-up) finds the run's owner gone

        def interrupted() -> bool:
            info = requests.get(f"{proxy}/api/runs/{doomed['id']}", timeout=30).json()
            if info["status"] == "interrupted":
                return True
            assert poke.call("join_run", {"run_id": doomed["id"], "from_seq": 0})["ok"]
            time.sleep(0.2)
            return False

        wait_until(interrupted, timeout=60, what="the dead machine's run to be interrupted")
        print(f"interrupted {time.monotonic() - killed:.1f} s after the kill (owner lease 6 s)")
        info = requests.get(f"{survivor[0]}/api/runs/{doomed['id']}", timeout=30).json()
        assert info["reason"] == "the server process running it stopped"
        events = stored_lines(proxy, doomed["id"])
        assert info["event_count"] == len(events) > 20  # every stored event, no hole
        assert [int(line.split('"seq":')[1].split(",")[0]) for line in events] == list(
            range(len(events))
        )
        for viewer in viewers:  # what each saw is what was stored, in order
            seen = texts(viewer)
            assert seen == events[: len(seen)]
        close_all(*(v.client for v in kept), late.client, poke.client)


class Student(Viewer):
    """A device in a class: its class_state messages, its voter id, the class's run."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.url = url
        self.states: list[dict[str, Any]] = []
        self.closed: list[dict[str, Any]] = []
        self.voter: str | None = None
        self.client.on("class_state", self.states.append)
        self.client.on("class_closed", self.closed.append)

    def join_class(self, code: str, **extra: Any) -> dict[str, Any]:
        ack = self.call("join_class", {"code": code, **extra})
        assert ack["ok"], ack
        self.voter = ack["class"].get("voter", self.voter)
        self.states.append(ack["class"])
        return ack["class"]

    def latest(self) -> dict[str, Any]:
        return self.states[-1] if self.states else {}

    def poll(self) -> dict[str, Any]:
        return self.latest().get("poll") or {}

    def vote(self, code: str, choice: str, via: str | None = None) -> requests.Response:
        body = {"voter": self.voter, "choice": choice}
        return requests.post(f"{via or self.url}/api/classes/{code}/vote", json=body, timeout=30)


def class_run(
    machine: tuple[str, int],
    auth: dict[str, str],
    students: list[Student],
    machines: list[tuple[str, int]],
) -> dict[str, Any]:
    """A paused run started for the class on `machine`, once every student is shown it."""
    run = requests.post(
        f"{machine[0]}/api/runs",
        json={**BODY, "speed": 50, "start_paused": True, "class": auth},
        timeout=30,
    ).json()
    assert owner_of(run["id"], machines) == machine
    wait_until(lambda: all(s.latest().get("run_id") == run["id"] for s in students),
               what=f"every student to be shown the run on {machine[0]}")  # fmt: skip
    return run


def test_a_class_follows_its_presenter_across_two_machines_behind_nginx(tmp_path) -> None:
    """The presenter on one machine, students on the other (directly and through nginx):
    they see its run and question, their votes count once each wherever they land, the
    viewer count spans both, and the reveal reaches them; then the other way round."""
    with two_machines(str(tmp_path)) as (proxy, machines, _nginx):
        (a, _pid_a), (b, pid_b) = machines
        made = requests.post(f"{a}/api/classes", json={}, timeout=30)
        assert made.status_code == 201, made.text
        code, token = made.json()["code"], made.json()["presenter_token"]
        auth = {"code": code, "presenter_token": token}
        for url in (a, b, proxy):  # the class page and its API answer on every machine
            assert requests.get(f"{url}/class/{code}", timeout=30).status_code == 200
            assert requests.get(f"{url}/api/classes/{code}", timeout=30).json()["code"] == code
        presenter = Student(a)
        presenter.join_class(code, presenter_token=token)

        # students on B, on A, and through nginx (one over long-polling)
        students = [Student(b) for _ in range(3)] + [Student(a)]
        students += [Student(proxy), Student(proxy), Student(proxy, transports=("polling",))]
        for student in students:
            assert student.join_class(code)["voter"]
        assert len({s.voter for s in students}) == len(students)
        wait_until(lambda: presenter.latest().get("viewers") == len(students),
                   what="the presenter to count the students of both machines")  # fmt: skip

        # the presenter starts a run for the class on A: every student follows it
        run = class_run(machines[0], auth, students, machines)
        for student in students:
            student.join(run["id"])

        # a question, asked on A, reaches the students on B; they vote there and elsewhere
        question = {**auth, "question": "Which first?", "choices": ["flight", "hotel", "car"]}
        asked = requests.post(f"{a}/api/classes/{code}/poll", json=question, timeout=30)
        assert asked.status_code == 201, asked.text
        poll_id = asked.json()["id"]
        wait_until(lambda: all(s.poll().get("id") == poll_id for s in students),
                   what="every student to see the question")  # fmt: skip
        assert all(s.poll()["open"] for s in students)
        assert all(s.poll()["counts"] is None for s in students)  # hidden until the reveal
        choices = ["flight", "hotel", "car", "hotel", "hotel", "car", "flight"]
        for student, choice in zip(students, choices, strict=True):
            assert student.vote(code, "car").status_code == 200  # a first thought ...
            other = a if student.url == b else b  # ... changed through the other machine
            assert student.vote(code, choice, via=other).status_code == 200
        made_up = requests.post(f"{b}/api/classes/{code}/vote",
                                json={"voter": "x" * 16, "choice": "car"}, timeout=30)  # fmt: skip
        assert made_up.status_code == 403
        wanted = {"flight": 2, "hotel": 3, "car": 2}
        wait_until(lambda: presenter.poll().get("counts") == wanted,
                   what="the presenter's tally of both machines' votes")  # fmt: skip
        assert presenter.poll()["votes"] == 7 and presenter.poll()["connected"] == 7

        # a student on B leaves: its vote stops counting; it comes back through A with its id
        gone = students[0]
        close_all(gone.client)
        wanted_now = {**wanted, "flight": 1}
        wait_until(lambda: presenter.poll().get("counts") == wanted_now
                   and presenter.latest()["viewers"] == 6, what="the count without it")  # fmt: skip
        back = Student(a)
        assert back.join_class(code, voter=gone.voter)["voter"] == gone.voter
        students[0] = back
        wait_until(lambda: presenter.poll().get("counts") == wanted
                   and presenter.latest()["viewers"] == 7, what="its vote back")  # fmt: skip

        # the reveal, on A, reaches everyone and resumes the class's run
        revealed = requests.post(f"{a}/api/classes/{code}/reveal", json=auth, timeout=30)
        assert revealed.status_code == 200 and revealed.json()["counts"] == wanted

        def seen_revealed(s: Student) -> bool:
            return s.poll().get("open") is False and s.poll()["counts"] == wanted

        wait_until(lambda: all(map(seen_revealed, students)), what="everyone to see the reveal")
        wait_until(lambda: all(s.ended() for s in students[1:]), what="the resumed run's end")
        stored = stored_lines(proxy, run["id"])
        assert all(texts(s) == stored for s in students[1:])  # every event once, in order

        # the other way round: a run on B, a question settled by its trace asked on A
        second = class_run(machines[1], auth, students, machines)
        rule = {"rule": "saga_outcome", "saga": "BOOK001"}
        outcome = {**auth, "question": "How does BOOK001 end?", "rule": rule,
                   "choices": ["completed", "compensated", "stuck", "flagged"]}  # fmt: skip
        asked = requests.post(f"{a}/api/classes/{code}/poll", json=outcome, timeout=30)
        assert asked.status_code == 201, asked.text  # asked on A, watched on B
        assert asked.json()["answer"] is None
        on_a = students[3]
        wait_until(lambda: on_a.poll().get("id") == asked.json()["id"], what="the question")
        assert on_a.vote(code, "completed").status_code == 200
        assert requests.post(f"{a}/api/classes/{code}/reveal", json=auth, timeout=30).ok
        wait_until(lambda: on_a.poll().get("answer") is not None,
                   what="the answer settled by B's run, seen by a student on A")  # fmt: skip
        endings = {f"saga.{outcome}": outcome for outcome in OUTCOMES}
        ending = next(
            endings[e["kind"]]
            for e in (json.loads(line) for line in stored_lines(proxy, second["id"]))
            if e.get("saga") == "BOOK001" and e["kind"] in endings
        )
        assert on_a.poll()["answer"] == ending
        polls = requests.get(f"{b}/api/runs/{second['id']}/polls", timeout=30).json()["polls"]
        assert polls[0]["counts"]["completed"] == 1 and polls[0]["open"] is False

        # machine B dies: its students leave the count and come back through A with their ids
        shown = requests.post(f"{a}/api/classes/{code}/run",
                              json={**auth, "run_id": run["id"]}, timeout=30)  # fmt: skip
        assert shown.status_code == 200
        third = {**auth, "question": "Again?", "choices": ["yes", "no"], "seq": 10}
        third_asked = requests.post(f"{a}/api/classes/{code}/poll", json=third, timeout=30)
        third_id = third_asked.json()["id"]
        wait_until(lambda: all(s.poll().get("id") == third_id for s in students), what="Q3")
        for student in students:
            assert student.vote(code, "yes").status_code == 200
        wait_until(lambda: presenter.poll().get("counts") == {"yes": 7, "no": 0}, what="Q3 votes")
        os.kill(pid_b, signal.SIGKILL)
        wait_until(lambda: not students[1].client.connected, what="B's students to be cut off")
        time.sleep(1)
        lost = [s for s in students if not s.client.connected]
        kept = [s for s in students if s.client.connected]
        assert lost and kept and presenter.client.connected
        first = Student(a)  # one comes back at once: its id is taken from the dead machine
        assert first.join_class(code, voter=lost[0].voter)["voter"] == lost[0].voter
        assert first.latest()["your_vote"] == "yes"
        wait_until(lambda: presenter.latest().get("viewers") == len(kept) + 1, timeout=60,
                   what="the dead machine's other students to leave the count")  # fmt: skip
        assert presenter.poll()["counts"] == {"yes": len(kept) + 1, "no": 0}
        returning = [Student(a) for _ in lost[1:]]
        for new, old in zip(returning, lost[1:], strict=True):
            assert new.join_class(code, voter=old.voter)["voter"] == old.voter
        wait_until(lambda: presenter.poll().get("counts") == {"yes": 7, "no": 0}
                   and presenter.latest()["viewers"] == 7, what="every vote back")  # fmt: skip
        students = [*kept, first, *returning]

        # ending the class through nginx tells every student
        ended = requests.delete(f"{proxy}/api/classes/{code}", json=auth, timeout=30)
        assert ended.status_code == 200
        wait_until(lambda: all(s.closed for s in students), what="class_closed everywhere")
        assert requests.get(f"{a}/api/classes/{code}", timeout=30).status_code == 404
        close_all(*(s.client for s in students), presenter.client)
        assert all(
            requests.get(f"{a}/api/runs/{r['id']}/polls", timeout=30).ok for r in (run, second)
        )
