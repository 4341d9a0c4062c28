"""One vote per joined device: a voter id from join_class, a class size, a rate limit."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from app.extensions import socketio_of
from tests.conftest import make_app


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    app = make_app(tmp_path, MAX_CLASS_SIZE=5, VOTES_PER_MINUTE=20)
    yield app
    app.extensions["sagalab.runs"].shutdown("test finished")


@pytest.fixture
def asked(app: Flask) -> dict[str, Any]:
    """A class showing a paused run, with an open question."""
    client = app.test_client()
    klass = client.post("/api/classes").get_json()
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    run = client.post("/api/runs", json={"preset": "tutorial", "class": auth, "start_paused": True})
    assert run.status_code == 201
    poll = client.post(
        f"/api/classes/{klass['code']}/poll",
        json={"presenter_token": klass["presenter_token"], "question": "Q?", "choices": ["a", "b"]},
    )
    assert poll.status_code == 201
    return {**klass, "poll": poll.get_json()["id"]}


def device(app: Flask) -> SocketIOTestClient:
    return socketio_of(app).test_client(app, flask_test_client=app.test_client())


def join(sio: SocketIOTestClient, klass: dict[str, Any], voter: str | None = None) -> dict:
    ack = sio.emit("join_class", {"code": klass["code"], "voter": voter}, callback=True)
    assert ack["ok"], ack
    return ack["class"]


def vote(client: FlaskClient, klass: dict[str, Any], **body: Any) -> Any:
    return client.post(f"/api/classes/{klass['code']}/vote", json=body)


def tally(client: FlaskClient, klass: dict[str, Any]) -> dict[str, Any]:
    headers = {"X-Presenter-Token": klass["presenter_token"]}
    return client.get(f"/api/classes/{klass['code']}", headers=headers).get_json()["poll"]


def test_300_cookieless_votes_count_at_most_once_each_for_real_joins(
    app: Flask, asked: dict[str, Any]
) -> None:
    devices = [device(app) for _ in range(3)]
    voters = [join(sio, asked)["voter"] for sio in devices]
    assert len(set(voters)) == 3 and all(voters)
    script = app.test_client(use_cookies=False)
    answers: dict[int, int] = {}
    for i in range(300):
        body: dict[str, Any] = {"choice": "ab"[i % 2], "poll": asked["poll"]}
        if i % 3 == 1:
            body["voter"] = secrets.token_urlsafe(12)  # a made-up id
        elif i % 3 == 2:
            body["voter"] = voters[i % 3]  # a real device's id, over and over
        response = vote(script, asked, **body)
        answers[response.status_code] = answers.get(response.status_code, 0) + 1
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
    assert set(answers) <= {200, 403, 429}, answers
    assert answers[403] == 200  # no id, or one no join was given
    assert answers[200] == 20 and answers[429] == 80  # the device's 20 votes a minute
    poll = tally(app.test_client(), asked)
    assert poll["votes"] == 1 and poll["connected"] == 3  # one device voted, however often
    for voter in voters:
        assert vote(script, asked, choice="a", voter=voter).status_code in (200, 429)
    assert tally(app.test_client(), asked)["votes"] == 3


def test_a_vote_counts_while_its_device_is_in_the_class_and_again_when_it_rejoins(
    app: Flask, asked: dict[str, Any]
) -> None:
    sio = device(app)
    voter = join(sio, asked)["voter"]
    client = app.test_client(use_cookies=False)
    assert vote(client, asked, choice="b", voter=voter).status_code == 200
    assert tally(client, asked)["counts"] == {"a": 0, "b": 1}
    sio.disconnect()
    assert tally(client, asked)["counts"] == {"a": 0, "b": 0}  # gone: its vote does not count
    assert vote(client, asked, choice="a", voter=voter).status_code == 403
    back = device(app)
    state = join(back, asked, voter=voter)  # the page comes back with its id
    assert state["voter"] == voter and state["your_vote"] == "b"
    assert tally(client, asked)["counts"] == {"a": 0, "b": 1}


def test_joining_voting_and_leaving_in_a_loop_adds_nothing(
    app: Flask, asked: dict[str, Any]
) -> None:
    client = app.test_client(use_cookies=False)
    for _ in range(20):
        sio = device(app)
        voter = join(sio, asked)["voter"]
        assert vote(client, asked, choice="a", voter=voter).status_code == 200
        sio.disconnect()
    assert tally(client, asked)["votes"] == 0


def test_a_full_class_lets_more_devices_watch_but_not_vote(
    app: Flask, asked: dict[str, Any]
) -> None:
    devices = [device(app) for _ in range(6)]
    voters = [join(sio, asked)["voter"] for sio in devices]
    assert all(voters[:5]) and voters[5] is None  # MAX_CLASS_SIZE=5
    refused = vote(app.test_client(), asked, choice="a", voter=voters[5])
    assert refused.status_code == 403 and "voter" in refused.get_json()["errors"]
    devices[0].disconnect()  # a seat frees up
    assert join(device(app), asked)["voter"]


def test_the_tally_at_the_reveal_is_kept(app: Flask, asked: dict[str, Any]) -> None:
    sio = device(app)
    voter = join(sio, asked)["voter"]
    client = app.test_client()
    assert vote(client, asked, choice="a", voter=voter).status_code == 200
    token = {"presenter_token": asked["presenter_token"], "resume": False}
    assert client.post(f"/api/classes/{asked['code']}/reveal", json=token).status_code == 200
    sio.disconnect()
    poll = tally(client, asked)
    assert poll["counts"] == {"a": 1, "b": 0} and poll["connected"] is None
