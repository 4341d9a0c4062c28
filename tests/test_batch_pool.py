"""The pool runner on a stand-in simulation: reproducibility, incremental points, cancellation."""

import random
import threading

from sim.batch.plan import plan_experiment
from sim.batch.points import points_csv
from sim.batch.pool import run_experiment

FAKE = "tests.test_batch_pool:fake_run_summary"


def fake_run_summary(params):
    """Each booking completes with the product of the step success chances; no capacity."""
    rng = random.Random(params["seed"])
    rates = [params["services"][s]["failure_rate"] for s in ("flight", "hotel", "car")]
    done = sum(all(rng.random() >= r for r in rates) for _ in range(params["bookings"]))
    failed = params["bookings"] - done
    return {
        "sagas": {"completed": done, "compensated": failed, "stuck": 0, "flagged": 0},
        "invariants": {"conservation": {"ok": params["retries"] == 0, "sagas": []}},
        "compensations": {"performed": failed, "expected": failed},
        "retries": params["retries"] * failed,
        "duplicates_prevented": 0,
        "leaked": {"flight": 0},
        "events": 1,
    }


def plan(reps=6, points_to=0.6, seed=3):
    return plan_experiment({
        "base": {"preset": None, "params": {"bookings": 20}},
        "sweep": {"param": "services.car.failure_rate", "from": 0, "to": points_to, "step": 0.2},
        "factor": {"param": "retries", "levels": [0, 1]},
        "replications": reps,
        "seed": seed,
    })  # fmt: skip


def test_results_do_not_depend_on_workers_or_chunks():
    in_process = run_experiment(plan(), workers=0, run_fn=FAKE)
    pooled = run_experiment(plan(), workers=2, run_fn=FAKE, chunk_size=4)
    assert in_process.status == pooled.status == "finished"
    assert [p["index"] for p in pooled.points] == list(range(8))
    assert pooled.points == in_process.points


def test_another_master_seed_gives_other_results():
    first = run_experiment(plan(seed=3), workers=0, run_fn=FAKE).points
    other = run_experiment(plan(seed=4), workers=0, run_fn=FAKE).points
    assert [p["completed"] for p in first] != [p["completed"] for p in other]


def test_points_arrive_whole_and_in_order_with_progress():
    seen, progress = [], []
    outcome = run_experiment(
        plan(), workers=0, run_fn=FAKE, on_point=seen.append, on_progress=progress.append
    )
    assert [p["index"] for p in seen] == list(range(8))
    assert all(p["runs"] == 6 for p in seen)
    assert progress[-1]["runs_done"] == progress[-1]["runs_total"] == 48
    assert progress[-1]["points_done"] == 8
    assert outcome.points == seen


def test_point_statistics_add_up():
    point = run_experiment(plan(), workers=0, run_fn=FAKE).points[3]  # car 0.2, one retry
    assert point["runs"] == 6 and point["sagas"] == 120
    assert point["completed"] + point["compensated"] == 120
    assert point["success_rate"] == point["completed"] / 120
    assert point["ci95"][0] < point["success_rate"] < point["ci95"][1]
    assert point["violation_rate"] == 1.0 and point["violations"] == {"conservation": 6}
    assert point["compensations"]["performed"] == point["compensated"]
    assert point["retries"] == point["compensated"]


def test_cancel_in_process_stops_after_the_current_chunk():
    cancel = threading.Event()
    outcome = run_experiment(
        plan(), workers=0, run_fn=FAKE, chunk_size=2, cancel=cancel,
        on_progress=lambda _: cancel.set(),
    )  # fmt: skip
    assert outcome.status == "cancelled"
    assert outcome.progress["runs_done"] == 2
    assert [p["runs"] for p in outcome.points] == [2]


def test_cancel_on_the_pool_drops_queued_work():
    cancel = threading.Event()
    big = plan(reps=50, points_to=1.0)
    outcome = run_experiment(
        big, workers=2, run_fn=FAKE, chunk_size=5, cancel=cancel,
        on_progress=lambda _: cancel.set(),
    )  # fmt: skip
    assert outcome.status == "cancelled"
    # at most the four chunks in flight when cancel came finish
    assert 5 <= outcome.progress["runs_done"] <= 20 < big.total_runs


def test_csv_has_a_row_per_point_headed_by_the_parameters():
    outcome = run_experiment(plan(), workers=0, run_fn=FAKE)
    lines = points_csv(outcome.points, "services.car.failure_rate", "retries").splitlines()
    assert lines[0].startswith("services.car.failure_rate,retries,runs,sagas,success_rate")
    assert len(lines) == 9
    assert lines[2].startswith("0.0,1,6,120,")
