"""Classroom mode in chromium: one presenter, three students (one on a phone) follow two runs,
a breakpoint pauses the run, the class votes, the reveal resumes and marks the answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from harness.browser import Browser, Page
from harness.page import (
    new_page,
    open_page,
    screenshot,
    start_run,
    wait_drawn,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SEQ_EQUAL = "document.body.dataset.seq === '{seq}' && document.body.dataset.runId === '{run}'"


def student(browser: Browser, url: str, width: int, height: int) -> tuple[Page, list[str]]:
    page, errors = new_page(browser, width, height)
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    return page, errors


def run_shown(page: Page, run_id: str) -> None:
    page.wait_for_function(f"document.body.dataset.runId === '{run_id}'")


def finished_run(page: Page) -> None:
    page.wait_for_function("document.body.dataset.finished === 'true'")


def font_sizes(page: Page) -> dict[str, float]:
    """The smallest text on the presenter view's timeline canvas and charts, in CSS px."""
    return page.evaluate("""() => ({
        timeline: parseFloat(getComputedStyle(
          document.getElementById('timeline-canvas')).fontSize),
        charts: Math.min(
          ...[...document.querySelectorAll('#charts .chart-canvas')].map(
            c => parseFloat(c.dataset.font)),
          ...[...document.querySelectorAll('#charts .legend-name')].map(
            t => parseFloat(getComputedStyle(t).fontSize))),
    })""")


def test_a_class_follows_the_presenter_predicts_and_sees_the_reveal(
    browser: Browser, server: str
) -> None:
    presenter, errors = open_page(browser, server + "/", 1920, 1080)
    presenter.click("#btn-class")
    presenter.wait_for_function(
        "document.getElementById('class-qr').naturalWidth > 0 && document.body.dataset.classCode"
    )
    code = presenter.evaluate("document.body.dataset.classCode")
    assert presenter.inner_text("#class-card-code") == code
    screenshot(presenter, "class-join-card-1920", full_page=False)
    presenter.click("#class-card button.primary")

    laptop, laptop_errors = student(browser, f"{server}/class/{code}", 1280, 720)
    phone, phone_errors = student(browser, f"{server}/class/{code}", 390, 844)
    for page in (laptop, phone):
        page.wait_for_function(
            "document.getElementById('class-notice').textContent"
            ".includes('Waiting for the presenter')"
        )
    presenter.wait_for_function("document.body.dataset.viewers === '2'")
    laptop.wait_for_function("document.body.dataset.viewers === '2'")

    # run 1: the tutorial at instant speed; both students follow it to the end
    start_run(presenter)
    first = presenter.wait_for_function("document.body.dataset.runId").json_value()
    finished_run(presenter)
    for page in (laptop, phone):
        run_shown(page, first)
        finished_run(page)
    # the presenter view of the ended run: board, timeline and charts (in view: they
    # draw) in large type; a question, once asked, takes the charts' place
    presenter.keyboard.press("f")
    wait_drawn(presenter)
    sizes = font_sizes(presenter)
    assert sizes["timeline"] >= 18 and 18 <= sizes["charts"] < 100, sizes  # charts drawn
    presenter.keyboard.press("f")

    # run 2, with a breakpoint: the run pauses by itself when the car fails
    presenter.check("#breakpoints input[value='step_failed']")
    start_run(presenter, plan="BOOK003:car")
    presenter.keyboard.press("f")  # the presenter view: no form, big type
    second = presenter.wait_for_function(
        f"document.body.dataset.runId !== '{first}' && document.body.dataset.runId"
    ).json_value()
    presenter.wait_for_selector("#class-panel .suggestion[data-rule='first_undo']")
    assert "a step failed" in presenter.inner_text("#class-panel .ask-why")
    for page in (laptop, phone):
        run_shown(page, second)
        page.wait_for_function("document.body.dataset.state === 'paused'")
        assert page.evaluate("window.notReloaded") is True, "followed without a reload"
    seq = presenter.evaluate("document.body.dataset.seq")

    # a late student catches up exactly: the same events, the same board
    late, late_errors = student(browser, f"{server}/class/{code}", 1280, 720)
    late.wait_for_function(SEQ_EQUAL.format(seq=seq, run=second))
    presenter.wait_for_function("document.body.dataset.viewers === '3'")
    assert late.inner_text("#board-rows") == laptop.inner_text("#board-rows")
    assert "BOOK003" in late.inner_text("#board-rows")

    # a student cannot control the run: no controls, and the server refuses a forged message
    assert laptop.locator("#btn-pause, #btn-start, #btn-step").count() == 0
    laptop.keyboard.press(" ")
    refused = laptop.evaluate(
        """(run) => import('/vendor/socket.io.esm.min.js').then(({ io }) => new Promise((ok) => {
            const s = io({ transports: ['websocket'] });
            s.emit('control_run', { run_id: run, action: 'resume' }, (ack) => ok(ack));
        }))""",
        second,
    )
    assert refused["ok"] is False and "token" in refused["error"]
    status = requests.get(f"{server}/api/runs/{second}", timeout=10).json()
    assert status["status"] == "paused"

    # predict: the presenter asks a ready-made question, the students vote
    presenter.click("#class-panel .suggestion[data-rule='first_undo']")
    for page in (laptop, phone, late):
        page.wait_for_selector("#class-poll[data-open='true'] .vote[data-choice='hotel']")
    assert (
        phone.inner_text("#class-poll h2") == "What will the orchestrator undo first for BOOK003?"
    )
    laptop.click(".vote[data-choice='hotel']")
    phone.click(".vote[data-choice='hotel']")
    phone.wait_for_selector("#class-poll[data-mine='hotel']")
    phone.click(".vote[data-choice='flight']")  # changed mind: still one vote
    phone.wait_for_selector("#class-poll[data-mine='flight']")
    late.click(".vote[data-choice='nothing']")
    # the projector shows how many voted (not how) until the presenter shows the bars
    presenter.wait_for_function("document.getElementById('vote-count')?.textContent === '3 votes'")
    assert presenter.locator("#class-panel .tally").count() == 0
    presenter.click("#btn-show-bars")
    presenter.wait_for_selector("#class-panel .tally-row[data-choice='hotel'][data-count='1']")
    presenter.wait_for_selector("#class-panel .tally-row[data-choice='flight'][data-count='1']")
    presenter.wait_for_selector("#class-panel .tally-row[data-choice='nothing'][data-count='1']")
    assert phone.locator("#class-poll .tally").count() == 0, "no tally for students before"
    screenshot(presenter, "class-presenter-vote-1920", full_page=False)
    screenshot(phone, "class-student-phone-vote", full_page=False)

    # reveal: the run resumes, everyone sees the tally, the trace marks the right answer
    presenter.click("#btn-reveal")
    for page in (laptop, phone, late):
        page.wait_for_selector(
            "#class-poll[data-answer='hotel'] .tally-row.right[data-choice='hotel']"
        )
    presenter.wait_for_selector("#class-panel[data-answer='hotel']")
    assert phone.inner_text(".tally-row[data-choice='flight'] .tally-count").startswith("1")
    screenshot(phone, "class-student-phone-revealed", full_page=False)
    stored = requests.get(f"{server}/api/runs/{second}/polls", timeout=10).json()["polls"]
    assert [(p["answer"], p["counts"]) for p in stored] == [
        ("hotel", {"hotel": 1, "flight": 1, "nothing": 1})
    ]

    # leaving the presenter view restores the bench
    presenter.keyboard.press("f")
    assert presenter.locator("#form").is_visible() and presenter.locator(".log-panel").is_visible()
    for collected in (errors, laptop_errors, phone_errors, late_errors):
        assert collected == [], json.dumps(collected)


def test_unknown_code_and_waiting_room(browser: Browser, server: str) -> None:
    page, _errors = new_page(browser, 390, 844, console=False)
    response = page.goto(f"{server}/class/NOPE99")
    assert response is not None and response.status == 404
    assert "no class with code NOPE99" in page.inner_text(".join-error")
    klass: dict[str, Any] = requests.post(f"{server}/api/classes", timeout=10).json()
    page.fill("#join-code", klass["code"].lower())
    page.click(".join-form button")
    page.wait_for_url(f"**/class/{klass['code']}")
    page.wait_for_function(
        "document.getElementById('class-notice')?.textContent.includes('Waiting for the presenter')"
    )
    assert page.url.endswith(f"/class/{klass['code']}")
    screenshot(page, "class-student-phone-waiting", full_page=False)
