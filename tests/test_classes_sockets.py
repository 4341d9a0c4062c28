"""Socket.IO for classes: join as a student or presenter, follow run switches, counts, limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from app.extensions import socketio_of
from tests.conftest import batch_events, drain, run_ended, wait_until


@pytest.fixture
def klass(client: FlaskClient) -> dict[str, Any]:
    return client.post("/api/classes").get_json()


@pytest.fixture
def students(app: Flask) -> Iterator[list[SocketIOTestClient]]:
    clients = [
        socketio_of(app).test_client(app, flask_test_client=app.test_client()) for _ in range(3)
    ]
    yield clients
    for sio in clients:
        if sio.is_connected():
            sio.disconnect()


def join(sio: SocketIOTestClient, klass: dict[str, Any], presenter: bool = False) -> dict:
    body = {"code": klass["code"]}
    if presenter:
        body["presenter_token"] = klass["presenter_token"]
    return sio.emit("join_class", body, callback=True)


def class_states(sio: SocketIOTestClient, into: list[dict[str, Any]]) -> list[dict[str, Any]]:
    into += drain(sio).get("class_state", [])
    return into


def test_viewers_are_counted_and_the_presenter_is_not(app, sio, klass, students) -> None:
    assert join(sio, klass, presenter=True)["ok"]
    for student in students:
        ack = join(student, klass)
        assert ack["ok"] and ack["class"]["code"] == klass["code"]
    seen: list[dict[str, Any]] = []
    wait_until(lambda: class_states(sio, seen) and seen[-1]["viewers"] == 3, what="3 viewers")
    students[0].disconnect()
    wait_until(lambda: class_states(sio, seen) and seen[-1]["viewers"] == 2, what="2 viewers")
    assert app.test_client().get(f"/api/classes/{klass['code']}").get_json()["viewers"] == 2


def test_bad_joins_are_refused_with_a_status(sio, klass) -> None:
    assert join(sio, {"code": "ZZZZZZ"}) == {
        "ok": False,
        "status": 404,
        "error": "there is no class with code 'ZZZZZZ' (it may have ended)",
    }
    wrong = sio.emit("join_class", {"code": klass["code"], "presenter_token": "x"}, callback=True)
    assert wrong["ok"] is False and wrong["status"] == 403
    assert sio.emit("join_class", "ABC", callback=True)["status"] == 400


def test_students_follow_each_new_run_and_catch_up_exactly(app, client, klass, students) -> None:
    for student in students[:2]:
        assert join(student, klass)["class"]["run_id"] is None
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    first = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant", "class": auth})
    first_id = first.get_json()["id"]
    for student in students[:2]:
        seen: list[dict[str, Any]] = []
        wait_until(
            lambda s=student, seen=seen: class_states(s, seen) and seen[-1]["run_id"] == first_id,
            what="the switch to the first run",
        )
    wait_until(run_ended(app, first_id), what="the first run to end")
    second = client.post(
        "/api/runs", json={"preset": "car-retry", "speed": 50, "class": auth, "start_paused": True}
    ).get_json()
    seen = []
    wait_until(
        lambda: class_states(students[0], seen) and seen[-1]["run_id"] == second["id"],
        what="the switch to the second run",
    )
    late = students[2]
    ack = join(late, klass)
    assert ack["class"]["run_id"] == second["id"]
    assert late.emit("join_run", {"run_id": second["id"], "from_seq": 0}, callback=True)["ok"]
    stored = [
        line
        for rows in app.extensions["sagalab.runs"].store.event_lines(second["id"])
        for _seq, line in rows
    ]
    events = batch_events(drain(late)["run_events"], second["id"])
    assert len(events) == len(stored) and events[0]["kind"] == "run.started"


def test_a_student_cannot_control_the_class_run(app, client, klass, students) -> None:
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    run = client.post(
        "/api/runs", json={"preset": "tutorial", "class": auth, "start_paused": True}
    ).get_json()
    student = students[0]
    join(student, klass)
    for action in ("resume", "step", "stop"):
        ack = student.emit("control_run", {"run_id": run["id"], "action": action}, callback=True)
        assert ack["ok"] is False and "token" in ack["error"]
    assert app.extensions["sagalab.runs"].get(run["id"]).state == "paused"
    poll = client.post(
        f"/api/classes/{klass['code']}/poll", json={"question": "Q?", "choices": ["a", "b"]}
    )
    assert poll.status_code == 403


def test_tallies_reach_the_presenter_live_and_students_after_the_reveal(
    app, client, sio, klass, students
) -> None:
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    client.post("/api/runs", json={"preset": "tutorial", "class": auth, "start_paused": True})
    join(sio, klass, presenter=True)
    voter = join(students[0], klass)["class"]["voter"]
    token = {"presenter_token": klass["presenter_token"]}
    code = klass["code"]
    client.post(
        f"/api/classes/{code}/poll", json={**token, "question": "Q?", "choices": ["a", "b"]}
    )
    app.test_client().post(f"/api/classes/{code}/vote", json={"choice": "b", "voter": voter})
    seen: list[dict[str, Any]] = []
    wait_until(
        lambda: (
            class_states(sio, seen) and (seen[-1]["poll"] or {}).get("counts") == {"a": 0, "b": 1}
        ),
        what="the presenter's live tally",
    )
    student_seen = class_states(students[0], [])
    assert student_seen and all(
        s["poll"] is None or s["poll"]["counts"] is None for s in student_seen
    )
    client.post(f"/api/classes/{code}/reveal", json=token)
    wait_until(
        lambda: (
            class_states(students[0], student_seen)
            and student_seen[-1]["poll"]["counts"] == {"a": 0, "b": 1}
        ),
        what="the reveal",
    )


def test_ending_a_class_tells_everyone(client, klass, students) -> None:
    join(students[0], klass)
    headers = {"X-Presenter-Token": klass["presenter_token"]}
    assert client.delete(f"/api/classes/{klass['code']}", headers=headers).status_code == 200
    closed = drain(students[0])["class_closed"]
    assert closed == [{"code": klass["code"], "reason": "the presenter ended the class"}]
    assert client.get(f"/class/{klass['code']}").status_code == 404


def test_a_restart_ends_no_class_and_its_devices_come_back_with_their_votes(tmp_path) -> None:
    from app import shutdown
    from tests.conftest import make_app

    first = make_app(tmp_path)
    klass = first.test_client().post("/api/classes").get_json()
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    run = first.test_client().post("/api/runs", json={"preset": "tutorial", "class": auth})
    assert run.status_code == 201
    asked = first.test_client().post(
        f"/api/classes/{klass['code']}/poll", json={**auth, "question": "Q?", "choices": ["a", "b"]}
    )
    assert asked.status_code == 201
    device = socketio_of(first).test_client(first, flask_test_client=first.test_client())
    voter = join(device, klass)["class"]["voter"]
    vote = first.test_client().post(
        f"/api/classes/{klass['code']}/vote", json={"voter": voter, "choice": "b"}
    )
    assert vote.status_code == 200
    shutdown(first)  # its connections leave their classes; the class stays
    assert first.test_client().get(f"/api/classes/{klass['code']}").get_json()["viewers"] == 0

    second = make_app(tmp_path)  # the same database, a new process
    back = socketio_of(second).test_client(second, flask_test_client=second.test_client())
    ack = back.emit("join_class", {"code": klass["code"], "voter": voter}, callback=True)
    assert ack["ok"] and ack["class"]["voter"] == voter and ack["class"]["your_vote"] == "b"
    headers = {"X-Presenter-Token": klass["presenter_token"]}
    state = second.test_client().get(f"/api/classes/{klass['code']}", headers=headers)
    assert state.get_json()["poll"]["counts"] == {"a": 0, "b": 1}
    assert state.get_json()["viewers"] == 1
    shutdown(second)
