"""A step's words: the defaults sim/saga fills in, and short heads for narrow columns."""

from __future__ import annotations

import pytest

from sim.saga import BUILTIN, SagaError, check_saga
from sim.saga.definition import short_head


def two(first: dict, second: dict | None = None) -> dict:
    base = {"service": "S", "unit": "unit", "capacity": 1, "failure_rate": 0.0,
            "kind": "compensatable"}  # fmt: skip
    return {
        "name": "words",
        "steps": [{**base, **first}, {**base, "name": "other", **(second or {})}],
    }


def test_defaults_speak_of_the_step_and_its_unit() -> None:
    words = check_saga(two({"name": "hold_table", "unit": "table"})).steps[0].words
    assert words == {
        "action": "hold_table",
        "request": "Hold table requested",
        "failed": "Hold table FAILED",
        "done": "Hold table done",
        "undone": "Hold table undone",
        "units": "tables",
        "label": "Tables",
        "error": "refused",
        "sold_out": "no tables left",
        "short": "ht",
    }


def test_given_words_replace_the_defaults_one_by_one() -> None:
    words = check_saga(two({"name": "pay", "words": {"done": "Paid", "short": "$"}})).steps[0]
    assert words.words["done"] == "Paid" and words.words["short"] == "$"
    assert words.words["undone"] == "Pay undone"


@pytest.mark.parametrize(
    ("name", "short"),
    [("flight", "flt"), ("hotel", "htl"), ("car", "car"), ("cook", "coo"), ("ship", "shp"),
     ("create_order", "co"), ("a_b_c_d", "abc"), ("x", "x")],
)  # fmt: skip
def test_short_heads(name: str, short: str) -> None:
    assert short_head(name) == short


def test_repeated_short_heads_get_their_position() -> None:
    saga = check_saga(two({"name": "create_order"}, {"name": "cancel_order"}))
    assert [s.words["short"] for s in saga.steps] == ["co", "co2"]


def test_the_built_ins_short_heads_are_unique_and_narrow() -> None:
    for saga in BUILTIN.values():
        shorts = [s.words["short"] for s in saga.steps]
        assert len(set(shorts)) == len(shorts) and all(len(s) <= 4 for s in shorts)
    assert [s.words["short"] for s in BUILTIN["travel"].steps] == ["flt", "htl", "car"]


def test_a_short_head_longer_than_four_is_refused() -> None:
    with pytest.raises(SagaError) as err:
        check_saga(two({"name": "pay", "words": {"short": "payment"}}))
    assert err.value.errors == {
        "steps.0.words.short": "must be 1 to 4 characters (a narrow column's head)"
    }
