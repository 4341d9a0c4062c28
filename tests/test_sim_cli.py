import json
import subprocess
import sys

from sim import to_json
from sim.cli import main
from sim.presets import resolve
from sim.runner import run_trace
from tests.sim_helpers import trace


def test_jsonl_is_the_trace_one_event_per_line(capsys):
    assert main(["--preset", "tutorial", "--seed", "4", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [to_json(e) for e in trace("tutorial", seed=4)]


def test_jsonl_writes_what_json_dumps_writes_at_times_under_1e4_and_after(capsys):
    """The tracer batches plain events for orjson and hands the others (times under 1e-4,
    where orjson writes 0.00001 or 1e-5, and run.*) to the sink's call: one file, in order."""
    args = ["--mode", "orchestration", "--bookings", "60", "--seed", "3"]
    args += ["--set", "interarrival=0.00002", "--set", "network_delay=0.00003"]
    args += ["--set", "orchestrator.crash_at=0.0007", "--set", "orchestrator.restart_after=2"]
    assert main([*args, "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    params = {
        "mode": "orchestration",
        "bookings": 60,
        "seed": 3,
        "interarrival": 0.00002,
        "network_delay": 0.00003,
        "orchestrator": {"crash_at": 0.0007, "restart_after": 2},
    }
    events = run_trace(resolve({"params": params}))
    assert any(0 < e["t"] < 1e-4 for e in events) and any(e["t"] > 1 for e in events)
    assert lines == [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in events]


def test_summary_format(capsys):
    main(["--mode", "choreography", "--bookings", "7", "--seed", "2", "--format", "summary"])
    summary = json.loads(capsys.readouterr().out)
    assert sum(summary["sagas"][k] for k in ("completed", "compensated", "stuck", "flagged")) == 7
    assert set(summary["invariants"]) == {
        "conservation",
        "atomic_outcome",
        "nothing_stuck",
        "order",
        "no_double_booking",
    }


def test_set_reaches_nested_parameters_and_params_file(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"bookings": 3, "services": {"car": {"capacity": 1}}}))
    main(["--params", str(path), "--set", "services.car.failure_rate=0", "--format", "jsonl"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["params"]["bookings"] == 3
    assert first["params"]["services"]["car"] == {"capacity": 1, "failure_rate": 0.0}
    assert first["params"]["until"] is None


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=60
    )


def test_bad_input_exits_2_with_one_clear_line():
    for args, needle in [
        (["--set", "services.car.failure_rate=2"], "services.car.failure_rate"),
        (["--plan", "BOOK002"], "BOOKID:step"),
        (["--bookings", "0"], "bookings"),
        (["--params", "/no/such/file.json"], "cannot read"),
        (["--set", "wings=3"], "wings: is not a known parameter"),
    ]:
        done = run_cli(*args)
        assert done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_unknown_preset_is_an_argparse_error():
    done = run_cli("--preset", "nope")
    assert done.returncode == 2 and "invalid choice" in done.stderr
