"""A property-based fuzzer over every REST route (bodies and query strings), every Socket.IO
event and raw Socket.IO packets: never a 5xx, always a JSON error, the server still answers.

Example counts are modest so that the suite stays fast; SAGALAB_FUZZ_SCALE=20 multiplies them
for a longer hunt.
"""

from __future__ import annotations

import json
import logging
import os
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
]  # fmt: skip
WORDS = [
    "tutorial", "instant", "same", "new", "idempotent", "mode", "pause", "resume", "step",
    "stop", "inject", "crash", "restart", "orchestrator", "car", "BOOK001", "BOOK002\n",
    "services.car.failure_rate", "orchestration", "choreography", "retries", "seed", "plan",
]  # fmt: skip
BIG = [10**99, -(10**99), 2**63, 2**64, -(2**63) - 1, 10**400, 1e308, 5e-324]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from(BIG)
    | st.floats()  # NaN and infinities too: Python's json writes and reads them
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
)
keys = st.sampled_from(KEYS) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=16,
)
objects = st.dictionaries(keys, json_values, max_size=6)


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"params": value}
    return value


bodies = (
    objects.map(json.dumps)
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
    paused = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json
    exp = client.post("/api/experiments", json=experiment_spec(0.3, 1)).json
    yield {"app": app, "runs": [done["id"], paused["id"]], "experiment": exp["id"]}
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
    known = [*fuzzed["runs"], fuzzed["experiment"], "nope", "main.js", "plotly.min.js"]
    return st.sampled_from(known) | st.text(min_size=1, max_size=20).map(lambda s: quote(s, ""))


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

    @fuzz(250)
    @given(st.sampled_from(routes), st.data(), queries, bodies)
    def hit(route: tuple[str, str], data: Any, query: dict[str, str], body: Any) -> None:
        method, rule = route
        path = rule
        for part in ("<run_id>", "<exp_id>", "<name>", "<path:filename>"):
            if part in path:
                path = path.replace(part, data.draw(ids(fuzzed)))
        url = path + ("?" + urlencode(query) if query else "")
        response = client.open(url, method=method, data=body, content_type="application/json")
        assert_answered(client, response, f"{method} {url} {body!r:.200}")

    with caplog.at_level(logging.ERROR):
        hit()
    assert not failures(caplog), caplog.text[:2000]


EVENTS = ["start_run", "join_run", "leave_run", "control_run", "join_experiment", "whatever"]


def test_every_socketio_event_answers_bad_input_with_an_error_ack(
    fuzzed: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = fuzzed["app"]
    client = app.test_client()
    sio = SocketIOTestClient(app, socketio_of(app), flask_test_client=client)
    aimed = st.fixed_dictionaries(
        {"run_id": st.sampled_from(fuzzed["runs"]) | st.text(max_size=70)},
        optional={"token": json_values, "action": json_values, "from_seq": scalars,
                  "speed": scalars, "fault": json_values, "experiment_id": st.text(max_size=70)},
    )  # fmt: skip

    @fuzz(150)
    @given(st.sampled_from(EVENTS), st.lists(aimed | objects | json_values, max_size=2))
    def emit(event: str, args: list[Any]) -> None:
        ack = sio.emit(event, *args, callback=True)
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, args, ack)
        if not ack["ok"]:
            assert ack.get("error") or ack.get("errors"), (event, args, ack)
            assert ack.get("error") != "the server could not handle this message", (event, args)
        sio.get_received()
        assert client.get("/healthz").status_code == 200

    with caplog.at_level(logging.ERROR):
        emit()
    sio.disconnect()
    assert not failures(caplog), caplog.text[:2000]


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
