"""The class REST contract of docs/protocol.md: create, follow a run, ask, vote, reveal."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import socketio_of
from tests.conftest import make_app, run_ended, wait_until

CAR_FAILS_FIRST = ["hotel", "flight", "nothing"]


@pytest.fixture
def klass(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/api/classes")
    assert response.status_code == 201
    return response.get_json()


def start(client: FlaskClient, klass: dict[str, Any], **body: Any) -> dict[str, Any]:
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    response = client.post("/api/runs", json={"preset": "tutorial", "class": auth, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def joined(app: Flask, klass: dict[str, Any]) -> tuple[FlaskClient, str]:
    """A student device: a REST client and the voter id its join_class got (it stays joined
    for the app's life: its Socket.IO test client is kept on the app)."""
    client = app.test_client()
    sio = socketio_of(app).test_client(app, flask_test_client=client)
    app.extensions.setdefault("test.students", []).append(sio)
    ack = sio.emit("join_class", {"code": klass["code"]}, callback=True)
    assert ack["ok"] and ack["class"]["voter"], ack
    return client, ack["class"]["voter"]


def presenter(klass: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"presenter_token": klass["presenter_token"], **body}


def state(client: FlaskClient, klass: dict[str, Any], full: bool = False) -> dict[str, Any]:
    headers = {"X-Presenter-Token": klass["presenter_token"]} if full else {}
    response = client.get(f"/api/classes/{klass['code']}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_create_gives_code_token_and_url(client: FlaskClient, klass) -> None:
    assert set(klass) == {"code", "presenter_token", "url", "join_url"}
    assert len(klass["code"]) == 6 and klass["url"] == f"/class/{klass['code']}"
    assert klass["join_url"] == f"http://localhost/class/{klass['code']}"  # the test client's
    assert state(client, klass) == {
        "code": klass["code"],
        "run_id": None,
        "viewers": 0,
        "poll": None,
    }
    assert client.get(f"/api/classes/{klass['code'].lower()}").status_code == 200


def test_a_run_started_for_the_class_becomes_its_run(client: FlaskClient, klass) -> None:
    first = start(client, klass, start_paused=True)
    assert state(client, klass)["run_id"] == first["id"]
    second = start(client, klass, speed="instant")
    assert state(client, klass)["run_id"] == second["id"]


def test_the_presenter_shows_a_stored_run(app: Flask, client: FlaskClient, klass) -> None:
    run = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).get_json()
    wait_until(run_ended(app, run["id"]), what="the run to end")
    url = f"/api/classes/{klass['code']}/run"
    shown = client.post(url, json=presenter(klass, run_id=run["id"]))
    assert shown.status_code == 200 and shown.get_json()["run_id"] == run["id"]
    missing = client.post(url, json=presenter(klass, run_id="nope"))
    assert missing.status_code == 404 and "no run" in missing.get_json()["error"]
    assert client.post(url, json={"run_id": run["id"]}).status_code == 403


def test_bad_codes_and_tokens(client: FlaskClient, klass) -> None:
    assert client.get("/api/classes/ZZZZZZ").status_code == 404
    page = client.get("/class/ZZZZZZ")
    assert page.status_code == 404 and b"no class with code ZZZZZZ" in page.data
    wrong = {"code": klass["code"], "presenter_token": "guess"}
    response = client.post("/api/runs", json={"preset": "tutorial", "class": wrong})
    assert response.status_code == 403 and "presenter" in response.get_json()["errors"]["class"]
    unknown = {"code": "ZZZZZZ", "presenter_token": "x"}
    response = client.post("/api/runs", json={"preset": "tutorial", "class": unknown})
    assert response.status_code == 404
    malformed = client.post("/api/runs", json={"preset": "tutorial", "class": "ABC"})
    assert malformed.status_code == 400 and "class" in malformed.get_json()["errors"]
    assert (
        client.get(f"/api/classes/{klass['code']}", headers={"X-Presenter-Token": "x"}).status_code
        == 403
    )
    poll = client.post(f"/api/classes/{klass['code']}/poll", json={"question": "?"})
    assert poll.status_code == 403


def test_predict_then_reveal_over_rest(app: Flask, client: FlaskClient, klass) -> None:
    run = start(client, klass, speed="instant", breakpoints=["step_failed"])
    manager = app.extensions["sagalab.runs"]
    wait_until(lambda: manager.get(run["id"]).breakpoint, what="the breakpoint")
    assert manager.get(run["id"]).state == "paused"
    ask = {
        "question": "What will the orchestrator undo first?",
        "choices": CAR_FAILS_FIRST,
        "rule": {"rule": "first_undo", "saga": "BOOK003"},
    }
    code = klass["code"]
    asked = client.post(f"/api/classes/{code}/poll", json=presenter(klass, **ask))
    assert asked.status_code == 201
    poll = asked.get_json()
    assert poll["open"] and poll["counts"] == dict.fromkeys(CAR_FAILS_FIRST, 0)
    students = [joined(app, klass) for _ in range(3)]
    for (student, voter), choice in zip(students, ["flight", "hotel", "hotel"], strict=True):
        voted = student.post(
            f"/api/classes/{code}/vote",
            json={"poll": poll["id"], "choice": choice, "voter": voter},
        )
        assert voted.status_code == 200 and voted.get_json()["choice"] == choice
    (first, first_voter), (second, second_voter), (third, third_voter) = students
    changed = first.post(
        f"/api/classes/{code}/vote", json={"choice": "nothing", "voter": first_voter}
    )
    assert changed.status_code == 200
    public = state(client, klass)["poll"]
    assert public["counts"] is None and public["votes"] == 3, "students see no tally before"
    assert public["connected"] == 3
    assert state(client, klass, full=True)["poll"]["counts"] == {
        "hotel": 2,
        "flight": 0,
        "nothing": 1,
    }
    bad = second.post(f"/api/classes/{code}/vote", json={"choice": "car", "voter": second_voter})
    assert bad.status_code == 400 and "not one of the choices" in bad.get_json()["error"]
    revealed = client.post(f"/api/classes/{code}/reveal", json=presenter(klass))
    assert revealed.status_code == 200 and revealed.get_json()["open"] is False
    late = third.post(f"/api/classes/{code}/vote", json={"choice": "flight", "voter": third_voter})
    assert late.status_code == 409 and "closed" in late.get_json()["error"]
    after = wait_until(
        lambda: state(client, klass)["poll"]["answer"] and state(client, klass)["poll"],
        what="the trace to settle the question",
    )
    assert after["counts"] == {"hotel": 2, "flight": 0, "nothing": 1}
    assert after["answer"] == "hotel"
    # the reveal resumed the run; BOOK004's failed flight (nothing to undo) does not pause it
    wait_until(run_ended(app, run["id"]), what="the resumed run to end")
    assert manager.store.get_run(run["id"])["status"] == "finished"
    stored = client.get(f"/api/runs/{run['id']}/polls")
    assert stored.status_code == 200 and "attachment" in stored.headers["Content-Disposition"]
    [record] = stored.get_json()["polls"]
    assert record["question"] == ask["question"] and record["answer"] == "hotel"
    assert record["counts"] == {"hotel": 2, "flight": 0, "nothing": 1} and not record["open"]


def test_poll_input_is_checked(client: FlaskClient, klass) -> None:
    url = f"/api/classes/{klass['code']}/poll"
    no_run = client.post(url, json=presenter(klass, question="Q?", choices=["a", "b"]))
    assert no_run.status_code == 409 and "run" in no_run.get_json()["error"]
    start(client, klass, start_paused=True)
    cases = [
        ({"choices": ["a", "b"]}, "question"),
        ({"question": "Q?", "choices": ["a"]}, "choices"),
        ({"question": "Q?", "choices": ["a", "a"]}, "choices"),
        ({"question": "Q?", "choices": list("abcdefg")}, "choices"),
        ({"question": "Q?", "choices": ["a", "b"], "rule": {"rule": "guess"}}, "rule"),
        (
            {
                "question": "Q?",
                "choices": ["a", "b"],
                "rule": {"rule": "step_booked", "saga": "BOOK001"},
            },
            "rule",
        ),
    ]
    for body, field in cases:
        response = client.post(url, json=presenter(klass, **body))
        assert response.status_code == 400 and field in response.get_json()["errors"], body
    ok = client.post(url, json=presenter(klass, question="Q?", choices=["a", "b"]))
    assert ok.status_code == 201
    again = client.post(url, json=presenter(klass, question="Q2?", choices=["a", "b"]))
    assert again.status_code == 409 and "reveal" in again.get_json()["error"]
    reveal = f"/api/classes/{klass['code']}/reveal"
    assert client.post(reveal, json=presenter(klass, answer="c")).status_code == 400
    done = client.post(reveal, json=presenter(klass, answer="b")).get_json()
    assert done["answer"] == "b"
    assert client.post(reveal, json=presenter(klass)).status_code == 409


def test_limits_and_expiry_are_configurable(tmp_path) -> None:
    clock = [0.0]
    app = make_app(tmp_path, MAX_CLASSES=1, CLASS_IDLE_SECONDS=60, MAX_POLLS_PER_CLASS=1)
    hub = app.extensions["sagalab.classes"]
    hub.classes.clock = lambda: clock[0]
    client = app.test_client()
    klass = client.post("/api/classes").get_json()
    full = client.post("/api/classes")
    assert full.status_code == 429 and "limit" in full.get_json()["error"]
    start(client, klass, start_paused=True)
    url = f"/api/classes/{klass['code']}/poll"
    assert (
        client.post(url, json=presenter(klass, question="Q", choices=["a", "b"])).status_code == 201
    )
    client.post(f"/api/classes/{klass['code']}/reveal", json=presenter(klass))
    second = client.post(url, json=presenter(klass, question="Q", choices=["a", "b"]))
    assert second.status_code == 429
    clock[0] = 59.0
    assert hub.classes.expired() == []
    clock[0] = 59.0 + 61
    assert [c.code for c in hub.classes.expired()] == [klass["code"]]
    assert client.get(f"/api/classes/{klass['code']}").status_code == 404
    assert client.post("/api/classes").status_code == 201
    app.extensions["sagalab.runs"].shutdown("test finished")


def test_join_page_qr_code_and_student_page(client: FlaskClient, klass) -> None:
    code = klass["code"]
    assert client.get(f"/class?code={code.lower()}").headers["Location"] == f"/class/{code}"
    assert client.get(f"/class/{code.lower()}").headers["Location"] == f"/class/{code}"
    page = client.get(f"/class/{code}")
    assert page.status_code == 200 and f'data-code="{code}"'.encode() in page.data
    assert b"Dashboard" not in page.data, "students get no links to the bench"
    qr = client.get(f"/class/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.startswith(b"<svg") and b"viewBox" in qr.data
    other = client.get(f"/class/{code}/qr.svg", base_url="http://10.0.0.5:8000")
    assert other.data != qr.data, "the QR code carries the address the presenter used"
    assert client.get("/class/ZZZZZZ/qr.svg").status_code == 404


def test_ending_a_class_with_a_body_that_is_not_an_object_is_refused_not_a_500(
    client: FlaskClient, klass
) -> None:
    """Found by tests/test_fuzz.py: a JSON list as the body of DELETE /api/classes/<code>."""
    response = client.delete(f"/api/classes/{klass['code']}", json=[[1]])
    assert response.status_code == 403 and "error" in response.get_json()
