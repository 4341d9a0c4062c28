"""Helpers for the room's browser tests (tests/test_browser_room.py, test_browser_a11y.py):
runs and classes set up over REST, a run page opened as its owner, what the board cuts."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from harness.browser import Browser, Page
from harness.page import new_page, screenshot, wait_drawn, wait_finished
from tests.history_support import call, wait_ended

#: where the screenshots the issue's note describes are copied (outside the repository)
NOTES = Path("/work/notes/shots-25")


def keep_shot(page: Page, name: str, full_page: bool = False) -> Path:
    """A viewport screenshot under artifacts/screenshots/, copied to NOTES when it exists."""
    path = screenshot(page, name, full_page=full_page)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)
    return path


def started(server: str, preset: str = "tutorial", **body: Any) -> dict[str, Any]:
    """A run started over REST ({id, control_token, url})."""
    status, run = call(server, "POST", "/api/runs", {"preset": preset, **body})
    assert status == 201, run
    return dict(run)


def ended_run(server: str, preset: str, **body: Any) -> dict[str, Any]:
    """An instant run of a preset, ended; its REST record with its control token."""
    run = started(server, preset, speed="instant", **body)
    record = wait_ended(server, run["id"])
    return {**record, "control_token": run["control_token"]}


def owner_page(
    browser: Browser,
    server: str,
    run: dict[str, Any],
    width: int = 1280,
    height: int = 720,
    theme: str = "light",
    touch: bool = False,
) -> tuple[Page, list[str]]:
    """The run's page as the tab that started it sees it (its control token in the tab's
    session storage): the dashboard with the owner's controls and the presenter view."""
    page, errors = new_page(browser, width, height, theme, touch=touch)
    page.context.add_init_script(
        f"sessionStorage.setItem('saga-lab:token:{run['id']}', '{run['control_token']}')"
    )
    page.goto(server + f"/runs/{run['id']}")
    page.wait_for_function("!document.body.classList.contains('viewer')")
    return page, errors


def viewer_page(
    browser: Browser,
    server: str,
    run_id: str,
    width: int = 1280,
    height: int = 720,
    theme: str = "light",
    touch: bool = False,
) -> tuple[Page, list[str]]:
    """An ended run's page as anyone opens it (a replay), drawn at its end."""
    page, errors = new_page(browser, width, height, theme, touch=touch)
    page.goto(server + f"/runs/{run_id}")
    page.wait_for_function("document.body.classList.contains('replaying')")
    wait_finished(page)
    return page, errors


def new_class(server: str) -> dict[str, Any]:
    status, klass = call(server, "POST", "/api/classes")
    assert status == 201, klass
    return dict(klass)


def class_auth(klass: dict[str, Any]) -> dict[str, str]:
    return {"code": klass["code"], "presenter_token": klass["presenter_token"]}


def paused_class_run(server: str, klass: dict[str, Any]) -> dict[str, Any]:
    """A class run of the tutorial that has paused by itself where BOOK003's car failed (its
    first step failure with something to undo)."""
    run = started(
        server,
        "tutorial",
        speed="instant",
        breakpoints=["step_failed"],
        **{"class": class_auth(klass)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _status, record = call(server, "GET", f"/api/runs/{run['id']}")
        if record["status"] == "paused":
            return run
        time.sleep(0.05)
    raise AssertionError("the class run never paused at its breakpoint")


def ask(server: str, klass: dict[str, Any], question: str, choices: list[str]) -> dict[str, Any]:
    body = {"presenter_token": klass["presenter_token"], "question": question, "choices": choices}
    status, poll = call(server, "POST", f"/api/classes/{klass['code']}/poll", body)
    assert status == 201, poll
    return dict(poll)


# Every cell and outcome badge of the board's rows in view that is cut (its content wider or
# taller than its box) or reaches outside its row, read after scrolling the board through.
CUT = """async () => {
    const box = document.querySelector('#board-rows');
    const frame = () => new Promise(r => requestAnimationFrame(r));
    const bad = new Set();
    for (let top = 0; ; top += Math.max(1, box.clientHeight - 4)) {
        box.scrollTop = top;
        await frame(); await frame();
        for (const row of box.querySelectorAll('.saga-row')) {
            const rb = row.getBoundingClientRect();
            for (const c of row.querySelectorAll('.cell, .badge')) {
                const r = c.getBoundingClientRect();
                const cut = c.scrollWidth > c.clientWidth + 1
                    || c.scrollHeight > c.clientHeight + 1;
                const out = r.top < rb.top - 1 || r.bottom > rb.bottom + 1
                    || r.right > rb.right + 1;
                const size = `${c.scrollWidth}x${c.scrollHeight}` +
                    ` in ${c.clientWidth}x${c.clientHeight}`;
                if (cut || out) bad.add(`${row.dataset.saga} ${c.dataset.step} ` +
                    `"${c.textContent.trim()}" ${cut ? `cut: ${size}` : ''}` +
                    `${out ? ' outside its row' : ''}`);
            }
        }
        if (top + box.clientHeight >= box.scrollHeight) break;
    }
    return [...bad];
}"""


def cut_on_board(page: Page) -> list[str]:
    """What the board cuts or lets spill (see CUT); the board is scrolled back afterwards."""
    top = page.evaluate("document.querySelector('#board-rows').scrollTop")
    bad = list(page.evaluate(CUT))
    page.evaluate(f"document.querySelector('#board-rows').scrollTop = {top}")
    wait_drawn(page)
    return bad


def in_view(page: Page, selector: str) -> bool:
    """The element is wholly inside the viewport."""
    return bool(
        page.locator(selector).evaluate(
            """e => { const r = e.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight + 0.5
                && r.left >= 0 && r.right <= innerWidth + 0.5; }"""
        )
    )
