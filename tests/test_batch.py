"""Experiment specs: sweep expansion, factor levels, seeds and errors before anything runs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.batch.plan import derive_seed, plan_experiment
from sim.batch.spec import sweep_values
from sim.params import ParamsError
from tests.sim_helpers import experiment_spec


def spec(**changes):
    return experiment_spec(0.05, 4, **changes)


def errors_of(raw, **limits):
    with pytest.raises(ParamsError) as info:
        plan_experiment(raw, limits or None)
    return info.value.errors


def test_sweep_values_include_the_end_without_float_drift():
    assert sweep_values(0, 0.6, 0.05) == [round(i * 0.05, 2) for i in range(13)]
    assert sweep_values(0.1, 0.3, 0.1) == [0.1, 0.2, 0.3]
    assert sweep_values(0, 1, 0.3) == [0.0, 0.3, 0.6, 0.9]
    assert sweep_values(2, 2, 1) == [2.0]


@given(
    start=st.decimals(0, 100, places=2),
    width=st.decimals(0, 10, places=2),
    step=st.decimals("0.01", 5, places=2),
)
def test_sweep_values_cover_the_range_in_equal_steps(start, width, step):
    values = sweep_values(float(start), float(start + width), float(step))
    assert values[0] == float(start)
    assert len(values) == int(width / step) + 1  # exact decimal arithmetic
    assert all(float(start) <= v <= float(start + width) for v in values)
    assert values[-1] + float(step) > float(start + width)
    assert all(abs(b - a - float(step)) < 1e-9 for a, b in zip(values, values[1:], strict=False))


def test_plan_has_one_point_per_value_and_level():
    plan = plan_experiment(spec())
    assert len(plan.points) == 26
    assert plan.total_runs == 26 * 4
    third = plan.points[3]
    assert (third.value, third.level) == (0.05, "choreography")
    assert third.params["services"]["car"]["failure_rate"] == 0.05
    assert third.params["mode"] == "choreography"
    assert third.params["bookings"] == 10


def test_integer_sweeps_give_whole_numbers():
    plan = plan_experiment(spec(sweep={"param": "retries", "from": 0, "to": 2, "step": 1}))
    assert [p.params["retries"] for p in plan.points[::2]] == [0, 1, 2]


def test_without_a_factor_each_value_is_one_point():
    plan = plan_experiment(spec(factor=None))
    assert [p.level for p in plan.points] == [None] * 13


def test_seeds_depend_only_on_master_point_and_replication():
    plan = plan_experiment(spec())
    again = plan_experiment(spec())
    seeds = {plan.run_params(p, r)["seed"] for p in plan.points for r in range(4)}
    assert len(seeds) == plan.total_runs
    assert plan.run_params(plan.points[5], 2) == again.run_params(again.points[5], 2)
    assert derive_seed(1, 5, 2) != derive_seed(2, 5, 2)
    assert 0 <= derive_seed(2**63 - 1, 10**6, 10**6) < 2**53


def test_unknown_parameters_are_named():
    errors = errors_of(spec(sweep={"param": "car.rate", "from": 0, "to": 1, "step": 0.1}))
    assert "car.rate" in errors["sweep.param"]
    errors = errors_of(spec(factor={"param": "nope", "levels": [1]}))
    assert "nope" in errors["factor.param"]
    errors = errors_of(spec(base={"preset": None, "params": {"speed": 3}}))
    assert "base.params.speed" in errors


def test_empty_and_bad_ranges_are_refused():
    assert "empty" in errors_of(spec(sweep={**spec()["sweep"], "from": 0.5, "to": 0.1}))["sweep.to"]
    assert "sweep.step" in errors_of(spec(sweep={**spec()["sweep"], "step": 0}))
    assert "sweep.from" in errors_of(spec(sweep={**spec()["sweep"], "from": "a"}))
    errors = errors_of(spec(sweep={**spec()["sweep"], "param": "mode"}))
    assert "not numeric" in errors["sweep.param"]


def test_values_outside_a_parameters_range_blame_the_sweep_or_factor():
    errors = errors_of(spec(sweep={**spec()["sweep"], "to": 1.5}))
    assert "1.05" in errors["sweep"]
    errors = errors_of(spec(factor={"param": "mode", "levels": ["orchestration", "chaos"]}))
    assert "chaos" in errors["factor.levels"]


def test_too_many_runs_for_the_limit_is_refused_with_the_arithmetic():
    message = errors_of(spec(replications=100), max_runs=1000)["replications"]
    assert "13 values x 2 levels x 100 replications = 2600 runs" in message
    assert "1000" in message


def test_bad_replications_seed_and_levels():
    errors = errors_of(spec(replications=0, seed=-1, factor={"param": "mode", "levels": []}))
    assert set(errors) == {"replications", "seed", "factor.levels"}


def test_every_problem_is_reported_at_once():
    errors = errors_of({"sweep": None, "replications": "many"})
    assert {"sweep", "replications", "seed"} <= set(errors)
