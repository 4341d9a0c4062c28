"""The store modules on both databases: runs, events, quota, experiments, polls, migrations.

Every test takes `database_url`: a new SQLite file, then a new database on a PostgreSQL
server the suite starts itself (harness/processes.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Any

import pytest

from app import migrations
from app.classes import records as records_module
from app.classes.polls import Poll
from app.classes.records import PollRecords
from app.db import StorageError, open_database
from app.experiments.store import ExperimentStore
from app.store import Store

DATA = os.path.join(os.path.dirname(__file__), "data")


@pytest.fixture
def store(database_url: str) -> Any:
    store = Store(database_url)
    yield store
    store.close()


def lines(n: int, first: int = 0) -> list[tuple[int, str]]:
    return [(seq, json.dumps({"seq": seq, "kind": "step.done", "pad": "x" * 40})) for seq in
            range(first, first + n)]  # fmt: skip


def test_a_run_is_stored_read_updated_and_listed(store: Store, monkeypatch) -> None:
    monkeypatch.setattr("time.time", lambda: 1_000.0)  # the same instant: insertion order
    store.create_run("R1", "tutorial", {"mode": "orchestration", "bookings": 5}, 1.0, "running")
    store.create_run("R2", None, {"mode": "choreography", "bookings": 2}, "instant", "paused",
                     token_digest="d" * 64)  # fmt: skip
    store.create_run("R3", "tutorial", {"mode": "choreography", "bookings": 1}, 2.5, "running")
    assert [run["id"] for run in store.list_runs()] == ["R3", "R2", "R1"]
    assert [run["id"] for run in store.list_runs(limit=1, offset=1)] == ["R2"]
    assert [run["id"] for run in store.list_runs(preset="tutorial")] == ["R3", "R1"]
    assert [run["id"] for run in store.list_runs(mode="choreography")] == ["R3", "R2"]
    assert store.count_matching("tutorial", "choreography") == 1
    assert store.count_matching() == store.count_runs() == 3
    assert store.presets() == ["tutorial"]
    assert store.token_digest("R2") == "d" * 64 and store.token_digest("R1") is None
    store.update_run("R1", status="finished", summary={"sagas": 5}, speed=4.0, reason="done")
    run = store.get_run("R1")
    assert run == {
        "id": "R1", "created": 1_000.0, "preset": "tutorial",
        "params": {"mode": "orchestration", "bookings": 5}, "speed": 4.0,
        "status": "finished", "reason": "done", "summary": {"sagas": 5}, "t": 0.0,
        "event_count": 0,
    }  # fmt: skip
    assert store.get_run("nope") is None


def test_timestamps_keep_their_precision(store: Store, monkeypatch) -> None:
    monkeypatch.setattr("time.time", lambda: 1_796_529_405.991_154_2)
    store.create_run("R1", None, {}, 1, "running")
    assert store.get_run("R1")["created"] == 1_796_529_405.991_154_2


def test_events_are_read_back_in_order_in_chunks_and_ranges(store: Store) -> None:
    store.create_run("R1", None, {}, 1, "running")
    store.append_events("R1", lines(7), 3.0, 7)
    store.append_events("R1", lines(5, first=7), 4.5, 12)
    chunks = list(store.event_lines("R1", chunk=5))
    assert [len(chunk) for chunk in chunks] == [5, 5, 2]
    assert [pair for chunk in chunks for pair in chunk] == lines(12)
    assert [seq for chunk in store.event_lines("R1", 3, 8) for seq, _ in chunk] == [*range(3, 9)]
    assert store.get_run("R1")["event_count"] == 12 and store.get_run("R1")["t"] == 4.5
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        store.append_events("R1", lines(1, first=3), 5.0, 13)  # a seq stored twice
    assert store.get_run("R1")["event_count"] == 12  # the failed batch left nothing behind


def test_deleting_a_run_takes_its_events_and_polls_in_chunks(store: Store) -> None:
    polls = PollRecords(store.db)
    for run_id in ("R1", "R2"):
        store.create_run(run_id, None, {}, 1, "finished")
        store.append_events(run_id, lines(10), 1.0, 10)
    polls.add(Poll("R1", "Which first?", ["a", "b"], None, 3), "ABCDEF")
    assert store.delete_run("R1", chunk=3) is True
    assert store.delete_run("R1") is False
    assert list(store.event_lines("R1")) == [] and polls.for_run("R1") == []
    assert [pair for chunk in store.event_lines("R2") for pair in chunk] == lines(10)
    assert store.count_runs() == 1


def test_live_runs_of_a_stopped_server_are_marked_interrupted(store: Store) -> None:
    for run_id, status in (("A", "running"), ("B", "paused"), ("C", "finished"), ("D", "running")):
        store.create_run(run_id, None, {}, 1, status)
    assert store.mark_interrupted(elsewhere=lambda run_id: run_id == "D") == 2
    statuses = {run["id"]: run["status"] for run in store.list_runs()}
    assert statuses == {"A": "interrupted", "B": "interrupted", "C": "finished", "D": "running"}
    assert store.get_run("A")["reason"] == "the server stopped during the run"


def test_the_quota_counts_what_is_stored_and_frees_what_is_deleted(store: Store) -> None:
    empty = store.size_mb()
    store.create_run("R1", None, {}, 1, "finished")
    for first in range(0, 20_000, 2_000):
        store.append_events("R1", lines(2_000, first), 1.0, first + 2_000)
    full = store.size_mb()
    json_mb = sum(len(line) for _seq, line in lines(20_000)) / 1e6
    assert json_mb < full - empty < 3 * json_mb  # the JSON, and a bounded overhead per row
    assert store.over_quota(int(full) + 1) is None
    assert "the run store is full" in (store.over_quota(max(1, int(full))) or "")
    assert store.quota_reached(1, adding=2_000_000) is not None
    store.delete_run("R1")
    assert store.size_mb() - empty < 0.2 * (full - empty)  # room for new runs again
    assert store.over_quota(max(1, int(full))) is None


def test_experiments_are_stored_updated_and_listed(database_url: str, monkeypatch) -> None:
    experiments = ExperimentStore(database_url)
    clock = iter(range(1, 100))
    monkeypatch.setattr("time.time", lambda: float(next(clock)))
    experiments.create("E1", {"name": "first"}, {"done": 0})
    experiments.create("E2", {"name": ""}, {"done": 0})
    experiments.update("E1", "running", {"done": 1}, points=[{"x": 0.5, "rate": 0.9}])
    experiments.update("E1", "finished", {"done": 2}, error=None)
    got = experiments.get("E1")
    assert got["name"] == "first" and got["status"] == "finished"
    assert got["progress"] == {"done": 2} and got["points"] == [{"x": 0.5, "rate": 0.9}]
    listed = experiments.list()
    assert [item["id"] for item in listed] == ["E2", "E1"]
    assert [item["points_done"] for item in listed] == [0, 1]
    assert experiments.mark_interrupted() == 1  # E2, still queued
    assert experiments.get("E2")["status"] == "interrupted"
    assert experiments.get("nope") is None
    experiments.close()


def test_polls_get_increasing_ids_and_keep_their_tallies(store: Store) -> None:
    records = PollRecords(store.db)
    store.create_run("R1", None, {}, 1, "running")
    first = Poll("R1", "Which undo first?", ["flight", "hotel"], {"kind": "x"}, 4)
    second = Poll("R1", "Does it recover?", ["yes", "no"], None, 9)
    records.add(first, "ABCDEF")
    records.add(second, "ABCDEF")
    assert 0 < first.id < second.id
    first.counts = {"hotel": 1}  # the tally at the reveal (tests/test_classes_store.py)
    with store.db.write() as db:
        records_module.close(db, first, answer="hotel")
    assert first.open is False and first.answer == "hotel"
    stored = records.for_run("R1")
    assert [poll["question"] for poll in stored] == ["Which undo first?", "Does it recover?"]
    assert stored[0]["counts"] == {"flight": 0, "hotel": 1} and stored[0]["open"] is False
    assert stored[0]["answer"] == "hotel" and stored[0]["rule"] == {"kind": "x"}
    assert stored[0]["class"] == "ABCDEF" and stored[1]["open"] is True


def applied_versions(database_url: str) -> list[int]:
    database = open_database(database_url)
    with database.read() as db:
        rows = db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    database.close()
    return [row[0] for row in rows]


def test_a_new_database_gets_every_step_once(database_url: str) -> None:
    assert applied_versions(database_url) == [step.version for step in migrations.STEPS]
    assert applied_versions(database_url) == [step.version for step in migrations.STEPS]


def test_processes_opening_a_new_database_at_once_take_turns(database_url: str) -> None:
    """Threads stand in for processes here (tests/test_e2e_startup.py starts processes)."""
    errors: list[BaseException] = []

    def open_and_write(n: int) -> None:
        try:
            store = Store(database_url)
            store.create_run(f"R{n}", None, {}, 1, "running")
            store.close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    threads = [threading.Thread(target=open_and_write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert applied_versions(database_url) == [step.version for step in migrations.STEPS]
    store = Store(database_url)
    assert store.count_runs() == 6
    store.close()


def test_a_database_from_a_newer_app_is_refused(database_url: str) -> None:
    database = open_database(database_url)
    with database.write() as db:
        db.execute(
            "INSERT INTO schema_migrations (version, what, applied) VALUES (?, ?, ?)",
            (migrations.latest() + 1, "from the future", 0.0),
        )
    database.close()
    with pytest.raises(StorageError, match="newer Saga Lab"):
        open_database(database_url)


def test_a_database_made_before_the_migrations_keeps_everything(tmp_path) -> None:
    """tests/data/store-before-migrations.sql was written by main's code before this change."""
    path = str(tmp_path / "old.sqlite3")
    with open(os.path.join(DATA, "store-before-migrations.sql")) as f:
        old = sqlite3.connect(path)
        old.executescript(f.read())
        old.close()
    store = Store(path)
    runs = {run["id"]: run for run in store.list_runs()}
    assert set(runs) == {"RUNOLD0001", "RUNOLD0002"}
    assert runs["RUNOLD0001"]["params"]["bookings"] == 2 and runs["RUNOLD0001"]["t"] == 3.5
    assert runs["RUNOLD0002"]["summary"] == {"sagas": 1, "succeeded": 1}
    assert store.token_digest("RUNOLD0001") == "ab" * 32
    events = [pair for chunk in store.event_lines("RUNOLD0001") for pair in chunk]
    assert [seq for seq, _line in events] == [0, 1, 2] and "café" in events[2][1]
    with store.db.read() as db:
        stored = db.execute("SELECT stored_bytes FROM runs WHERE id='RUNOLD0001'").fetchone()[0]
    assert stored == sum(len(line) for _seq, line in events)  # filled in by step 2
    experiment = ExperimentStore(store.db).get("EXPOLD0001")
    assert experiment["status"] == "finished" and experiment["points"] == [{"x": 0.1, "rate": 0.5}]
    polls = PollRecords(store.db)
    assert [poll["question"] for poll in polls.for_run("RUNOLD0001")] == ["What first?"]
    polls.add(Poll("RUNOLD0001", "Next?", ["a", "b"], None, 2), "ABCDEF")
    assert [poll["id"] for poll in polls.for_run("RUNOLD0001")] == [1, 2]
    store.delete_run("RUNOLD0001")
    assert polls.for_run("RUNOLD0001") == [] and store.count_runs() == 1
    store.close()


def test_text_with_a_nul_character_neither_fails_nor_matches(store: Store) -> None:
    """PostgreSQL's text cannot hold U+0000: it is kept as U+FFFD there (app/postgres_db.py)."""
    store.create_run("R1", "tutorial", {"note": "a\x00b"}, 1, "running")
    assert store.get_run("R1\x00") is None and store.token_digest("\x00") is None
    assert store.delete_run("R1\x00") is False
    assert store.get_run("R1")["params"] == {"note": "a\x00b"}  # JSON escapes it
    store.update_run("R1", reason="why\x00not")
    assert store.get_run("R1")["reason"] in ("why\x00not", "why\ufffdnot")
