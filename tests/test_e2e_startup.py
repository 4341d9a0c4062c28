"""Processes started together on one new database: the schema is made once, nobody fails."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
import requests

from app import migrations
from harness.processes import app_processes, redis_server

pytestmark = pytest.mark.e2e
ROUNDS = 10


@pytest.mark.parametrize("count", [2, 4])
def test_processes_started_together_on_a_new_sqlite_file_all_serve(tmp_path, count) -> None:
    with redis_server() as queue:
        for round_ in range(ROUNDS):
            db = str(tmp_path / f"round{round_}.sqlite3")
            errors = tmp_path / f"stderr{round_}.txt"
            with open(errors, "w") as stderr:
                try:
                    with app_processes(
                        count, db, "--message-queue", queue, stderr=stderr
                    ) as started:
                        for url, _pid in started:
                            assert requests.get(f"{url}/api/runs", timeout=30).ok
                except RuntimeError as exc:  # one exited: say why
                    raise AssertionError(f"round {round_}: {exc}: {errors.read_text()}") from None
            assert "Traceback" not in errors.read_text()
            with closing(sqlite3.connect(db)) as made:
                versions = made.execute("SELECT version FROM schema_migrations").fetchall()
            assert sorted(row[0] for row in versions) == [s.version for s in migrations.STEPS]
