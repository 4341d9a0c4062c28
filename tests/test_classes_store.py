"""The class store on both databases: classes, who is in them from which process, voter ids,
votes and tallies (app/classes/store.py, voters.py, records.py; migration step 4).

Two ClassStore objects on one database with their own host names stand in for two server
processes (tests/test_e2e_proxy.py runs real ones behind nginx).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from app.classes import voters
from app.classes.errors import ClassError
from app.classes.polls import Poll
from app.classes.records import PollRecords
from app.classes.store import ClassStore
from app.db import open_database
from app.store import Store

CONFIG = {
    "MAX_CLASSES": 3,
    "MAX_CLASS_SIZE": 2,
    "VOTES_PER_MINUTE": 3,
    "MAX_POLLS_PER_CLASS": 2,
    "CLASS_IDLE_SECONDS": 60,
}


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[ClassStore, ClassStore, list[float]]]:
    """Two processes' class stores on one database, with one clock; a run R1 to ask about."""
    now = [1_000.0]
    databases = [open_database(database_url) for _ in range(2)]
    Store(databases[0]).create_run("R1", None, {}, 1, "running")
    stores = [
        ClassStore(db, CONFIG, host=host, clock=lambda: now[0])
        for db, host in zip(databases, ("host-a", "host-b"), strict=True)
    ]
    yield stores[0], stores[1], now
    for db in databases:
        db.close()


def asked(store: ClassStore, code: str, choices: tuple[str, ...] = ("a", "b")) -> Poll:
    store.show(code, "R1", owns=True)
    return store.ask(code, lambda room: Poll(room.run_id or "", "Q?", list(choices), None, 3))


def test_a_class_made_by_one_process_is_found_presented_and_ended_by_the_other(two) -> None:
    a, b, _now = two
    room, token = a.create()
    assert len(room.code) == 6 and b.find(room.code.lower()) == b.get(room.code)
    assert b.presenter(room.code, token).code == room.code
    with pytest.raises(ClassError) as refused:
        b.presenter(room.code, token[:-1] + ("x" if token[-1] != "x" else "y"))
    assert refused.value.status == 403
    with b.db.read() as db:  # the token itself is not stored
        assert token not in str(dict(db.execute("SELECT * FROM classes").fetchone()))
    assert b.remove(room.code) is not None and a.remove(room.code) is None
    with pytest.raises(ClassError) as gone:
        a.find(room.code)
    assert gone.value.status == 404


def test_the_class_limit_counts_every_process_s_classes(two) -> None:
    a, b, _now = two
    for store in (a, b, a):
        store.create()
    with pytest.raises(ClassError) as full:
        b.create()
    assert full.value.status == 429 and b.count() == 3


def test_devices_on_both_processes_share_the_class_size_and_one_tally(two) -> None:
    a, b, _now = two
    room, token = a.create()
    poll = asked(a, room.code)
    with pytest.raises(ClassError) as not_presenter:
        b.join(room.code, "sid-x", True, None, None)
    assert not_presenter.value.status == 403
    one = a.join(room.code, "sid-1", False, None, None)
    two_ = b.join(room.code, "sid-2", False, None, None)
    third = b.join(room.code, "sid-3", False, None, None)  # MAX_CLASS_SIZE=2: watches
    b.join(room.code, "sid-p", True, token, None)  # the presenter is not a viewer
    assert one.voter and two_.voter and one.voter != two_.voter and third.voter is None
    a.vote(room.code, {"voter": one.voter, "choice": "a", "poll": poll.id})
    b.vote(room.code, {"voter": two_.voter, "choice": "b"})
    b.vote(room.code, {"voter": two_.voter, "choice": "a"})  # changed its mind
    for store in (a, b):
        state = store.state(room.code, full=True)
        assert state["viewers"] == 3 and state["run_id"] == "R1"
        assert state["poll"]["counts"] == {"a": 2, "b": 0} and state["poll"]["connected"] == 2
    students, presenter = b.states(room.code)
    assert students["poll"]["counts"] is None and students["poll"]["votes"] == 2
    assert presenter["poll"]["counts"] == {"a": 2, "b": 0}
    with pytest.raises(ClassError) as refused:
        a.vote(room.code, {"voter": "made-up", "choice": "a"})
    assert refused.value.status == 403
    with pytest.raises(ClassError) as bad:
        a.vote(room.code, {"voter": one.voter, "choice": "c"})
    assert bad.value.status == 400 and "choice" in bad.value.errors


def test_a_vote_counts_while_its_device_is_in_and_again_after_it_rejoins(two) -> None:
    a, b, now = two
    room, _token = a.create()
    poll = asked(a, room.code)
    voter = a.join(room.code, "sid-1", False, None, None).voter
    a.vote(room.code, {"voter": voter, "choice": "b"})
    assert a.leave("sid-1", room.code) == room.code
    assert b.state(room.code, True)["poll"]["counts"] == {"a": 0, "b": 0}
    with pytest.raises(ClassError):
        b.vote(room.code, {"voter": voter, "choice": "a"})
    back = b.join(room.code, "sid-9", False, None, voter)  # on the other process
    assert back.voter == voter and back.your_vote == "b"
    assert a.state(room.code, True)["poll"]["counts"] == {"a": 0, "b": 1}
    now[0] += 1
    room2, poll2 = b.reveal(room.code, lambda _poll: None)
    assert poll2.id == poll.id and not poll2.open
    b.leave("sid-9", room.code)
    kept = a.state(room.code, True)["poll"]
    assert kept["counts"] == {"a": 0, "b": 1} and kept["connected"] is None
    records = PollRecords(a.db).for_run("R1")
    assert records[0]["counts"] == {"a": 0, "b": 1} and records[0]["open"] is False


def test_a_voters_rate_limit_frees_up_after_a_minute(two) -> None:
    a, b, now = two
    room, _token = a.create()
    asked(a, room.code)
    voter = a.join(room.code, "sid-1", False, None, None).voter
    assert voter and a.join(room.code, "sid-1", False, None, None, room.code).voter == voter
    for store in (a, b, a):  # a device's votes count wherever they arrive
        store.vote(room.code, {"voter": voter, "choice": "a"})
    with pytest.raises(ClassError) as refused:
        b.vote(room.code, {"voter": voter, "choice": "a"})
    assert refused.value.status == 429 and refused.value.retry_after == 61
    now[0] += 61.0
    assert b.vote(room.code, {"voter": voter, "choice": "b"})[1] == "b"
    assert b.join(room.code, "sid-2", False, None, None).voter
    assert b.join(room.code, "sid-3", False, None, None).voter is None  # full
    a.leave("sid-1", room.code)
    assert b.join(room.code, "sid-3", False, None, voter, room.code).voter == voter  # back


def test_the_oldest_departures_are_forgotten_beyond_the_class_size(two) -> None:
    a, _b, now = two
    room, _token = a.create()
    ids = []
    for n in range(4):
        now[0] += 1
        ids.append(a.join(room.code, f"sid-{n}", False, None, None).voter)
        a.leave(f"sid-{n}", room.code)
    with a.db.read() as db:
        kept = {row[0] for row in db.execute("SELECT voter FROM class_voters").fetchall()}
    assert kept == set(ids[2:])  # MAX_CLASS_SIZE=2 departures remembered
    assert a.join(room.code, "new", False, None, ids[0]).voter != ids[0]


def test_a_gone_process_s_devices_leave_and_may_come_back_with_their_ids(two) -> None:
    a, b, _now = two
    room, _token = a.create()
    poll = asked(a, room.code)
    on_b = [b.join(room.code, f"b-{n}", False, None, None).voter for n in range(2)]
    b.vote(room.code, {"voter": on_b[0], "choice": "a"})
    b_is_gone = lambda host: host != "host-b"  # noqa: E731
    # a device of the dead process reconnects to the other one before anyone noticed
    back = a.join(room.code, "a-1", False, None, on_b[0])
    assert back.voter == on_b[0] and back.your_vote == "a"
    assert a.drop_hosts(b_is_gone) == {room.code}
    state = a.state(room.code, True)
    assert state["viewers"] == 1 and state["poll"]["counts"] == {"a": 1, "b": 0}
    assert poll.id == state["poll"]["id"]
    assert a.drop_hosts(b_is_gone) == set()
    later = a.join(room.code, "a-2", False, None, on_b[1])  # after its machine was noticed gone
    assert later.voter == on_b[1] and a.state(room.code, True)["viewers"] == 2


def test_questions_one_at_a_time_and_at_most_the_limit(two) -> None:
    a, b, _now = two
    room, _token = a.create()
    asked(a, room.code)
    with pytest.raises(ClassError) as open_one:
        asked(b, room.code)
    assert open_one.value.status == 409
    b.reveal(room.code, lambda _poll: "a")
    asked(b, room.code)
    b.reveal(room.code, lambda _poll: None)
    with pytest.raises(ClassError) as limit:
        asked(a, room.code)
    assert limit.value.status == 429
    assert [p["answer"] for p in PollRecords(a.db).for_run("R1")] == ["a", None]


def test_showing_another_run_closes_the_question_and_expiry_ends_the_class(two) -> None:
    a, b, now = two
    Store(a.db).create_run("R2", None, {}, 1, "finished")
    room, _token = a.create()
    poll = asked(a, room.code)
    voter = b.join(room.code, "sid-1", False, None, None).voter
    b.vote(room.code, {"voter": voter, "choice": "b"})
    assert b.show(room.code, "R2", owns=False) is True
    assert b.show(room.code, "R2", owns=False) is False
    assert PollRecords(a.db).for_run("R1")[0]["counts"] == {"a": 0, "b": 1}
    assert a.state(room.code, True)["poll"] is None and poll.id
    now[0] += 60
    assert a.expired() == []
    now[0] += 1
    assert [r.code for r in b.expired()] == [room.code] and a.expired() == []
    with a.db.read() as db:
        for table in ("classes", "class_members", "class_voters"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_joins_from_two_processes_at_once_keep_the_class_size(two) -> None:
    a, b, _now = two
    room, _token = a.create()
    got: list[str | None] = []
    errors: list[BaseException] = []

    def join(store: ClassStore, n: int) -> None:
        try:
            got.append(store.join(room.code, f"sid-{n}", False, None, None).voter)
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    threads = [threading.Thread(target=join, args=((a, b)[n % 2], n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(got) == 8
    assert sum(1 for voter in got if voter) == 2  # MAX_CLASS_SIZE, not one more
    with a.db.read() as db:
        assert voters.held(db, room.code) == 2


def test_a_rule_question_settled_meanwhile_keeps_its_answer_at_the_reveal(two) -> None:
    a, b, _now = two
    room, _token = a.create()
    a.show(room.code, "R1", owns=True)
    rule: dict[str, Any] = {"rule": "saga_outcome", "saga": "BOOK001"}
    poll = a.ask(room.code, lambda r: Poll("R1", "Q?", ["completed", "compensated"], rule, 0))
    PollRecords(b.db).set_answer(poll.id, "completed")  # the run's process settled it
    _room, revealed = a.reveal(room.code, lambda _poll: None)
    assert PollRecords(a.db).for_run("R1")[0]["answer"] == "completed"
    assert revealed.id == poll.id


def test_votes_from_two_processes_at_once_keep_each_device_s_rate_limit(two) -> None:
    a, b, _now = two
    room, _token = a.create()
    poll = asked(a, room.code)
    devices = [a.join(room.code, f"sid-{n}", False, None, None).voter for n in range(2)]
    answers: list[int] = []

    def vote(store: ClassStore, voter: str | None) -> None:
        try:
            store.vote(room.code, {"voter": voter, "choice": "b", "poll": poll.id})
            answers.append(200)
        except ClassError as exc:
            answers.append(exc.status)

    threads = [
        threading.Thread(target=vote, args=((a, b)[n % 2], devices[n % 4 // 2])) for n in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] * 6 + [429] * 10  # VOTES_PER_MINUTE=3, for each device
    assert a.state(room.code, True)["poll"]["counts"] == {"a": 0, "b": 2}
