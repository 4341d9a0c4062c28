"""Long main-thread tasks read from a Chrome trace: wall time, CPU time and what ran in them.

The long-task API gives wall time only, which a loaded machine stretches (a task descheduled
for 40 ms reports 40 ms more). The trace also records each task's thread time (`tdur`), which
the load barely moves, and the calls inside it, so a benchmark can say which code is long.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from harness.browser import Browser, Page

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel", "v8"]
#: trace events that say what a task ran (not the timers, frames and events that wrap them)
WORK = {
    "FunctionCall": "js",
    "EvaluateScript": "script",
    "v8.compile": "compile",
    "ParseHTML": "html",
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "Paint": "paint",
    "MinorGC": "gc",
    "MajorGC": "gc",
}


@dataclass
class Task:
    """One task of the renderer's main thread."""

    start_ms: float  # trace clock (not performance.now())
    wall_ms: float
    cpu_ms: float
    parts: Counter[str] = field(default_factory=Counter)  # what ran -> wall ms

    def what(self, top: int = 3) -> str:
        return ", ".join(f"{name} {ms:.0f}" for name, ms in self.parts.most_common(top))


@contextmanager
def traced(browser: Browser, page: Page) -> Iterator[list[Task]]:
    """Trace `page` for the duration of the block; the list fills with its tasks after it."""
    tasks: list[Task] = []
    browser.start_tracing(page=page, categories=CATEGORIES)
    try:
        yield tasks
    finally:
        tasks.extend(tasks_of(json.loads(browser.stop_tracing())["traceEvents"]))


def label(event: dict[str, Any]) -> str:
    """A short name for what a trace event ran: a JS function with its file, or its kind."""
    data = event.get("args", {}).get("data", {})
    kind = WORK[event["name"]]
    if event["name"] == "FunctionCall":
        where = str(data.get("url", "")).rsplit("/", 1)[-1]
        return f"{where}:{data.get('functionName') or '(anonymous)'}"
    return kind


def tasks_of(events: list[dict[str, Any]]) -> list[Task]:
    """Every task of the renderer main thread(s), with the work nested in each."""
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    mine = sorted(
        (e for e in events if e.get("ph") == "X" and (e.get("pid"), e.get("tid")) in mains),
        key=lambda e: (e["ts"], -e.get("dur", 0)),
    )
    tasks: list[Task] = []
    current: tuple[Task, int] | None = None
    for e in mine:
        if e["name"] == "RunTask":
            task = Task(e["ts"] / 1000, e.get("dur", 0) / 1000, e.get("tdur", 0) / 1000)
            tasks.append(task)
            current = (task, e["ts"] + e.get("dur", 0))
        elif current and e["ts"] < current[1] and e["name"] in WORK:
            current[0].parts[label(e)] += e.get("dur", 0) / 1000
    return tasks


def summary(tasks: list[Task], over_ms: float = 50.0, top: int = 5) -> str:
    """How many tasks are long by wall and by CPU time, and the longest by CPU."""
    by_cpu = sorted(tasks, key=lambda t: t.cpu_ms, reverse=True)
    lines = [
        f"{sum(t.wall_ms > over_ms for t in tasks)} tasks over {over_ms:g} ms wall, "
        f"{sum(t.cpu_ms > over_ms for t in tasks)} over {over_ms:g} ms CPU; longest by CPU:"
    ]
    lines += [
        f"    {t.cpu_ms:5.0f} ms CPU ({t.wall_ms:4.0f} wall): {t.what()}" for t in by_cpu[:top]
    ]
    return "\n".join(lines)
