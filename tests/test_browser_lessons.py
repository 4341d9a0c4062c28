"""Every lesson's cause on the board itself, in chromium: each failing preset marks the row and
cell that show it, its remedy shows no such mark; actor state, the caption, ended runs and
"show the fix" where the class looks."""

from __future__ import annotations

import pytest

from harness.browser import Browser, Page
from harness.page import open_page, start_run, wait_drawn, wait_finished

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

Cells = dict[str, dict[str, dict[str, str]]]


def board_cells(page: Page) -> Cells:
    """Every row of the (virtualised) board: {saga: {step: {"text", "cls"}, "badge": ...}},
    read by scrolling it from top to bottom."""
    return page.evaluate("""async () => {
        const box = document.getElementById('board-rows');
        const rows = {};
        const frame = () => new Promise(r => requestAnimationFrame(r));
        for (let top = 0; ; top += box.clientHeight) {
            box.scrollTop = top;
            await frame();
            for (const row of box.querySelectorAll('.saga-row')) {
                const out = {badge: {text: row.querySelector('.badge').textContent.trim(),
                                     cls: row.className}};
                for (const c of row.querySelectorAll('.cell')) {
                    out[c.dataset.step] = {text: c.textContent.trim(), cls: c.className};
                }
                rows[row.dataset.saga] = out;
            }
            if (top + box.clientHeight >= box.scrollHeight) break;
        }
        box.scrollTop = 0;
        return rows;
    }""")


def finished_board(browser: Browser, server: str, preset: str) -> tuple[Page, Cells]:
    page, errors = open_page(browser, server + "/", 1920, 1080)
    start_run(page, preset, plan=None, speed="instant")
    wait_finished(page)
    cells = board_cells(page)
    assert errors == []
    return page, cells


def marked(cells: Cells, cls: str) -> list[tuple[str, str]]:
    return [
        (saga, step)
        for saga, row in cells.items()
        for step, cell in row.items()
        if step != "badge" and cls in cell["cls"].split()
    ]


# failing preset, saga, step, the class that marks the cause, words in the cell, remedy
PAIRS = [
    (
        "tutorial-choreography-gap",
        "BOOK002",
        "flight",
        "leak",
        "still held",
        "tutorial-choreography",
    ),
    (
        "wrong-compensation-order",
        "BOOK004",
        "hotel",
        "leak",
        "found nothing",
        "right-compensation-order",
    ),
    ("retry-not-idempotent", "BOOK001", "hotel", "held-multi", "×2", "retry-idempotent"),
    (
        "orchestrator-crash-no-log",
        "BOOK002",
        "flight",
        "held-multi",
        "✓ booked ×2",
        "orchestrator-crash-durable-log",
    ),
    (
        "orchestrator-crash-log-not-idempotent",
        "BOOK002",
        "hotel",
        "held-multi",
        "✓ booked ×2",
        "orchestrator-crash-durable-log",
    ),
    (
        "choreography-crash-no-outbox",
        "BOOK002",
        "hotel",
        "leak",
        "still held",
        "choreography-crash-outbox",
    ),
    (
        "choreography-crash-no-outbox",
        "BOOK002",
        "hotel",
        "leak",
        "still held",
        "choreography-crash-redelivery",
    ),
    (
        "choreography-crash-no-outbox",
        "BOOK002",
        "hotel",
        "leak",
        "still held",
        "choreography-crash-saga-timeout",
    ),
]


@pytest.mark.parametrize(("failing", "saga", "step", "cls", "words", "remedy"), PAIRS)
def test_the_cause_is_on_the_board_and_the_remedy_has_none(
    server: str,
    browser: Browser,
    failing: str,
    saga: str,
    step: str,
    cls: str,
    words: str,
    remedy: str,
) -> None:
    page, cells = finished_board(browser, server, failing)
    cell = cells[saga][step]
    assert cls in cell["cls"].split() and words in cell["text"], cell
    page.context.close()
    page, fixed = finished_board(browser, server, remedy)
    assert marked(fixed, cls) == [], f"{remedy} still shows {cls}"
    if cls == "leak":  # the leak's words are gone too
        assert not any(words in c["text"] for row in fixed.values() for c in row.values())
    page.context.close()


def test_the_car_retry_shows_on_the_car_cells(server: str, browser: Browser) -> None:
    page, cells = finished_board(browser, server, "car-no-retry")
    cars = [row["car"] for row in cells.values()]
    failed = [c for c in cars if "fwd-failed" in c["cls"]]
    assert failed and all("↻" not in c["text"] for c in failed)  # refused on the first try
    page.context.close()
    page, fixed = finished_board(browser, server, "car-retry")
    cars = [row["car"] for row in fixed.values()]
    assert any(c["text"] == "✓ booked ↻2" for c in cars)
    assert all(c["text"].endswith("↻2") for c in cars if "fwd-failed" in c["cls"])
    page.context.close()


def test_an_isolation_anomaly_names_the_holder_and_selects_both(
    server: str, browser: Browser
) -> None:
    page, cells = finished_board(browser, server, "no-isolation")
    assert cells["BOOK002"]["hotel"]["text"] == "✗ no room: held by BOOK001"
    assert "why-sold_out" in cells["BOOK002"]["hotel"]["cls"]
    for chosen, other in (("BOOK001", "BOOK002"), ("BOOK002", "BOOK001")):
        page.click(f"#board-rows [data-saga='{chosen}'] .sid")
        page.wait_for_selector(f"#board-rows [data-saga='{chosen}'].selected")
        assert "related" in page.get_attribute(f"#board-rows [data-saga='{other}']", "class")
        page.keyboard.press("Escape")
        page.wait_for_selector("#board-rows .saga-row.selected", state="detached")
    # the 2.1 s run fills its timeline instead of 5% of a 20 s window
    assert float(page.get_attribute("#timeline-canvas", "data-window")) < 5
    page.context.close()


def crash_orchestrator_mid_saga(page: Page) -> None:
    """Start the tutorial paused, step into BOOK001's flight, crash the orchestrator."""
    page.check("#start-paused")
    start_run(page, "tutorial", plan=None, speed="1×")
    page.wait_for_selector("#controls[data-phase='live']")
    page.wait_for_function("document.querySelector('#run-status').textContent.includes('paused')")
    for _ in range(3):
        page.click("#btn-step")
    page.wait_for_selector("#board-rows [data-saga='BOOK001']")
    page.click("#fault-buttons button[data-action='crash'][data-actor='orchestrator']")
    page.wait_for_selector("#down-badges .down-badge[data-actor='orchestrator']")
    wait_drawn(page)


def test_a_crashed_orchestrator_shows_down_everywhere(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1920, 1080)
    crash_orchestrator_mid_saga(page)
    badge = page.inner_text("#down-badges")
    assert "orchestrator down" in badge and "back in 5.0 s" in badge
    crash = page.locator("#fault-buttons button[data-action='crash'][data-actor='orchestrator']")
    restart = page.locator(
        "#fault-buttons button[data-action='restart'][data-actor='orchestrator']"
    )
    assert crash.is_disabled() and "is-down" in crash.get_attribute("class")
    assert restart.is_enabled() and "restarts by itself" in restart.get_attribute("title")
    assert page.get_attribute("#timeline-canvas", "data-down") == "orchestrator"
    # the down lane is on the projector's first screen: the board's box is as tall as the
    # run's 5 sagas (it was 398 px whatever the run)
    rows = page.locator("#board-rows")
    row = rows.evaluate(
        "e => Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.2)"
    )
    assert rows.evaluate("e => e.clientHeight") == 5 * row
    lane = page.locator("#timeline-canvas").evaluate(
        "e => e.getBoundingClientRect().top + e.clientHeight / 4"  # the first of 4 lanes
    )
    assert lane < 1080, lane
    note = page.inner_text("#board-rows [data-saga='BOOK001'] .note")
    assert note == "❚❚ waits: orchestrator"
    assert "Orchestrator" in page.inner_text("#caption-line") or page.inner_text(
        "#caption-line"
    ).startswith("[")
    restart.click()
    page.wait_for_selector("#down-badges .down-badge", state="detached")
    assert errors == []
    page.context.close()


def test_the_caption_narrates_each_step(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720)
    page.check("#start-paused")
    start_run(page, "tutorial", plan=None, speed="1×")
    page.wait_for_function("document.querySelector('#run-status').textContent.includes('paused')")
    seen = []
    for _ in range(4):
        before = page.get_attribute("#caption-line", "data-seq") or ""
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(b) => (document.querySelector('#caption-line').dataset.seq || '') !== b", arg=before
        )
        seen.append(page.inner_text("#caption-line"))
    assert seen[0] == "[0.0] Orchestrator: Executing step 1/3: book_flight", seen
    assert seen[1] == "[0.3] Orchestrator: Executing step 2/3: book_hotel", seen
    box = page.locator("#caption-line").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720  # above the fold
    assert "tutorial" in page.inner_text("#caption-lesson")
    assert errors == []
    page.context.close()


def test_space_on_an_ended_run_plays_the_replay_and_never_starts_a_run(
    server: str, browser: Browser
) -> None:
    page, _ = finished_board(browser, server, "no-isolation")
    url = page.url
    page.wait_for_selector("#controls[data-phase='ended']")
    assert page.inner_text("#btn-start") == "⟲ New run"
    assert page.locator("#btn-pause").is_hidden() and page.locator("#speed").is_hidden()
    assert page.locator("#fault-buttons").is_hidden()
    page.locator("body").press(" ")
    page.wait_for_function("document.querySelector('#replay-play').textContent.includes('Pause')")
    page.locator("body").press(" ")
    page.wait_for_function("document.querySelector('#replay-play').textContent.includes('Play')")
    assert page.url == url
    page.context.close()


def test_show_the_fix_opens_the_remedy_beside_the_failing_run(
    server: str, browser: Browser
) -> None:
    page, _ = finished_board(browser, server, "wrong-compensation-order")
    failing = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("#btn-fix:not([hidden])")
    assert page.inner_text("#btn-fix") == "✓ Show the fix: right-compensation-order"
    page.click("#btn-fix")
    page.wait_for_url(f"**/compare?a={failing}&b=*")
    page.context.close()


def test_offline_controls_are_disabled_and_nothing_is_sent_later(
    server: str, browser: Browser
) -> None:
    page, _ = open_page(browser, server + "/", 1280, 720)
    page.check("#start-paused")
    start_run(page, "tutorial", plan=None, speed="1×")
    page.wait_for_function("document.querySelector('#run-status').textContent.includes('paused')")
    # every event the paused run has stored is on the page before its seq is read (the status
    # can overtake the first batch on a busy machine)
    page.wait_for_function("""async () => {
        const {runs} = await (await fetch('/api/runs?limit=1')).json();
        return runs.length === 1 && runs[0].event_count > 0
            && +document.body.dataset.events === runs[0].event_count; }""")
    wait_drawn(page)
    seq = page.evaluate("document.body.dataset.seq")
    page.context.set_offline(True)
    page.wait_for_selector("#controls.offline")
    assert page.locator("#btn-step").is_disabled()
    assert "offline" in page.get_attribute("#btn-step", "title")
    page.locator("body").press("ArrowRight")
    assert "nothing was sent" in page.inner_text("#control-error")
    page.context.set_offline(False)
    page.wait_for_selector("#controls:not(.offline)")
    wait_drawn(page)
    assert page.evaluate("document.body.dataset.seq") == seq  # the step was not sent later
    page.context.close()
