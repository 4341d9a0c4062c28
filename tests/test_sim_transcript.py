from pathlib import Path

from sim.cli import main

DATA = Path(__file__).parent / "data" / "tutorial_sample.txt"


def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_tutorial_sample_run_is_reproduced_line_for_line(capsys):
    code = main(
        [
            "--preset",
            "tutorial",
            "--plan",
            "BOOK002:flight,BOOK003:flight,BOOK004:car,BOOK005:car",
            "--format",
            "transcript",
        ]
    )
    assert code == 0
    ours = nonblank(capsys.readouterr().out)
    assert ours == nonblank(DATA.read_text(encoding="utf-8"))
    assert ours[0] == "[0.0] FlightService started (seats: 10)"
    assert ours[-1] == "Failed sagas: 4"


def test_violations_and_crashes_are_told_in_the_transcript(capsys):
    main(["--preset", "wrong-compensation-order", "--format", "transcript"])
    out = capsys.readouterr().out
    assert "HotelService: No booking to cancel" in out
    assert "INVARIANT VIOLATED (order): BOOK004" in out
    assert "Invariants violated:" in out
    main(["--preset", "orchestrator-crash-durable-log", "--format", "transcript"])
    out = capsys.readouterr().out
    assert "SagaOrchestrator CRASHED" in out
    assert "resuming from the log - BOOK002: forward, done ['flight'], hotel requested" in out
    assert "Already booked for BOOK002" in out
