"""Static files at versioned URLs: compressed, cached for good, revalidated by ETag."""

from __future__ import annotations

import gzip
import re
import time

import brotli
from flask.testing import FlaskClient

from tests.conftest import run_ended, wait_until


def page_urls(client: FlaskClient, path: str = "/") -> list[str]:
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)


def test_pages_link_versioned_assets_and_modules_import_within_the_version(
    client: FlaskClient,
) -> None:
    urls = page_urls(client)
    versions = {url.split("/")[2] for url in urls}
    assert len(versions) == 1
    names = {url.split("/", 3)[3] for url in urls}
    assert {"css/saga.css", "js/main.js"} <= names
    assert "/static/" not in client.get("/").get_data(as_text=True)
    base = f"/assets/{versions.pop()}"
    connection = client.get(f"{base}/js/connection.js").get_data(as_text=True)
    assert 'from "../vendor/socket.io.esm.min.js"' in connection  # stays in this version
    assert client.get(f"{base}/vendor/socket.io.esm.min.js").status_code == 200
    loader = client.get(f"{base}/js/plotly_loader.js").get_data(as_text=True)
    assert '"../vendor/plotly.min.js", import.meta.url' in loader  # loaded later, same version


def test_versioned_assets_are_kept_for_a_year_and_revalidate_by_etag(client: FlaskClient) -> None:
    for url in page_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert again.get_data() == b""


def test_gzip_at_once_then_brotli_and_zopfli_once_they_are_made(client: FlaskClient) -> None:
    """The first answers may be gzip -9 (made at once); brotli (quality 11) and zopfli's gzip,
    made in the background or read from instance/compressed/, follow under their own ETags."""
    url = f"/assets/{page_urls(client)[0].split('/')[2]}/vendor/plotly.min.js"
    plain = client.get(url).get_data()
    quick = gzip.compress(plain, 9, mtime=0)
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(first.get_data()) == plain
    deadline = time.monotonic() + 120
    answers = {}
    for accept in ("gzip, br", "gzip"):
        while True:
            answer = client.get(url, headers={"Accept-Encoding": accept})
            best = answer.headers["Content-Encoding"] == accept.split(", ")[-1]
            if best and len(answer.get_data()) < len(quick) or time.monotonic() > deadline:
                break
            assert answer.get_data() == quick  # meanwhile gzip -9
            time.sleep(0.2)
        answers[accept] = answer
    br, zopfli = answers["gzip, br"], answers["gzip"]
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == plain
    assert len(br.get_data()) < 350_000
    assert zopfli.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zopfli.get_data()) == plain
    assert len(zopfli.get_data()) < 0.97 * len(quick)
    tags = {br.headers["ETag"], zopfli.headers["ETag"], first.headers["ETag"]}
    assert len(tags) == (3 if first.get_data() == quick else 2)


def test_a_stale_version_gets_todays_file_uncached(client: FlaskClient) -> None:
    response = client.get("/assets/0000/css/saga.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public, max-age=0")
    assert "immutable" not in response.headers["Cache-Control"]


def test_only_static_and_vendor_files_are_served(client: FlaskClient) -> None:
    version = page_urls(client)[0].split("/")[2]
    for name in ("../app/__init__.py", "%2e%2e/app/__init__.py", "vendor/x.js", "js/nope.js"):
        assert client.get(f"/assets/{version}/{name}").status_code == 404, name


def test_pages_are_compressed_when_asked(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<!doctype html>" in gzip.decompress(response.get_data())


def test_the_generated_vocabulary_module_is_an_asset_too(client: FlaskClient) -> None:
    version = page_urls(client)[0].split("/")[2]
    versioned = client.get(f"/assets/{version}/js/vocabulary.js")
    assert versioned.status_code == 200
    assert "javascript" in versioned.mimetype
    assert versioned.get_data() == client.get("/static/js/vocabulary.js").get_data()


def test_streamed_events_and_exports_are_compressed_when_asked(app, client: FlaskClient) -> None:
    """A run's events (what a share link's page fetches first) and its exports stream packed:
    brotli or gzip as asked, the same bytes once unpacked, and plain for a client that asks
    for neither."""
    run_id = client.post("/api/runs", json={"params": {"bookings": 100}, "speed": "instant"}).json[
        "id"
    ]
    wait_until(run_ended(app, run_id), what="the run to end")
    for path in (f"/api/runs/{run_id}/events", f"/api/runs/{run_id}/events.csv"):
        plain = client.get(path)
        assert "Content-Encoding" not in plain.headers
        body = plain.get_data()
        assert body.count(b"\n") > 100
        packed = client.get(path, headers={"Accept-Encoding": "br"})
        assert packed.headers["Content-Encoding"] == "br"
        assert packed.headers["Vary"] == "Accept-Encoding"
        assert brotli.decompress(packed.get_data()) == body
        assert len(packed.get_data()) * 5 < len(body), path
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.get_data()) == body


def test_a_reload_revalidates_pages_json_and_an_ended_runs_events(app, client) -> None:
    """What a reload asks for again (the page, its JSON, an ended run's events) answers 304
    to the ETag it got; a live run's events, which grow, are sent anew."""
    ended = client.post("/api/runs", json={"preset": "tutorial", "speed": "instant"}).json["id"]
    wait_until(run_ended(app, ended), what="the run to end")
    live = client.post("/api/runs", json={"preset": "tutorial", "speed": 1, "start_paused": True})
    for path in ("/", f"/runs/{ended}", "/api/presets", "/api/params", f"/api/runs/{ended}/events"):
        for accept in ("br", "gzip", "identity"):
            first = client.get(path, headers={"Accept-Encoding": accept})
            assert first.status_code == 200 and first.headers["ETag"], (path, accept)
            assert "no-cache" in first.headers["Cache-Control"], path
            again = client.get(
                path, headers={"Accept-Encoding": accept, "If-None-Match": first.headers["ETag"]}
            )
            assert again.status_code == 304, (path, accept)
            assert again.get_data() == b""
    growing = client.get(f"/api/runs/{live.json['id']}/events")
    assert growing.status_code == 200 and "ETag" not in growing.headers


def test_pages_preload_every_static_import_of_their_module(client: FlaskClient) -> None:
    """The whole static import graph is named in the page (asked for at once, not one import
    level per round trip); what main.js imports on demand, and main.js itself, are not."""
    html = client.get("/").get_data(as_text=True)
    preloads = re.findall(r'<link rel="modulepreload" href="(/assets/[^"]+)">', html)
    names = {url.split("/", 3)[3] for url in preloads}
    deep = {"js/cells.js", "js/state.js", "js/vocabulary.js", "vendor/socket.io.esm.min.js"}
    assert deep <= names  # imported by imports of imports of main.js
    assert not names & {"js/main.js", "js/form.js", "js/class_presenter.js", "js/class_ask.js"}
    assert len(preloads) == len(names)
    for url in preloads:
        assert client.get(url).status_code == 200, url
    history = client.get("/runs").get_data(as_text=True)
    assert re.findall(r'modulepreload" href="/assets/[0-9a-f]+/([^"]+)"', history) == [
        "js/theme.js"
    ]
