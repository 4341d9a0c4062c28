import pytest

from sim.params import ParamsError, parse_assignment, parse_plan, validate
from sim.presets import PRESETS, resolve
from sim.schema import DEFAULTS


def errors_of(raw) -> dict:
    with pytest.raises(ParamsError) as info:
        validate(raw)
    return info.value.errors


def test_defaults_are_the_tutorials_numbers():
    p = validate({})
    assert p["services"]["flight"] == {"capacity": 10, "failure_rate": 0.1}
    assert p["services"]["hotel"] == {"capacity": 5, "failure_rate": 0.15}
    assert p["services"]["car"] == {"capacity": 3, "failure_rate": 0.3}
    assert (p["interarrival"], p["network_delay"], p["compensation_delay"]) == (3.0, 0.3, 0.2)
    assert p["until"] is None and p["max_in_flight"] == 1
    assert set(p.to_dict()) == set(DEFAULTS)


def test_every_bad_value_is_named_with_its_range():
    errs = errors_of(
        {
            "bookings": 0,
            "mode": "chaos",
            "services": {"car": {"failure_rate": 1.5}},
            "seed": "x",
            "idempotent": "yes",
            "until": -1,
            "colour": "red",
        }
    )
    assert errs["bookings"].startswith("must be from 1 to 1e+06")
    assert "orchestration" in errs["mode"]
    assert errs["services.car.failure_rate"].startswith("must be from 0 to 1")
    assert "number" in errs["seed"]
    assert "true or false" in errs["idempotent"]
    assert "until" in errs and errs["colour"] == "is not a known parameter"


def test_plan_is_checked_against_the_bookings():
    errs = errors_of(
        {"bookings": 3, "plan": {"BOOK004": ["car"], "X": ["car"], "BOOK001": ["boat"]}}
    )
    assert "beyond the 3" in errs["plan.BOOK004"]
    assert "booking id" in errs["plan.X"]
    assert "flight, hotel, car" in errs["plan.BOOK001"]
    assert validate({"plan": {"BOOK002": ["car", "flight"]}})["plan"] == {
        "BOOK002": ["flight", "car"]
    }


def test_whole_numbers_and_nullable_fields():
    assert "whole number" in errors_of({"bookings": 2.5})["bookings"]
    assert validate({"bookings": 4.0})["bookings"] == 4
    assert validate({"until": None})["until"] is None
    assert "is required" in errors_of({"seed": None})["seed"]


def test_preset_overrides_touch_only_the_keys_they_name():
    p = resolve({"preset": "tutorial", "params": {"services": {"car": {"failure_rate": 0.5}}}})
    assert p["services"]["car"] == {"capacity": 3, "failure_rate": 0.5}
    assert p["services"]["hotel"]["failure_rate"] == 0.15
    assert p["bookings"] == 5 and p["until"] == 40.0
    assert resolve({"preset": "wrong-compensation-order", "params": {"plan": {}}})["plan"] == {}


def test_unknown_preset_and_non_object_params():
    with pytest.raises(ParamsError) as info:
        resolve({"preset": "nope"})
    assert "tutorial" in info.value.errors["preset"]
    with pytest.raises(ParamsError):
        resolve({"params": [1, 2]})


def test_every_preset_is_valid_and_described():
    for name, preset in PRESETS.items():
        resolve({"preset": name})
        assert len(preset["description"]) > 40, name


def test_cli_spellings():
    assert parse_plan("BOOK002:flight,BOOK004:car,BOOK004:hotel") == {
        "BOOK002": ["flight"],
        "BOOK004": ["car", "hotel"],
    }
    with pytest.raises(ParamsError):
        parse_plan("BOOK002")
    assert parse_assignment("services.car.failure_rate=0.5") == {
        "services": {"car": {"failure_rate": 0.5}}
    }
    assert parse_assignment("mode=choreography") == {"mode": "choreography"}
    assert parse_assignment("until=null") == {"until": None}


def test_large_whole_seeds_are_accepted():
    assert validate({"seed": 2**63 - 1})["seed"] == 2**63 - 1
    assert validate({"seed": 2**60 + 1})["seed"] == 2**60 + 1
