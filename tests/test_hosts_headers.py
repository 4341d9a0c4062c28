"""Allowed hosts (no DNS rebinding), the origin check on every state-changing request, and the
security headers on every answer."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket
from flask import Flask
from flask.testing import FlaskClient

from app.assets import VENDOR
from app.origins import PLOTLY_STYLES
from app.server import serving
from tests.conftest import make_app, run_ended, wait_until
from tests.raw_socketio import RawSocket
from tests.sim_helpers import experiment_spec

REBOUND = "rebind.example"  # a name an attacker points at 127.0.0.1 after the page loaded


@pytest.mark.parametrize("path", ["/", "/runs", "/api/presets", "/healthz", "/static/css/saga.css"])
def test_an_unknown_host_is_refused_everywhere(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Host": f"{REBOUND}:5000"})
    assert response.status_code == 400
    assert "ALLOWED_HOSTS" in response.get_data(as_text=True)
    if path.startswith("/api/") or path == "/healthz":
        assert "host name" in response.json["error"]


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:5000", "127.0.0.1:5000", "[::1]:5000", "LOCALHOST."]
)
def test_the_default_hosts_are_served(client: FlaskClient, host: str) -> None:
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["a b", "user@localhost", "localhost:notaport", "local/host"])
def test_a_malformed_host_header_is_refused(client: FlaskClient, host: str) -> None:
    assert client.get("/healthz", headers={"Host": host}).status_code == 400


def test_allowed_hosts_and_the_bound_address_are_configurable(tmp_path: Any) -> None:
    app = make_app(tmp_path, HOST="10.1.2.3", ALLOWED_HOSTS=["saga.example.org"])
    client = app.test_client()
    for host in ("saga.example.org", "10.1.2.3:5000", "localhost"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    for host in (REBOUND, "10.1.2.4", "example.org"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 400, host


def test_bound_to_every_interface_any_ip_address_is_served(tmp_path: Any) -> None:
    client = make_app(tmp_path, HOST="0.0.0.0").test_client()
    for host in ("192.168.1.20:5000", "[fe80::1]:5000", "localhost:5000"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    assert client.get("/healthz", headers={"Host": f"{REBOUND}:5000"}).status_code == 400


def test_a_dns_rebinding_page_can_neither_start_nor_delete(app: Flask, client) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    wait_until(run_ended(app, started["id"]), what="the run to end")
    attack = {"Host": f"{REBOUND}:5000", "Origin": f"http://{REBOUND}:5000"}
    assert client.post("/api/runs", json={"preset": "tutorial"}, headers=attack).status_code == 400
    token = {"token": started["control_token"]}
    deleted = client.delete(f"/api/runs/{started['id']}", json=token, headers=attack)
    assert deleted.status_code == 400
    assert client.get("/healthz").json["runs"] == 1


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost", True),
        ("http://127.0.0.1", True),  # another allowed host, same port
        ("http://localhost:8080", False),  # another program on this machine
        (f"http://{REBOUND}", False),
        ("null", False),
        ("file://", False),
        ("http://localhost@evil.example", False),
    ],
)
def test_state_changes_need_a_page_of_an_allowed_host_on_this_port(
    client: FlaskClient, origin: str, allowed: bool
) -> None:
    body = {"preset": "tutorial", "start_paused": True}
    response = client.post("/api/runs", json=body, headers={"Origin": origin})
    assert (response.status_code == 201) is allowed, response.json
    if not allowed:
        assert response.status_code == 403 and origin in response.json["error"]


def test_experiments_and_their_cancel_check_the_origin_too(client: FlaskClient) -> None:
    foreign = {"Origin": "http://evil.example"}
    spec = experiment_spec(0.2, 5)
    refused = client.post("/api/experiments", json=spec, headers=foreign)
    assert refused.status_code == 403
    assert client.get("/api/experiments").json == []
    exp = client.post("/api/experiments", json=spec).json
    cancel = client.post(
        f"/api/experiments/{exp['id']}/cancel",
        json={"token": exp["control_token"]},
        headers=foreign,
    )
    assert cancel.status_code == 403


def test_allowed_origins_lets_a_named_site_in(tmp_path: Any) -> None:
    client = make_app(tmp_path, ALLOWED_ORIGINS=["https://lab.example.org"]).test_client()
    headers = {"Origin": "https://lab.example.org"}
    body = {"preset": "tutorial", "start_paused": True}
    assert client.post("/api/runs", json=body, headers=headers).status_code == 201


@pytest.fixture
def served(tmp_path: Any) -> Iterator[str]:
    with serving(make_app(tmp_path)) as url:
        yield url


def test_socketio_refuses_unknown_hosts_and_foreign_origins(served: str) -> None:
    port = served.rsplit(":", 1)[1]
    polling = served + "/socket.io/?EIO=4&transport=polling"
    assert (
        requests.get(polling, headers={"Host": f"{REBOUND}:{port}"}, timeout=10).status_code == 400
    )
    assert requests.get(polling, timeout=10).status_code == 200
    for host, origin in (
        (f"{REBOUND}:{port}", None),
        (f"{REBOUND}:{port}", f"http://{REBOUND}:{port}"),
        (None, f"http://{REBOUND}:{port}"),
        (None, "http://localhost:1"),
    ):
        with pytest.raises(websocket.WebSocketBadStatusException):
            RawSocket(served, host, origin)
    own = RawSocket(served, origin=f"http://localhost:{port}")
    assert own.call("join_run", {"run_id": "nope"})["ok"] is False
    own.close()


PAGES = ["/", "/runs", "/compare", "/experiments", "/nope", "/api/presets", "/healthz"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_socketio_and_static_answers_carry_nosniff(served: str) -> None:
    for path in ("/socket.io/?EIO=4&transport=polling", "/static/js/main.js"):
        response = requests.get(served + path, timeout=10)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_scripts_and_stylesheets_carry_nosniff_and_no_document_headers(client) -> None:
    """The ~40 modules and stylesheets of a first load skip what only a document's answer
    means to a browser; an SVG (it can hold script when opened on its own) keeps the CSP."""
    html = client.get("/").get_data(as_text=True)
    version = re.search(r"/assets/([0-9a-f]+)/", html).group(1)
    for name in ("js/main.js", "css/saga.css", "vendor/socket.io.esm.min.js"):
        headers = client.get(f"/assets/{version}/{name}").headers
        assert headers["X-Content-Type-Options"] == "nosniff", name
        for other in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
            assert other not in headers, (name, other)
    svg = client.get(f"/assets/{version}/favicon.svg").headers
    assert "frame-ancestors 'none'" in svg["Content-Security-Policy"]


def test_no_page_may_be_framed_not_even_a_run_page(app: Flask, client) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    headers = client.get(f"/runs/{started['id']}").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"javascript:", re.I),
]


def test_no_page_has_inline_script_style_or_handlers(app: Flask, client) -> None:
    started = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json
    wait_until(run_ended(app, started["id"]), what="the run to end")
    run_id = started["id"]
    for path in (
        "/",
        f"/runs/{run_id}",
        "/runs",
        "/compare",
        f"/compare?a={run_id}&b={run_id}",
        "/experiments",
        "/nope",
    ):
        html = client.get(path).get_data(as_text=True)
        for pattern in INLINE:
            assert not pattern.search(html), (path, pattern.pattern, pattern.search(html))


def test_the_allowed_style_hashes_are_those_of_the_installed_plotly() -> None:
    folder, name = VENDOR["plotly.min.js"]
    source = Path(__file__).parents[1].joinpath("node_modules", folder, name).read_text()
    texts = [""]  # the element plotly fills through the CSSOM starts empty
    for match in re.finditer(r'createElement\("style"\).{0,200}?\.textContent=\'', source):
        texts.append(source[match.end() : source.index("'", match.end())])
    hashes = {
        "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        for text in texts
    }
    assert hashes == set(PLOTLY_STYLES), "plotly changed: update PLOTLY_STYLES in app/origins.py"
