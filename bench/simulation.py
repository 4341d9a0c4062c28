"""`python -m bench.simulation`: sagas per second against the tutorial's own code, in one run.

Each measurement runs in a fresh process and counts CPU seconds (user + system), which a
busy machine disturbs less than wall time; the best of `--repeat` runs counts. "model" rows
time building and running the model inside the child (the tutorial's script the same way,
through runpy); "whole process" rows time the entire child. Peak memory is the child's max RSS.
Each row prints its CPU seconds, its ratio to the tutorial's code and the aim for that ratio
(issue 15: traced 2x, JSON Lines 1.5x); the load average is printed before and after, since
2 shared cores make every figure depend on what else runs.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(os.environ.get("SAGALAB_BASELINE", Path(__file__).parent / "tutorial_baseline.py"))
BIG = 1_000_000_000  # the baseline's capacities never bind either
MODES = {"orch": "orchestration", "choreo": "choreography"}
AIMS = {"traced": 2.0, "jsonl": 1.5}  # ratio to the tutorial's code on the same draws


def _child(cmd: list[str]) -> tuple[float, int, str]:
    """Run a command; return (CPU seconds of the whole child, peak RSS in MB, stderr)."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, text=True
    )
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, err


def _seconds(err: str) -> float:
    return float(re.search(r"cpu=([\d.]+)", err).group(1))


BASELINE_IN_CHILD = (
    "import runpy, sys, time; sys.argv = [sys.argv[1], sys.argv[2], sys.argv[3]]; "
    "t = time.process_time(); runpy.run_path(sys.argv[0], run_name='__main__'); "
    "print(f'cpu={time.process_time() - t:.4f}', file=sys.stderr)"
)


def _caps() -> list[str]:
    steps = ("flight", "hotel", "car")
    return [a for s in steps for a in ("--set", f"services.{s}.capacity={BIG}")]


def one(mode: str, bookings: int, saga: str = "travel", count: bool = False) -> None:
    """In-process: build and run the model with full tracing into a discarding sink; with
    `count`, then the same run again, untimed, into a sink that counts the forward step tries."""
    from sim.presets import resolve
    from sim.runner import run_summary
    from sim.saga import BUILTIN

    holding = BUILTIN[saga].holding
    params = resolve(
        {
            "params": {
                "saga": saga,
                "mode": mode,
                "bookings": bookings,
                "services": {s: {"capacity": BIG} for s in holding},
            }
        }
    )
    start = time.process_time()
    summary = run_summary(params)
    seconds = time.process_time() - start
    tries = StepCounter()
    if count:
        run_summary(params, tries)
    print(
        f"cpu={seconds:.4f} events={summary['events']} completed={summary['sagas']['completed']}"
        f" steps={tries.count}",
        file=sys.stderr,
    )


class StepCounter:
    """A sink that counts forward step tries: each `step.succeeded` or `step.failed` is one
    local transaction a service tried, in either mode."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, event: dict) -> None:
        if event["kind"] in ("step.succeeded", "step.failed"):
            self.count += 1


def best(runs: int, measure) -> tuple[float, int, str]:
    """The least disturbed of several runs (by the seconds in stderr, else by CPU seconds)."""
    results = [measure() for _ in range(runs)]
    return min(results, key=lambda r: _seconds(r[2]) if "cpu=" in r[2] else r[0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.simulation", description=__doc__)
    ap.add_argument("--bookings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--one", choices=list(MODES.values()), help=argparse.SUPPRESS)
    ap.add_argument("--saga", default="travel", help=argparse.SUPPRESS)
    ap.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--only", choices=["tutorial", "steps"], help="only the tutorial table or the per-step one"
    )
    args = ap.parse_args(argv)
    if args.one:
        one(args.one, args.bookings, args.saga, args.count)
        return 0
    n, py = args.bookings, sys.executable
    have_baseline = BASELINE.exists()
    print(
        f"{n:,} bookings, CPU seconds (user + system), best of {args.repeat}; baseline: "
        f"{BASELINE if have_baseline else 'not found (set SAGALAB_BASELINE)'}"
    )
    print(f"load average before: {_load()}")
    if args.only != "steps":
        tutorial_table(args, n, py, have_baseline)
    if args.only != "tutorial":
        steps_table(args, n, py)
    print(f"load average after:  {_load()}")
    return 0


def tutorial_table(args: argparse.Namespace, n: int, py: str, have_baseline: bool) -> None:
    """Travel against the tutorial's own code: the model traced, and the whole CLI process."""
    print(
        f"{'measure':52} {'CPU s':>7} {'sagas/s':>9} {'tutorial':>9} {'ratio':>6} {'aim':>6}"
        f" {'':4} {'peak MB':>7}"
    )
    for short, mode in MODES.items():
        base_rate = base_whole = None
        if have_baseline:
            whole, _, err = best(
                args.repeat,
                lambda s=short: _child([py, "-c", BASELINE_IN_CHILD, str(BASELINE), s, str(n)]),
            )
            base_rate, base_whole = n / _seconds(err), n / whole
        _, mem, err = best(
            args.repeat,
            lambda m=mode: _child([py, "-m", "bench.simulation", "--one", m, "--bookings", str(n)]),
        )
        seconds = _seconds(err)
        _row(f"{mode}: model, traced into a discarding sink", seconds, n, base_rate, "traced", mem)
        whole, mem, _ = best(
            args.repeat,
            lambda m=mode: _child(
                [py, "-m", "sim", "--mode", m, "--bookings", str(n), *_caps(), "--format", "jsonl"]
            ),
        )
        _row(f"{mode}: whole process, --format jsonl", whole, n, base_whole, "jsonl", mem)


#: the sagas whose cost per step is compared: the tutorial's 3 steps, Richardson's 6
PER_STEP = ("travel", "create-order")


def steps_table(args: argparse.Namespace, n: int, py: str) -> None:
    """Per-step throughput: forward step tries per CPU second of the model, travel beside
    create-order in both modes (capacities that never bind, the sagas' own failure rates)."""
    from sim.saga import BUILTIN

    print(
        f"\nper step: the model traced into a discarding sink, best of {args.repeat}\n"
        f"{'saga':14} {'steps':>5} {'mode':14} {'CPU s':>7} {'sagas/s':>9} {'tries/saga':>10}"
        f" {'steps/s':>10} {'vs travel':>9}"
    )
    for mode in MODES.values():
        travel_rate = None
        for saga in PER_STEP:
            _, _, err = best(
                args.repeat,
                lambda m=mode, s=saga: _child(
                    [
                        py,
                        "-m",
                        "bench.simulation",
                        "--one",
                        m,
                        "--saga",
                        s,
                        "--count",
                        "--bookings",
                        str(n),
                    ]
                ),
            )
            seconds = _seconds(err)
            tries = int(re.search(r"steps=(\d+)", err).group(1))
            rate = tries / seconds
            travel_rate = travel_rate or rate
            print(
                f"{saga:14} {len(BUILTIN[saga].steps):5} {mode:14} {seconds:7.2f} "
                f"{n / seconds:9,.0f} {tries / n:10.2f} {rate:10,.0f} {rate / travel_rate:8.2f}x"
            )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def _row(label: str, seconds: float, n: int, base: float | None, aim: str, mem: int) -> None:
    """One figure: CPU seconds, sagas/s, the tutorial's sagas/s, the ratio against its aim."""
    rate, goal = n / seconds, AIMS[aim]
    ratio = rate / base if base else None
    verdict = "" if ratio is None else ("met" if ratio >= goal else "miss")
    print(
        f"{label:52} {seconds:7.2f} {rate:9,.0f} "
        + (f"{base:9,.0f} {ratio:5.2f}x" if base else f"{'-':>9} {'-':>6}")
        + f" {goal:5.2f}x {verdict:4} {mem:7}"
    )


if __name__ == "__main__":
    sys.exit(main())
