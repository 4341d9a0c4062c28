"""Page routes and the vendored browser libraries."""

from __future__ import annotations

from flask.testing import FlaskClient

from app import assets


def test_index_renders_without_a_run(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-run-id=""' in response.get_data(as_text=True)


def test_run_page_renders_with_its_run_id(client: FlaskClient) -> None:
    run_id = client.post("/api/runs", json={"preset": "tutorial", "start_paused": True}).json["id"]
    response = client.get(f"/runs/{run_id}")
    assert response.status_code == 200
    assert f'data-run-id="{run_id}"' in response.get_data(as_text=True)


def test_unknown_run_page_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/runs/nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "no run with id" in response.get_data(as_text=True)


def test_plotly_basic_is_served_from_node_modules(client: FlaskClient) -> None:
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.mimetype
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert b"plotly.js (basic - minified)" in response.get_data()[:2000]


def test_socketio_client_is_served_from_node_modules(client: FlaskClient) -> None:
    response = client.get("/vendor/socket.io.esm.min.js")
    assert response.status_code == 200
    assert b"export" in response.get_data()
    assert client.get("/vendor/socket.io.esm.min.js.map").status_code == 200


def test_other_vendor_files_are_not_served(client: FlaskClient) -> None:
    assert client.get("/vendor/../app/__init__.py").status_code == 404
    assert client.get("/vendor/socket.io.js").status_code == 404


def test_missing_npm_package_names_the_fix(client: FlaskClient, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(assets.os.path, "isfile", lambda path: False)
    response = client.get("/vendor/socket.io.esm.min.js")
    assert response.status_code == 404
    assert "make setup" in response.get_data(as_text=True)
