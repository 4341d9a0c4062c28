"""A property-based fuzzer over every REST route (bodies, query strings, ids in the path,
presenter-token headers), every Socket.IO event and raw Socket.IO packets: never a 5xx,
always a JSON error, the server still answers.

The shapes that once gave a 500 are generated on purpose: objects (and {}) where a scalar
goes, every run parameter set to one, lone UTF-16 surrogates and other non-ASCII text in
every token, id and text field. 2,000 requests and 1,000 Socket.IO payloads per run of the
suite; SAGALAB_FUZZ_SCALE=20 multiplies them for a longer hunt.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import socketio_of
from app.server import serving
from sim.schema import ALL_FIELDS
from tests.conftest import make_app, run_ended, wait_until
from tests.raw_socketio import RawSocket
from tests.sim_helpers import experiment_spec

SCALE = int(os.environ.get("SAGALAB_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    """Hypothesis settings for `examples` (times SAGALAB_FUZZ_SCALE) examples, no deadline."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


#: names the server reads somewhere, so that generated input reaches past the first check
KEYS = [
    "preset", "params", "speed", "start_paused", "seed", "switch", "token", "bookings", "plan",
    "services", "car", "hotel", "flight", "capacity", "failure_rate", "mode", "orchestrator",
    "choreography", "crash_saga", "crash_at", "until", "retries", "retry_steps", "base",
    "sweep", "factor", "param", "from", "to", "step", "levels", "replications", "name",
    "run_id", "from_seq", "action", "fault", "actor", "experiment_id", "BOOK002", "BOOK0002",
    "class", "code", "presenter_token", "voter", "choice", "poll", "question", "choices",
    "rule", "answer", "resume", "seq", "breakpoints", "saga",
]  # fmt: skip
WORDS = [
    "tutorial", "instant", "same", "new", "idempotent", "mode", "pause", "resume", "step",
    "stop", "inject", "crash", "restart", "orchestrator", "car", "BOOK001", "BOOK002\n",
    "services.car.failure_rate", "orchestration", "choreography", "retries", "seed", "plan",
]  # fmt: skip
BIG = [10**99, -(10**99), 2**63, 2**64, -(2**63) - 1, 10**400, 1e308, 5e-324]

#: text as a client may send it: any character, lone surrogates ("\ud800", which JSON can
#: escape but UTF-8 cannot encode) and the non-ASCII that tokens and ids never hold
NON_ASCII = ["é", "ü", "€", "\u200b", "\U0001f600", "\ud800", "\udfff", "BOOK00\u0662", "\x00"]
texts = st.text(
    st.characters() | st.characters(categories=["Cs"]) | st.sampled_from("éü€\u200b\ud800"),
    max_size=12,
) | st.sampled_from(NON_ASCII)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from(BIG)
    | st.floats()  # NaN and infinities too: Python's json writes and reads them
    | texts
    | st.sampled_from(WORDS + NON_ASCII)
)
keys = st.sampled_from(KEYS) | texts
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=16,
)
objects = st.dictionaries(keys, json_values, max_size=6)
#: where a scalar goes, also an object: {} (which once deleted a parameter), or a full one
anything = json_values | st.just({}) | objects
#: every run parameter by its dotted name, set to anything (an object most often)
PARAMS = sorted(ALL_FIELDS)
params = st.lists(
    st.tuples(st.sampled_from(PARAMS), st.just({}) | objects | json_values), max_size=3
).map(lambda pairs: _nested_params(pairs))


def _nested_params(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        node = out
        *groups, last = name.split(".")
        for group in groups:
            node = node.setdefault(group, {}) if isinstance(node.get(group, {}), dict) else {}
        node[last] = value
    return out


#: a token or id as sent: the real one, or text that cannot be one (non-ASCII included)
def token_like(real: list[str]) -> st.SearchStrategy[Any]:
    return st.sampled_from(real) | texts | st.sampled_from(NON_ASCII) | anything


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"params": value}
    return value


bodies = (
    objects.map(json.dumps)
    | params.map(lambda p: json.dumps({"preset": "tutorial", "params": p}))
    | st.fixed_dictionaries(
        {},
        optional={
            "preset": anything,
            "speed": anything,
            "start_paused": anything,
            "class": anything,
            "breakpoints": anything,
            "params": params,
        },
    ).map(json.dumps)
    | json_values.map(json.dumps)
    | st.binary(max_size=40)
    | st.integers(40, 3000).map(lambda n: json.dumps(deep(n)) if n < 600 else "[" * n + "]" * n)
    | st.just('{"params": {"bookings": 1' + "0" * 4000 + "}}")
)
queries = st.dictionaries(
    st.sampled_from(["limit", "offset", "page", "preset", "mode", "a", "b", "embed", "x"]),
    st.text(max_size=10) | st.sampled_from(["0", "-1", str(2**63), "9" * 30, "1e3", " 5"]),
    max_size=3,
)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One app with a finished run, a paused live run and an experiment to aim at."""
    app = make_app(
        tmp_path_factory.mktemp("fuzz"),
        EXPERIMENT_WORKERS=0,
        EXPERIMENT_RUN_FN="tests.test_batch_pool:fake_run_summary",
    )
    client = app.test_client()
    done = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    wait_until(run_ended(app, done["id"]), what="the run to end")
    klass = client.post("/api/classes").json
    auth = {"code": klass["code"], "presenter_token": klass["presenter_token"]}
    paused = client.post(
        "/api/runs", json={"preset": "tutorial", "start_paused": True, "class": auth}
    ).json
    asked = client.post(
        f"/api/classes/{klass['code']}/poll",
        json={**auth, "question": "Q?", "choices": ["a", "b"]},
    )
    assert asked.status_code == 201
    student = SocketIOTestClient(app, socketio_of(app), flask_test_client=app.test_client())
    voter = student.emit("join_class", {"code": klass["code"]}, callback=True)["class"]["voter"]
    exp = client.post("/api/experiments", json=experiment_spec(0.3, 1)).json
    yield {
        "app": app,
        "runs": [done["id"], paused["id"]],
        "experiment": exp["id"],
        "class": klass,
        "voter": voter,
    }
    student.disconnect()
    app.extensions["sagalab.runs"].shutdown("test finished")


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the app logged as failed (a handler's exception), not other servers' noise."""
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("app")]


def route_cases(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) for every route the app has."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def ids(fuzzed: dict[str, Any]) -> st.SearchStrategy[str]:
    """A path segment: a real run, experiment or class, or any text percent-encoded (lone
    surrogates as the bytes UTF-8 would give them, which are not UTF-8)."""
    known = [*fuzzed["runs"], fuzzed["experiment"], fuzzed["class"]["code"], "nope", "main.js"]
    encoded = texts.filter(bool).map(lambda s: quote(s, "", errors="surrogatepass"))
    return st.sampled_from(known) | encoded


def class_body(fuzzed: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A body aimed at the class API: real or bad tokens, voter ids, run ids, choices."""
    klass = fuzzed["class"]
    return st.fixed_dictionaries(
        {},
        optional={
            "presenter_token": token_like([klass["presenter_token"]]),
            "voter": token_like([fuzzed["voter"]]),
            "run_id": token_like(fuzzed["runs"]),
            "choice": token_like(["a", "b"]),
            "poll": anything, "question": anything, "choices": anything, "rule": anything,
            "answer": anything, "resume": anything, "seq": anything, "token": anything,
        },
    )  # fmt: skip


#: a presenter token in a header: Latin-1 text (what a header can carry), any of it
header_tokens = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=30)


def assert_answered(client: FlaskClient, response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.get_data(as_text=True)[:300])
    if response.status_code >= 400 and response.request.path.startswith("/api/"):
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and ("error" in body or "errors" in body), (what, body)
    assert client.get("/healthz").status_code == 200


def test_every_rest_route_answers_bad_input_with_a_json_4xx(
    fuzzed: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = fuzzed["app"]
    client = app.test_client()
    routes = route_cases(app)
    assert len(routes) >= 25  # every route, found from the app itself

    aimed = class_body(fuzzed).map(json.dumps)
    placeholder = re.compile(r"<[^>]+>")

    @fuzz(2_000)
    @given(
        st.sampled_from(routes),
        st.data(),
        queries,
        bodies | aimed,
        st.none() | st.just(fuzzed["class"]["presenter_token"]) | header_tokens,
    )
    def hit(
        route: tuple[str, str], data: Any, query: dict[str, str], body: Any, token: str | None
    ) -> None:
        method, rule = route
        path = placeholder.sub(lambda _m: data.draw(ids(fuzzed)), rule)
        url = path + ("?" + urlencode(query) if query else "")
        headers = {"X-Presenter-Token": token} if token is not None else {}
        sent.append(method)
        response = client.open(
            url, method=method, data=body, content_type="application/json", headers=headers
        )
        assert_answered(client, response, f"{method} {url} {body!r:.200} {headers}")

    sent: list[str] = []
    with caplog.at_level(logging.ERROR):
        hit()
    assert not failures(caplog), caplog.text[:2000]
    assert len(sent) >= 2_000 * SCALE  # the requests the issue asks for, all answered


EVENTS = [
    "start_run", "join_run", "leave_run", "control_run", "join_experiment", "join_class",
    "leave_class", "whatever",
]  # fmt: skip


def test_every_socketio_event_answers_bad_input_with_an_error_ack(
    fuzzed: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = fuzzed["app"]
    client = app.test_client()
    sio = SocketIOTestClient(app, socketio_of(app), flask_test_client=client)
    klass = fuzzed["class"]
    aimed = st.fixed_dictionaries(
        {"run_id": token_like(fuzzed["runs"])},
        optional={"token": anything, "action": anything, "from_seq": anything,
                  "speed": anything, "fault": anything, "breakpoints": anything,
                  "experiment_id": token_like([fuzzed["experiment"]]),
                  "code": token_like([klass["code"]]),
                  "presenter_token": token_like([klass["presenter_token"]]),
                  "voter": token_like([fuzzed["voter"]])},
    )  # fmt: skip
    starts = st.fixed_dictionaries(
        {"params": params},
        optional={"preset": anything, "speed": anything, "class": anything,
                  "start_paused": anything},
    )  # fmt: skip

    @fuzz(1_000)
    @given(st.sampled_from(EVENTS), st.lists(aimed | starts | objects | json_values, max_size=2))
    def emit(event: str, args: list[Any]) -> None:
        sent.append(event)
        ack = sio.emit(event, *args, callback=True)
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, args, ack)
        if not ack["ok"]:
            assert ack.get("error") or ack.get("errors"), (event, args, ack)
            assert ack.get("error") != "the server could not handle this message", (event, args)
        sio.get_received()
        assert client.get("/healthz").status_code == 200

    sent: list[str] = []
    with caplog.at_level(logging.ERROR):
        emit()
    sio.disconnect()
    assert not failures(caplog), caplog.text[:2000]
    assert len(sent) >= 1_000 * SCALE and set(EVENTS) <= set(sent)


#: a payload after the ack id: anything but a digit or "-" (which would extend the id's grammar)
payloads = (
    st.text(max_size=60) | json_values.map(json.dumps) | objects.map(lambda o: json.dumps([o]))
).filter(lambda s: not s[:1].isdigit() and not s.startswith("-"))


def test_raw_socketio_packets_always_get_an_ack(tmp_path: Any) -> None:
    with serving(make_app(tmp_path)) as url:
        raw = RawSocket(url)
        counter = iter(range(1, 10**9))

        @fuzz(60)
        @given(payloads | st.sampled_from(EVENTS).map(lambda e: json.dumps([e, {"run_id": 1}])))
        def send(payload: str) -> None:
            ack_id = next(counter)
            raw.send(f"2{ack_id}{payload}")
            ack = raw.ack(ack_id)
            assert isinstance(ack, dict) and "ok" in ack, (payload, ack)
            if not ack["ok"]:
                assert ack.get("error") or ack.get("errors"), (payload, ack)

        send()
        assert raw.call("join_run", {"run_id": "nope"})["ok"] is False  # still connected
        raw.close()
