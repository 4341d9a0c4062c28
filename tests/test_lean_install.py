"""The lean install (requirements.txt only): no Redis client, no PostgreSQL driver.

The two packages are hidden from a real `python -m app` by modules of the same name that
fail to import, as a missing package does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from harness.processes import ROOT, app_process

pytestmark = pytest.mark.e2e
HIDDEN = ("redis", "psycopg", "psycopg_pool")


@pytest.fixture
def without_scale_packages(tmp_path) -> dict[str, str]:
    """An environment in which `import redis` and `import psycopg` fail."""
    for name in HIDDEN:
        package = tmp_path / "hidden" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"raise ImportError('No module named {name}')\n")
    return {"PYTHONPATH": str(tmp_path / "hidden"), "SAGALAB_SECRET_KEY": "x"}


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--port", "0", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=60, env=env,
    )  # fmt: skip


def test_the_app_serves_sqlite_without_redis_or_psycopg(tmp_path, without_scale_packages) -> None:
    with app_process(str(tmp_path / "lean.sqlite3"), **without_scale_packages) as (url, _pid):
        run = requests.post(f"{url}/api/runs", json={"preset": "tutorial", "speed": "instant"})
        assert run.status_code == 201
        assert requests.get(f"{url}/api/runs/{run.json()['id']}", timeout=30).ok


@pytest.mark.parametrize(
    ("args", "package", "feature"),
    [
        (("--message-queue", "redis://127.0.0.1:6379/0"), "redis", "MESSAGE_QUEUE"),
        (("--database", "postgresql://u:secret@127.0.0.1:1/db"), "psycopg[binary]", "DATABASE_URL"),
    ],
)
def test_a_configured_feature_without_its_package_is_one_line(
    tmp_path, without_scale_packages, args, package, feature
) -> None:
    done = start({**os.environ, **without_scale_packages}, *args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"needs the Python package {package}" in done.stderr and feature in done.stderr
    assert "requirements-scale.txt" in done.stderr and "secret" not in done.stderr
