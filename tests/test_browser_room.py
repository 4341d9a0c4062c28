"""The room, round two (issue 25), in chromium: a phone in a class gets the lesson, the
narration and a cue when a question opens; a late joiner sees only an open question; the
projector shows the count of votes, not the bars, until the reveal; every cause on the board
is text a tap or the keyboard reaches; nothing on the board is cut at 390x844, 1280x720,
1920x1080 and in the presenter view, which has larger type and charts beside the board; the
lessons' evidence is on the first screen; and the small items (the live-run limit, focus
after Start, an actor never restarted, a trivial first pause)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from harness.browser import Browser, Page
from harness.page import (
    live_server,
    new_page,
    open_page,
    set_speed,
    start_run,
    wait_drawn,
    wait_finished,
)
from tests.history_support import call, events_of, wait_ended
from tests.room_support import (
    cut_on_board,
    ended_run,
    in_view,
    keep_shot,
    owner_page,
    started,
    viewer_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def root_font(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


# ----- the class page ----------------------------------------------------------------------


def test_a_phone_gets_the_lesson_the_narration_a_cue_and_the_projector_hides_the_bars(
    browser: Browser, server: str
) -> None:
    presenter, errors = open_page(browser, server + "/", 1920, 1080)
    presenter.click("#btn-class")
    presenter.wait_for_function("document.body.dataset.classCode")
    code = presenter.evaluate("document.body.dataset.classCode")
    presenter.click("#class-card button.primary")
    phone, phone_errors = new_page(browser, 390, 844, theme="dark", touch=True)
    phone.goto(f"{server}/class/{code}")
    phone.wait_for_function(
        "document.getElementById('class-notice').textContent.includes('Waiting')"
    )

    # "a step fails": BOOK002's failed flight (nothing to undo) passes, BOOK003's car stops it
    presenter.check("#breakpoints input[value='step_failed']")
    start_run(presenter, plan="BOOK002:flight,BOOK003:car")
    presenter.keyboard.press("f")
    run = presenter.wait_for_function("document.body.dataset.runId").json_value()
    phone.wait_for_function(
        "(run) => document.body.dataset.runId === run && document.body.dataset.state === 'paused'",
        arg=run,
    )
    hit = call(server, "GET", f"/api/runs/{run}")[1]
    assert hit["status"] == "paused"
    presenter.wait_for_selector("#class-panel .suggestion[data-rule='first_undo']")
    assert "(BOOK003 · car)" in presenter.inner_text("#class-panel .ask-why")

    # the phone has the lesson and the narration, at the top wherever it is scrolled
    phone.wait_for_function("!document.getElementById('caption-lesson').hidden")
    assert phone.inner_text("#caption-lesson").startswith("tutorial")
    phone.wait_for_function("document.getElementById('caption-line').dataset.seq")
    assert phone.get_attribute("#caption-line", "data-saga") == "BOOK003"
    assert "FAILED" in phone.inner_text("#caption-line")
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    phone.wait_for_function("scrollY > 300")
    assert in_view(phone, "#caption-line") and in_view(phone, "#caption-lesson")

    # a question opens while the phone is scrolled down: a cue at the foot of its screen
    presenter.click("#class-panel .suggestion[data-rule='first_undo']")
    phone.wait_for_selector("#class-poll[data-open='true']", state="attached")
    phone.wait_for_function("document.body.dataset.cue === 'true'")
    assert in_view(phone, "#poll-cue")
    keep_shot(phone, "room-phone-question-cue")
    phone.tap("#poll-cue")
    phone.wait_for_function("document.body.dataset.cue === 'false'")
    assert in_view(phone, "#class-poll .vote-buttons")
    assert phone.evaluate(  # the question itself, not under the sticky top
        """() => { const q = document.querySelector('#class-poll .poll-question');
        const r = q.getBoundingClientRect();
        return document.elementFromPoint(r.left + 5, r.top + r.height / 2) === q; }"""
    )
    keep_shot(phone, "room-phone-paused-question")
    phone.tap(".vote[data-choice='hotel']")
    phone.wait_for_selector("#class-poll[data-mine='hotel']")

    # the projector: how many voted, no bars, until the presenter chooses to show them
    presenter.wait_for_function("document.getElementById('vote-count')?.textContent === '1 vote'")
    assert presenter.locator("#class-panel .tally").count() == 0
    keep_shot(presenter, "room-presenter-votes-counted")
    presenter.click("#btn-show-bars")
    presenter.wait_for_selector("#class-panel .tally-row[data-choice='hotel'][data-count='1']")
    presenter.click("#btn-show-bars")
    presenter.wait_for_selector("#vote-count")
    assert presenter.locator("#class-panel .tally").count() == 0

    presenter.click("#btn-reveal")
    phone.wait_for_selector(
        "#class-poll[data-answer='hotel'] .tally-row.right[data-choice='hotel']"
    )
    phone.evaluate("window.scrollTo(0, 0)")
    keep_shot(phone, "room-phone-revealed")

    # a late joiner sees no revealed question; the phone that voted keeps its result
    late, late_errors = new_page(browser, 390, 844, touch=True)
    late.goto(f"{server}/class/{code}")
    late.wait_for_function("(run) => document.body.dataset.runId === run", arg=run)
    late.wait_for_function("document.getElementById('caption-line').dataset.seq")
    assert late.locator("#class-poll").is_hidden() and late.locator("#poll-cue").is_hidden()
    assert phone.locator("#class-poll").is_visible()
    for collected in (errors, phone_errors, late_errors):
        assert collected == [], json.dumps(collected)


# ----- causes on the board: touch and keyboard -----------------------------------------------


def test_every_cause_is_text_a_tap_or_the_keyboard_reaches(browser: Browser, server: str) -> None:
    run = ended_run(server, "no-isolation")
    phone, errors = viewer_page(browser, server, run["id"], 390, 844, touch=True)
    cell = "#board-rows [data-saga='BOOK002'] [data-step='hotel']"
    phone.locator(cell).scroll_into_view_if_needed()
    phone.tap(cell)
    phone.wait_for_function("document.getElementById('board-cause').dataset.saga === 'BOOK002'")
    cause = phone.inner_text("#board-cause")
    assert cause.startswith("BOOK002 · hotel:") and "BOOK001" in cause, cause
    assert in_view(phone, "#board-cause")
    keep_shot(phone, "room-phone-isolation-cause")
    phone.tap("#board-rows [data-saga='BOOK002'] [data-step='outcome']")
    phone.wait_for_function("document.getElementById('board-cause').dataset.part === 'outcome'")
    assert "undone" in phone.inner_text("#board-cause")

    desk, desk_errors = viewer_page(browser, server, run["id"], 1280, 720)
    desk.focus("#board-rows")
    told = []
    for _ in range(40):  # Tab through the cells: each one's cause is read out under the board
        desk.keyboard.press("Tab")
        focused = desk.evaluate(
            "(() => { const e = document.activeElement; const row = e.closest('[data-saga]');"
            " return row ? [row.dataset.saga, e.dataset.step, e.title] : null; })()"
        )
        if not focused:
            break
        saga, part, title = focused
        assert desk.inner_text("#board-cause") == f"{saga} · {title}"
        told.append((saga, part))
    assert ("BOOK002", "hotel") in told and ("BOOK001", "outcome") in told, told
    assert errors == [] and desk_errors == []


# ----- nothing cut, the presenter view ------------------------------------------------------

LESSONS = [
    "compensation-fails",
    "orchestrator-crash-no-log",
    "orchestrator-crash-log-not-idempotent",
    "no-isolation",
    "retry-not-idempotent",
    "wrong-compensation-order",
    "tutorial-choreography-gap",
]


@pytest.fixture(scope="module")
def lessons(server: str) -> dict[str, dict[str, Any]]:
    return {preset: ended_run(server, preset) for preset in LESSONS}


@pytest.fixture(scope="module")
def waiting(server: str) -> dict[str, Any]:
    """A crash lesson paused where its orchestrator crashed: running sagas wait for it (their
    outcome says "▶ running" and "❚❚ waits: orchestrator")."""
    run = started(server, "orchestrator-crash-no-log", speed=5, breakpoints=["actor_crashed"])
    deadline = time.monotonic() + 60
    while call(server, "GET", f"/api/runs/{run['id']}")[1]["status"] != "paused":
        assert time.monotonic() < deadline, "never paused at the crash"
        time.sleep(0.05)
    return run


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 720), (1920, 1080)])
def test_nothing_on_the_board_is_cut(
    browser: Browser,
    server: str,
    lessons: dict[str, dict[str, Any]],
    waiting: dict[str, Any],
    width: int,
    height: int,
) -> None:
    page, errors = new_page(browser, width, height, touch=width < 500)
    page.goto(f"{server}/runs/{waiting['id']}")
    page.wait_for_selector("#board-rows .note-waiting")
    wait_drawn(page)
    assert cut_on_board(page) == [], "a saga waiting for the crashed orchestrator"
    page.context.close()
    for preset, run in lessons.items():
        page, errors = viewer_page(browser, server, run["id"], width, height, touch=width < 500)
        assert cut_on_board(page) == [], preset
        if width < 500 and preset == "orchestrator-crash-no-log":
            keep_shot(page, "room-phone-crash-board")
            assert (
                page.locator("[data-saga='BOOK002'] .x-multi").first.evaluate(
                    "e => e.getBoundingClientRect().width"
                )
                >= 14
            ), "the ×2 is whole on a phone"
        assert errors == []
        page.context.close()


def test_the_presenter_view_reads_from_the_back_row(
    browser: Browser, server: str, lessons: dict[str, dict[str, Any]]
) -> None:
    normal = None
    for preset in ("compensation-fails", "orchestrator-crash-no-log", "no-isolation"):
        page, errors = owner_page(browser, server, lessons[preset], 1920, 1080)
        page.wait_for_function("document.body.classList.contains('replaying')")
        wait_drawn(page)
        normal = normal or root_font(page)
        page.keyboard.press("f")
        page.wait_for_function("document.body.classList.contains('presenting')")
        wait_drawn(page)
        assert root_font(page) >= normal * 1.2, (root_font(page), normal)
        assert cut_on_board(page) == [], preset
        boxes = page.evaluate("""() => Object.fromEntries(['board', 'charts', 'invariants',
            'timeline'].map(p => { const e = document.querySelector(`.${p}-panel`);
            const r = e.getBoundingClientRect();
            return [p, {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                hidden: e.scrollHeight - e.clientHeight}]; }))""")
        charts = page.evaluate(
            "[...document.querySelectorAll('#charts .chart')].map(c => c.clientHeight)"
        )
        # the charts beside the board, each at least 28% of the screen's height (measured
        # 305 px of 1080: a third would leave the board too few rows for a lesson's five)
        assert boxes["charts"]["left"] > boxes["board"]["right"]
        assert abs(boxes["charts"]["top"] - boxes["board"]["top"]) < 2
        assert min(charts) >= 0.28 * 1080, charts
        for panel, box in boxes.items():  # nothing clipped: every panel within the screen
            assert box["bottom"] <= 1080 and box["hidden"] <= 1, (preset, panel, box)
        sizes = page.evaluate(
            "[...document.querySelectorAll('#charts .chart-canvas')].map(c => +c.dataset.font)"
        )
        assert min(sizes) >= 20, sizes
        if preset != "no-isolation":
            keep_shot(page, f"room-presenter-{preset}")
        assert errors == []
        page.context.close()


# ----- the lessons' evidence on the first screen -------------------------------------------


def test_the_lessons_show_their_evidence_on_the_first_screen(
    browser: Browser, server: str, lessons: dict[str, dict[str, Any]]
) -> None:
    # an isolation anomaly: a warning card of its own naming both sagas, not a plain pass
    page, _ = viewer_page(browser, server, lessons["no-isolation"]["id"], 1920, 1080)
    card = "#invariants [data-check='isolation']"
    assert in_view(page, card)
    assert page.locator(f"{card} .inv-mark").inner_text() == "⚠ WARN"
    assert set(
        page.eval_on_selector_all(f"{card} .saga-link", "bs => bs.map(b => b.dataset.saga)")
    ) == {
        "BOOK001",
        "BOOK002",
    }
    headline = page.inner_text("#inv-headline")
    assert "isolation anomaly" in headline and "all 5 checks pass" not in headline, headline
    keep_shot(page, "room-isolation-warning-1920")
    page.context.close()

    # the saga that the failing checks name stays in view on the board
    page, errors = open_page(browser, server + "/", 1280, 720)
    start_run(page, "retry-not-idempotent", plan=None)
    wait_finished(page)
    named = page.eval_on_selector_all(
        "#invariants .inv-fail .saga-link", "bs => bs.map(b => b.dataset.saga)"
    )
    assert Counter(named)["BOOK001"] == 2, named  # two failing checks name it
    assert page.evaluate(
        """() => { const box = document.getElementById('board-rows').getBoundingClientRect();
        const row = document.querySelector("#board-rows [data-saga='BOOK001']");
        if (!row) return false; const r = row.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; }"""
    ), "BOOK001, named by the failing checks, is in the board's view"
    # once the reader scrolls the rows, the board no longer pulls them back to BOOK001
    page.evaluate("(b => { b.scrollTop = b.scrollHeight; })(document.getElementById('board-rows'))")
    page.wait_for_selector("#board-rows [data-saga='BOOK010']")
    page.click("#theme-toggle")  # every view draws again
    page.click("#theme-toggle")
    wait_drawn(page)
    assert page.evaluate(
        "(b => b.scrollHeight - b.clientHeight - b.scrollTop < 2)"
        "(document.getElementById('board-rows'))"
    )

    # the crash lessons: the timeline's lanes and the down band above the fold (normal view)
    for preset in ("orchestrator-crash-no-log", "orchestrator-crash-durable-log"):
        page.set_viewport_size({"width": 1920, "height": 1080})
        start_run(page, preset, plan=None)
        wait_finished(page)
        page.evaluate("window.scrollTo(0, 0)")
        # the coordinator's lane, where its DOWN band is drawn (timeline.js: the lanes share
        # the canvas's height above the time axis), wholly on the first screen
        lane_bottom = page.evaluate("""() => {
            const c = document.getElementById('timeline-canvas');
            const r = c.getBoundingClientRect();
            const axis = parseFloat(getComputedStyle(c).fontSize) * 1.6;
            return r.top + (r.height - axis) / 4; }""")
        assert lane_bottom <= 1080, (preset, lane_bottom)
    assert errors == []


# ----- the small items ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_run_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that allows one live run per client."""
    with live_server(tmp_path_factory.mktemp("one"), MAX_LIVE_RUNS_PER_CLIENT=1) as url:
        yield url


def test_a_start_refused_at_the_limit_says_why_and_offers_to_stop_the_old_run(
    browser: Browser, one_run_server: str
) -> None:
    server = one_run_server
    page, _ = open_page(browser, server + "/", 1280, 720)
    start_run(page, "tutorial", plan=None, speed="1×", fields={"bookings": "200"})
    old = page.wait_for_function("document.body.dataset.runId").json_value()
    page.wait_for_function("document.getElementById('btn-pause')?.offsetParent !== null")
    # the keyboard's focus stays in the controls after Start (on Pause, not on the body)
    assert page.evaluate("document.activeElement.id") == "btn-pause"

    other = page.context.new_page()  # a second tab: no control token for the old run
    other.goto(server + "/")
    other.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    other.click("#btn-start")
    other.wait_for_selector("#my-runs:not([hidden]) li[data-run]")
    assert in_view(other, "#my-runs"), "the reason and the old run are on the first screen"
    assert "live runs already" in other.inner_text("#my-runs")
    assert other.locator(f"#my-runs li[data-run='{old}']").count() == 1
    keep_shot(other, "room-limit-refused")
    other.click(f"#my-runs [data-stop='{old}']")
    record = wait_ended(server, old)
    assert record["status"] == "stopped"
    other.click("#btn-start")
    other.wait_for_function(
        "(old) => document.body.dataset.runId && document.body.dataset.runId !== old", arg=old
    )
    other.wait_for_function("document.getElementById('my-runs').hidden")


def test_an_actor_crashed_by_hand_and_never_restarted_ends_the_run(
    browser: Browser, server: str
) -> None:
    params = {"orchestrator": {"restart_after": None}, "until": None}
    run = started(server, "tutorial", speed=0.25, params=params)
    page, errors = owner_page(browser, server, run, 1280, 720)
    crash = "#fault-buttons button[data-actor='orchestrator'][data-action='crash']"
    page.wait_for_selector("#board-rows .saga-row")  # BOOK001 has started
    page.click(crash)
    page.wait_for_function(
        "document.getElementById('timeline-canvas').dataset.down === 'orchestrator'"
    )
    set_speed(page, "50×")  # nobody restarts the orchestrator
    record = wait_ended(server, run["id"], timeout=60)
    assert record["status"] == "finished"
    end = events_of(server, run["id"])[-1]
    assert end["kind"] == "run.finished"
    assert end["reason"] == "nothing left to do: orchestrator stayed down with no restart"
    wait_finished(page)
    stuck = page.inner_text("#board-counts .badge-stuck")
    assert stuck != "◔ 0 stuck", stuck  # the sagas it left waiting ended stuck
    assert errors == []
