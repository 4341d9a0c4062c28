"""`python -m sim`: run one simulation and print its transcript, JSON Lines or summary."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from sim.faults import parse_fault_text
from sim.params import ParamsError, deep_merge, parse_assignment, parse_plan
from sim.presets import PRESETS, resolve
from sim.runner import run_summary
from sim.saga import BUILTIN, SagaError, load_saga_file
from sim.trace.events import JsonlSink, ListSink
from sim.trace.transcript import TranscriptRenderer
from sim.trace.vocabulary import MODES

SAGA_FILES = (".yaml", ".yml", ".json")


class CliError(Exception):
    """Bad command-line input: one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
    p.add_argument("--preset", choices=sorted(PRESETS), help="start from a named scenario")
    p.add_argument(
        "--saga",
        metavar="NAME|FILE",
        help="the saga to run: a built-in's name (" + ", ".join(BUILTIN) + ") or a definition "
        "in a .yaml, .yml or .json file (docs/sagas.md)",
    )
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--bookings", type=int, help="number of booking requests")
    p.add_argument("--seed", type=int, help="random seed")
    p.add_argument("--params", metavar="FILE.json", help="parameters as a JSON file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set any parameter by dotted name, e.g. services.car.failure_rate=0.5",
    )
    p.add_argument("--plan", help="force failures, e.g. BOOK002:flight,BOOK004:car")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="T:ACTION:ACTOR",
        help="crash or restart an actor at simulated time T, e.g. 4.2:crash:orchestrator "
        "(repeatable; adds to the preset's or --params' faults)",
    )
    p.add_argument("--format", choices=["transcript", "jsonl", "summary"], default="transcript")
    p.add_argument("--list-presets", action="store_true", help="list presets and exit")
    p.add_argument("--list-sagas", action="store_true", help="list the built-in sagas and exit")
    return p


def request_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The `{"preset", "params"}` request the arguments describe (later flags win)."""
    overrides: dict[str, Any] = {}
    if args.params:
        try:
            with open(args.params, encoding="utf-8") as fh:
                loaded = json.load(fh)
        except OSError as exc:
            raise CliError(f"--params: cannot read {args.params}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CliError(
                f"--params: {args.params} is not JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(loaded, dict):
            raise CliError(f"--params: {args.params} must hold a JSON object")
        overrides = loaded
    for key in ("mode", "bookings", "seed"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    for text in args.set:
        overrides = deep_merge(overrides, parse_assignment(text))
    if args.saga is not None:
        overrides["saga"] = _saga(args.saga)
    if args.plan is not None:
        overrides["plan"] = parse_plan(args.plan)
    if args.fault:
        overrides["faults"] = list(overrides.get("faults") or []) + [
            _fault(text) for text in args.fault
        ]
    return {"preset": args.preset, "params": overrides}


def _saga(text: str) -> str | dict[str, Any]:
    """A built-in's name as it is, or the definition in a file."""
    if text in BUILTIN:
        return text
    if os.path.splitext(text)[1].lower() not in SAGA_FILES:
        raise CliError(
            f"--saga: '{text}' is neither a built-in saga ({', '.join(BUILTIN)}) nor a "
            + "/".join(SAGA_FILES)
            + " file"
        )
    try:
        return load_saga_file(text).to_dict()
    except SagaError as exc:
        first = "; ".join(f"{field}: {msg}" for field, msg in exc.errors.items())
        raise CliError(f"--saga: {text}: {first}") from None


def _fault(text: str) -> dict[str, Any]:
    try:
        return parse_fault_text(text)
    except ValueError as exc:
        raise CliError(f"--fault: {exc}") from None


def run(args: argparse.Namespace, out: TextIO) -> None:
    params = resolve(request_from_args(args))
    if args.format == "jsonl":
        sink = JsonlSink(out)
        run_summary(params, sink)
        sink.close()
    elif args.format == "summary":
        json.dump(run_summary(params), out, indent=2)
        out.write("\n")
    else:
        renderer, sink = TranscriptRenderer(), ListSink()
        sink.events = _Printer(renderer, out)  # type: ignore[assignment]
        run_summary(params, sink)


class _Printer(list):
    """Prints transcript lines as events arrive instead of keeping them."""

    def __init__(self, renderer: TranscriptRenderer, out: TextIO) -> None:
        super().__init__()
        self.renderer, self.out = renderer, out

    def append(self, event: Any) -> None:  # type: ignore[override]
        for line in self.renderer.lines(event):
            self.out.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_presets:
        for name, preset in PRESETS.items():
            print(f"{name}: {preset['description']}")
        return 0
    if args.list_sagas:
        for saga in BUILTIN.values():
            steps = ", ".join(f"{s.name} ({s.kind})" for s in saga.steps)
            print(f"{saga.name}: {saga.title}. Steps: {steps}")
        return 0
    try:
        run(args, sys.stdout)
    except ParamsError as exc:
        first = "; ".join(f"{field}: {msg}" for field, msg in exc.errors.items())
        print(f"python -m sim: bad parameters: {first}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"python -m sim: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
