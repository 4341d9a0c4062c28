"""Static files at versioned URLs: compressed, cached for good, revalidated by ETag."""

from __future__ import annotations

import gzip
import re
import time

import brotli
from flask.testing import FlaskClient


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
    charts = client.get(f"{base}/js/charts.js").get_data(as_text=True)
    assert '"../vendor/plotly.min.js", import.meta.url' in charts  # loaded later, same version


def test_versioned_assets_are_kept_for_a_year_and_revalidate_by_etag(client: FlaskClient) -> None:
    for url in page_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert again.get_data() == b""


def test_gzip_then_brotli_once_it_is_made(client: FlaskClient) -> None:
    url = f"/assets/{page_urls(client)[0].split('/')[2]}/vendor/plotly.min.js"
    plain = client.get(url).get_data()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.get_data()) == plain
    assert len(zipped.get_data()) < len(plain) / 2.5
    deadline = time.monotonic() + 60  # brotli is made in the background, meanwhile gzip
    while True:
        best = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        if best.headers["Content-Encoding"] == "br" or time.monotonic() > deadline:
            break
        assert best.headers["Content-Encoding"] == "gzip"
        time.sleep(0.2)
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.get_data()) == plain
    assert len(best.get_data()) < 350_000
    assert best.headers["ETag"] != zipped.headers["ETag"]


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
