"""Batch experiments on the real simulation against answers known in advance."""

import pytest

from sim.batch.plan import plan_experiment
from sim.batch.pool import run_experiment
from sim.batch.presets import EXPERIMENTS


def run(base_params, sweep, reps, workers=0, factor=None, seed=1, preset=None):
    plan = plan_experiment({
        "base": {"preset": preset, "params": base_params},
        "sweep": sweep,
        "factor": factor,
        "replications": reps,
        "seed": seed,
    })  # fmt: skip
    return run_experiment(plan, workers=workers)


def roomy(flight, hotel, car):
    """Capacities too large to bind, with these failure rates."""
    rates = {"flight": flight, "hotel": hotel, "car": car}
    return {s: {"capacity": 100_000, "failure_rate": r} for s, r in rates.items()}


@pytest.mark.parametrize("mode", ["orchestration", "choreography"])
def test_failure_rates_zero_and_one_give_certain_outcomes(mode):
    base = {"mode": mode, "bookings": 20, "services": roomy(0, 0, 0)}
    sweep = {"param": "services.car.failure_rate", "from": 0, "to": 1, "step": 1}
    never, always = run(base, sweep, 5).points
    assert never["value"] == 0 and never["success_rate"] == 1.0 and never["completed"] == 100
    assert never["ci95"][1] == 1.0 and never["ci95"][0] > 0.96
    assert always["value"] == 1 and always["success_rate"] == 0.0 and always["compensated"] == 100
    assert always["ci95"][0] == 0.0 and always["ci95"][1] < 0.04
    # every failed saga had completed flight and hotel, both undone
    assert always["compensations"] == {
        "performed": 200,
        "expected": 200,
        "per_run": {"mean": 40.0, "ci95": [40.0, 40.0]},  # 20 sagas x 2 in each of 5 runs
    }
    assert never["violation_rate"] == always["violation_rate"] == 0.0


@pytest.mark.parametrize("mode", ["orchestration", "choreography"])
def test_replicated_point_matches_the_analytic_success_probability(mode):
    base = {"mode": mode, "bookings": 50, "services": roomy(0.1, 0.15, 0.3)}
    sweep = {"param": "services.car.failure_rate", "from": 0.3, "to": 0.3, "step": 0.1}
    (point,) = run(base, sweep, 40).points
    expected = 0.9 * 0.85 * 0.7
    assert point["sagas"] == 2000
    assert point["ci95"][0] <= expected <= point["ci95"][1]
    assert point["per_run"]["ci95"][0] <= expected <= point["per_run"]["ci95"][1]
    assert point["ci95"][1] - point["ci95"][0] < 0.06


def test_results_are_reproducible_from_the_master_seed_on_any_number_of_workers():
    base = {"bookings": 10}
    sweep = {"param": "services.car.failure_rate", "from": 0, "to": 0.6, "step": 0.3}
    factor = {"param": "mode", "levels": ["orchestration", "choreography"]}
    in_process = run(base, sweep, 6, workers=0, factor=factor).points
    pooled = run(base, sweep, 6, workers=2, factor=factor).points
    other_seed = run(base, sweep, 6, workers=0, factor=factor, seed=2).points
    assert pooled == in_process
    assert [p["completed"] for p in other_seed] != [p["completed"] for p in in_process]


def test_exercise_one_compensations_always_equal_completed_forward_steps():
    spec = {**EXPERIMENTS["exercise-1"]["spec"], "replications": 30}
    outcome = run_experiment(plan_experiment(spec), workers=0)
    assert len(outcome.points) == 7
    for point in outcome.points:
        assert point["compensation_mismatch_runs"] == 0
        assert point["compensations"]["performed"] == point["compensations"]["expected"]
    assert outcome.points[-1]["compensated"] > outcome.points[0]["compensated"]
