"""Orders of one saga's steps (sim/saga/order.py) and the experiment factor `order`."""

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.batch.plan import plan_experiment
from sim.batch.points import points_csv
from sim.batch.pool import run_experiment
from sim.batch.presets import EXPERIMENTS
from sim.params import ParamsError
from sim.presets import PESSIMISTIC_TRAVEL
from sim.saga import BUILTIN, KINDS
from sim.saga.order import OrderError, normal_level, reorder
from sim.saga.travel import TRAVEL

TUTORIAL = ["flight", "hotel", "car"]
PESSIMISTIC = ["car:compensatable", "hotel", "flight:pivot"]
CREATE_ORDER = BUILTIN["create-order"].to_dict()


def order_spec(levels, base=None, sweep=None, replications=3):
    return {
        "base": base or {"preset": "optimistic-order", "params": {}},
        "sweep": sweep
        or {"param": "services.car.failure_rate", "from": 0.3, "to": 0.3, "step": 0.1},
        "factor": {"param": "order", "levels": levels},
        "replications": replications,
        "seed": 1,
    }


def errors_of(spec):
    with pytest.raises(ParamsError) as info:
        plan_experiment(spec)
    return info.value.errors


def refusal(definition, level):
    with pytest.raises(OrderError) as info:
        reorder(definition, level)
    return str(info.value)


def test_a_step_keeps_its_kind_unless_the_order_gives_it_one():
    again = reorder(TRAVEL, TUTORIAL)
    assert again == TRAVEL
    pessimistic = reorder(TRAVEL, PESSIMISTIC)
    assert [(s["name"], s["kind"]) for s in pessimistic["steps"]] == [
        ("car", "compensatable"), ("hotel", "compensatable"), ("flight", "pivot"),
    ]  # fmt: skip
    # everything else of a step travels with it (capacity, failure rate, words)
    by_name = {s["name"]: s for s in TRAVEL["steps"]}
    for step in pessimistic["steps"]:
        assert {**step, "kind": by_name[step["name"]]["kind"]} == by_name[step["name"]]
    assert normal_level(TRAVEL, [" car : compensatable", "hotel", "flight:pivot"]) == [
        "car:compensatable", "hotel:compensatable", "flight:pivot",
    ]  # fmt: skip


def test_the_pessimistic_preset_is_travel_in_the_pessimistic_order():
    assert {**reorder(TRAVEL, PESSIMISTIC), "name": "travel-pessimistic"} == {
        **PESSIMISTIC_TRAVEL, "title": TRAVEL["title"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("level", "message"),
    [
        ("car hotel flight", "must be a list of the saga's steps in the order they run"),
        ([1, 2, 3], "must be a list of the saga's steps"),
        (["flight", "hotel"], "leaves out car: an order lists every step once"),
        (["flight", "hotel", "car", "car"], "lists car twice"),
        (["flight", "hotel", "boat"], "'boat' is not a step of this saga (flight, hotel, car)"),
        (["flight", "hotel", "car:pivto"], "'car:pivto': the kind after ':' must be one of"),
        (["flight", "hotel", "car:pivot:x"], "is not a step, or a step:kind"),
        (
            ["car", "hotel", "flight"],
            "hotel (step 1): a compensatable step must come before the pivot (step 0, car, is "
            "the pivot); give a step another kind as name:kind (compensatable, pivot, retriable)",
        ),
        (
            ["flight:pivot", "hotel", "car"],
            "hotel (step 1): a compensatable step must come before the pivot (step 0, flight",
        ),
        (
            ["flight:pivot", "hotel:pivot", "car:retriable"],
            "hotel (step 1): a saga has at most one pivot (step 0, flight, is one)",
        ),
    ],
)
def test_an_order_that_is_not_one_of_the_sagas_is_refused_with_the_reason(level, message):
    assert message in refusal(TRAVEL, level)


def test_a_retriable_step_before_the_pivot_is_refused_with_the_schemas_message():
    names = [s["name"] for s in CREATE_ORDER["steps"]]
    early = [*names[:3], "approve_ticket", "authorize_card", "approve_order"]
    assert refusal(CREATE_ORDER, early).startswith(
        "approve_ticket (step 3): a retriable step must come after the pivot;"
    )


@given(st.permutations(range(len(CREATE_ORDER["steps"]))))
def test_an_order_is_accepted_exactly_when_its_kinds_follow_the_rules(permutation):
    """Compensatable steps, at most one pivot, then retriable steps: whatever the order."""
    steps = [CREATE_ORDER["steps"][i] for i in permutation]
    kinds = [KINDS.index(s["kind"]) for s in steps]
    try:
        reordered = reorder(CREATE_ORDER, [s["name"] for s in steps])
    except OrderError:
        assert kinds != sorted(kinds)
    else:
        assert kinds == sorted(kinds)
        assert reordered["steps"] == steps


def test_every_order_of_travel_with_the_pivot_last_is_accepted():
    for names in itertools.permutations(TUTORIAL):
        level = [*names[:-1], f"{names[-1]}:pivot"]
        level = [n if ":" in n or n != "car" else "car:compensatable" for n in level]
        assert [s["name"] for s in reorder(TRAVEL, level)["steps"]] == list(names)


def test_the_factor_runs_each_order_of_the_base_saga_with_its_steps_kept_as_step_kind():
    plan = plan_experiment(order_spec([TUTORIAL, PESSIMISTIC]))
    assert plan.spec["factor"] == {
        "param": "order",
        "levels": [
            ["flight:compensatable", "hotel:compensatable", "car:pivot"],
            ["car:compensatable", "hotel:compensatable", "flight:pivot"],
        ],
    }
    first, second = plan.points
    assert first.level == plan.spec["factor"]["levels"][0]
    assert [s["name"] for s in first.params["saga"]["steps"]] == TUTORIAL
    assert [s["name"] for s in second.params["saga"]["steps"]] == ["car", "hotel", "flight"]
    assert second.params["saga"]["steps"][2]["kind"] == "pivot"
    # the rest of the base is the same for both: the preset's 30 bookings, roomy, the sweep
    for point in plan.points:
        assert point.params["bookings"] == 30
        assert point.params["services"]["car"] == {"capacity": 1000, "failure_rate": 0.3}
    # an order of a saga the preset brings itself (the pessimistic preset's travel-pessimistic)
    own = plan_experiment(
        order_spec(
            [["car", "hotel", "flight"], ["hotel", "car", "flight"]],
            base={"preset": "pessimistic-order", "params": {}},
        )
    )
    assert own.points[1].params["saga"]["name"] == "travel-pessimistic"


def test_each_bad_order_is_named_at_its_level_and_nothing_is_planned():
    errors = errors_of(
        order_spec(
            [TUTORIAL, ["car", "hotel", "flight"], ["flight:compensatable", *TUTORIAL[1:]], "car"]
        )  # fmt: skip
    )
    assert errors["factor.levels.1"].startswith("hotel (step 1): a compensatable step must")
    assert errors["factor.levels.2"] == "is the same order as level 0"
    assert errors["factor.levels.3"].startswith("must be a list of the saga's steps")
    assert "factor.levels.0" not in errors
    assert errors_of(order_spec([]))["factor.levels"] == "must be a non-empty list"
    many = [TUTORIAL] * 13
    assert "at most 12" in errors_of(order_spec(many))["factor.levels"]


def test_a_parameter_an_order_breaks_is_blamed_on_that_order():
    """The tutorial's choreography gap names the hotel, which cannot be the first step (no
    one before it to compensate): the order that puts it first is at fault, not the base."""
    base = {"preset": "tutorial-choreography-gap", "params": {}}
    errors = errors_of(order_spec([TUTORIAL, ["hotel", "flight", "car"]], base=base))
    assert list(errors) == ["factor.levels.1"]
    assert errors["factor.levels.1"].startswith(
        "choreography.unheard_failure: must be one of flight, car"
    )


def test_order_is_a_factor_only_and_needs_a_saga_it_can_reorder():
    errors = errors_of(order_spec([TUTORIAL], sweep={"param": "order", "from": 0, "to": 1,
                                                     "step": 1}))  # fmt: skip
    assert errors["sweep.param"] == "'order' is not a parameter that can vary"
    bad_base = errors_of(order_spec([TUTORIAL], base={"preset": "nope", "params": {}}))
    assert "base.preset" in bad_base and not any(k.startswith("factor") for k in bad_base)


def test_an_order_with_the_likeliest_failure_first_needs_fewer_compensations():
    """Flight and hotel never failing, the car always: in the tutorial's order every saga
    undoes flight and hotel; with the car first nothing was done before it, so nothing is
    undone. Same success rate (0)."""
    sure = {"flight": {"failure_rate": 0}, "hotel": {"failure_rate": 0}}
    spec = order_spec(
        [TUTORIAL, PESSIMISTIC],
        base={"preset": "optimistic-order", "params": {"services": sure}},
        sweep={"param": "services.car.failure_rate", "from": 1, "to": 1, "step": 1},
        replications=4,
    )
    tutorial, pessimistic = run_experiment(plan_experiment(spec), workers=0).points
    assert tutorial["compensated"] == pessimistic["compensated"] == 120
    assert tutorial["compensations"]["per_run"] == {"mean": 60.0, "ci95": [60.0, 60.0]}
    assert pessimistic["compensations"]["per_run"] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    assert tutorial["violation_rate"] == pessimistic["violation_rate"] == 0.0
    csv = points_csv([tutorial, pessimistic], "services.car.failure_rate", "order")
    header, first, second = csv.splitlines()
    assert header.startswith("services.car.failure_rate,order,runs,")
    assert first.startswith("1.0,flight:compensatable > hotel:compensatable > car:pivot,4,")
    assert second.startswith("1.0,car:compensatable > hotel:compensatable > flight:pivot,4,")


def test_the_built_in_pessimistic_order_experiment_shows_the_lesson():
    """Same success rate in both orders (intervals overlap at every car failure rate); from a
    car failure rate of 0.3 on the pessimistic order's compensations per run are lower, the
    whole interval below the tutorial order's."""
    spec = {**EXPERIMENTS["pessimistic-order"]["spec"], "replications": 30}
    points = run_experiment(plan_experiment(spec), workers=0).points
    pairs = list(zip(points[::2], points[1::2], strict=True))
    assert len(pairs) == 7
    for tutorial, pessimistic in pairs:
        assert tutorial["level"][0] == "flight:compensatable"
        assert pessimistic["level"][0] == "car:compensatable"
        assert tutorial["ci95"][0] <= pessimistic["ci95"][1]
        assert pessimistic["ci95"][0] <= tutorial["ci95"][1]
        if tutorial["value"] >= 0.3:
            low = tutorial["compensations"]["per_run"]["ci95"][0]
            assert pessimistic["compensations"]["per_run"]["ci95"][1] < low


def test_the_docs_spec_is_the_built_in_experiment_and_a_point_has_the_documented_keys():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "experiments.md").read_text("utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", doc, flags=re.S).group(1))
    assert {**example, "name": None} == {**EXPERIMENTS["pessimistic-order"]["spec"], "name": None}
    spec = {**example, "replications": 2, "sweep": {**example["sweep"], "to": 0}}
    (point, _) = run_experiment(plan_experiment(spec), workers=0).points
    table = doc.split("A point, once all its")[1].split("`GET /api/experiments/<id>.csv`")[0]
    documented = {key for cell in re.findall(r"^\| (.*?) \|", table, flags=re.M)
                  for key in re.findall(r"`(\w+)`", cell)}  # fmt: skip
    assert documented == set(point)
