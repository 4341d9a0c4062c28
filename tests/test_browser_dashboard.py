"""The dashboard in Debian's chromium against the real server: the tutorial's sample run,
a broken invariant, a read-only viewer on the share link, field errors and the controls."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.browser import Browser, Page
from harness.page import (
    board,
    log_lines,
    open_page,
    screenshot,
    show_charts,
    start_run,
    top_of,
    wait_drawn,
    wait_finished,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def wait_status(page: Page, word: str) -> None:
    """Wait until the run's status line says `word` (paused, running, stopped...)."""
    page.wait_for_function(f"document.querySelector('#run-status').textContent.includes('{word}')")


def start_paused(page: Page, speed: str) -> None:
    """Start the tutorial run with "start paused" ticked; wait until it is paused."""
    page.check("#start-paused")
    start_run(page, speed=speed)
    wait_status(page, "paused")


def inventory_text(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#inventory-readout .inv')].map(e => [e.dataset.service,
        e.querySelector('.inv-value').textContent]))""")


def chart_legend(page) -> list[str]:
    return page.eval_on_selector_all(
        "#chart-inventory .legend-name", "es => es.map(e => e.textContent)"
    )


def invariant_marks(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#invariants .inv-check')].map(e => [e.dataset.check, e.className]))""")


@pytest.mark.parametrize(
    ("width", "height", "theme"),
    [
        (1280, 720, "light"),
        (1280, 720, "dark"),
        (1920, 1080, "light"),
        (1920, 1080, "dark"),
    ],
)
def test_tutorial_sample_run(
    server: str, browser: Browser, width: int, height: int, theme: str
) -> None:
    page, errors = open_page(browser, server + "/", width, height, theme)
    start_run(page, speed="1000×" if width == 1280 else "instant")
    show_charts(page)
    wait_finished(page)
    rows = board(page)
    assert list(rows) == ["BOOK001", "BOOK002", "BOOK003", "BOOK004", "BOOK005"]
    assert "completed" in rows["BOOK001"]["outcome"]
    assert all("booked" in rows["BOOK001"][s] for s in ("flight", "hotel", "car"))
    book4 = page.locator("[data-saga='BOOK004'] .cell")
    assert "✗ refused" in book4.nth(2).inner_text()  # the car refused (not sold out)
    assert book4.nth(1).inner_text().startswith("↩1")  # the hotel was compensated first,
    assert book4.nth(0).inner_text().startswith("↩2")  # then the flight
    assert "compensated" in rows["BOOK004"]["outcome"]
    assert inventory_text(page) == {"flight": "9/10", "hotel": "4/5", "car": "2/3"}
    legend = chart_legend(page)  # in view, so wait_finished waited for the charts too
    assert {"seats 9/10", "rooms 4/5", "cars 2/3"} <= set(legend)
    marks = invariant_marks(page)
    assert len(marks) == 5 and all("inv-pass" in c for c in marks.values())
    assert "Cars available: 2/3" in page.inner_text("#log")  # following the live edge
    page.select_option("#log-filter", "BOOK004")
    log = log_lines(page)
    assert "[10.1] HotelService: COMPENSATING - canceling BOOK004" in log
    assert "[10.3] FlightService: ✓ Flight canceled (available: 9)" in log
    assert not any("BOOK005" in line for line in log)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"dashboard-tutorial-{width}x{height}-{theme}")
    assert errors == []


def test_wrong_compensation_order_turns_an_invariant_red(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    start_run(page, preset="wrong-compensation-order", plan=None)
    wait_finished(page)
    failing = page.locator("#invariants .inv-fail")
    assert failing.count() >= 1
    assert failing.locator("[data-check='order'], .inv-name").first.is_visible()
    order = page.locator("#invariants [data-check='order']")
    assert "inv-fail" in order.get_attribute("class")
    saga = order.locator(".saga-link").first
    name = saga.inner_text()
    assert re.fullmatch(r"BOOK\d{3,}", name)
    saga.click()
    selected = page.locator("#board-rows .saga-row.selected")
    assert selected.get_attribute("data-saga") == name
    assert "✗ FAIL" in order.inner_text()
    screenshot(page, "dashboard-wrong-compensation-order-1280x720-light")
    assert errors == []


def test_share_link_viewer_catches_up_and_ends_in_the_same_state(
    server: str, browser: Browser
) -> None:
    owner, owner_errors = open_page(browser, server + "/", 1920, 1080, "dark")
    start_run(owner, speed="5×")
    owner.wait_for_function("document.querySelectorAll('#board-rows .saga-row').length >= 2")
    share = owner.input_value("#share-link")
    assert share.startswith(server + "/runs/")
    viewer, viewer_errors = open_page(browser, share, 1280, 720, "light")
    viewer.locator("#viewer-badge").wait_for()
    assert viewer.locator("#btn-start").is_hidden()
    assert viewer.locator("#btn-pause").is_hidden()
    assert viewer.locator("#form").is_hidden()
    assert viewer.locator("#viewer-badge").is_visible()
    wait_finished(owner)
    wait_finished(viewer)
    assert board(viewer) == board(owner)
    assert (
        inventory_text(viewer)
        == inventory_text(owner)
        == {"flight": "9/10", "hotel": "4/5", "car": "2/3"}
    )
    assert invariant_marks(viewer) == invariant_marks(owner)
    same = "document.body.dataset.seq"
    assert viewer.evaluate(same) == owner.evaluate(same)
    screenshot(viewer, "dashboard-viewer-1280x720-light")
    assert owner_errors == [] and viewer_errors == []


def test_an_owner_on_a_phone_sees_the_board_first_and_reaches_the_form(
    server: str, browser: Browser
) -> None:
    """At 390x844 the owner's board starts above the fold (the form comes after it, opened
    from the Parameters button next to Start), on "/" and on the run page with its token."""
    page, errors = open_page(browser, server + "/", 390, 844, "light")
    assert 0 <= top_of(page, "#board") < 844 - 200, "the board starts above the fold"
    assert top_of(page, "#params-details") > top_of(page, "#board")
    screenshot(page, "dashboard-owner-390x844-light", full_page=False)
    page.click("#btn-params")  # the form: opened and scrolled to, below the sticky controls
    controls_bottom = page.locator("#controls").evaluate("e => e.getBoundingClientRect().bottom")
    assert controls_bottom <= top_of(page, "#f-preset") < 844
    assert page.evaluate("document.activeElement.id") == "f-preset"
    screenshot(page, "dashboard-owner-form-390x844-light", full_page=False)
    page.fill("[id='f-bookings']", "0")  # refused: Start, pressed at the top, shows why
    page.evaluate("window.scrollTo(0, 0)")
    page.click("#btn-start")
    page.wait_for_function(
        """() => { const e = document.querySelector('#form .field.invalid');
        const top = e && e.getBoundingClientRect().top;
        return e && top >= document.getElementById('controls').getBoundingClientRect().bottom
            && top < innerHeight; }"""
    )
    assert page.locator("[data-error-for='bookings']").inner_text()
    page.fill("[id='f-bookings']", "5")
    start_run(page, preset="tutorial", speed="instant")  # from the form, Start in the controls
    wait_finished(page)
    assert list(board(page)) == ["BOOK001", "BOOK002", "BOOK003", "BOOK004", "BOOK005"]
    assert 0 <= top_of(page, "#board") < 844 - 200, "a run started scrolls back to the board"
    page.locator("#replay").wait_for()  # the controls have grown: replay bar, caption
    controls_bottom = page.locator("#controls").evaluate("e => e.getBoundingClientRect().bottom")
    assert top_of(page, ".board-panel") >= controls_bottom - 1, "not under the sticky controls"
    assert page.locator("aside.params .class-row").count() == 1, "out of the sticky controls"
    page.reload()  # the run page, with this tab's control token: still the owner's layout
    page.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    wait_finished(page)
    assert page.evaluate("document.body.classList.contains('viewer')") is False
    assert page.locator("#btn-start").is_visible() and page.locator("#viewer-badge").is_hidden()
    assert 0 <= top_of(page, "#board") < 844 - 200
    screenshot(page, "dashboard-owner-run-390x844-light", full_page=False)
    wide, wide_errors = open_page(browser, server + "/", 1920, 1080, "light")
    assert wide.locator("#btn-params").is_hidden()  # the form is the left column there
    wide.locator("#controls .class-row").wait_for()  # and the classroom row in the controls
    assert wide.locator("#params-details").evaluate("e => e.getBoundingClientRect().left") < (
        wide.locator("#board").evaluate("e => e.getBoundingClientRect().left")
    )
    assert errors == [] and wide_errors == []


def test_folding_the_parameters_gives_the_board_their_width_and_unfolding_takes_it_back(
    server: str, browser: Browser
) -> None:
    page, errors = open_page(browser, server + "/", 1920, 1080, "light")
    width = "document.getElementById('board').getBoundingClientRect().width"
    unfolded = page.evaluate(width)
    page.click("#params-details > summary")
    page.wait_for_function(f"{width} > {unfolded} + 50")  # 1,012 -> 1,110 px
    assert page.locator(".layout.params-folded").count() == 1
    page.keyboard.press("p")  # the shortcut unfolds them
    page.wait_for_function(f"Math.abs({width} - {unfolded}) < 1")
    assert page.locator(".layout.params-folded").count() == 0
    assert errors == []


def test_field_errors_appear_next_to_the_field_and_nothing_starts(
    server: str, browser: Browser
) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    start_run(page, plan="BOOK009:car", started=False)  # 5 bookings: the server refuses it
    error = page.locator("[data-error-for='plan']")
    error.wait_for()
    assert "BOOK009" in error.inner_text()
    start_run(page, plan="", fields={"services.car.failure_rate": "1.5"}, started=False)
    rate_error = page.locator("[data-error-for='services.car.failure_rate']")
    rate_error.wait_for()
    assert "from 0 to 1" in rate_error.inner_text()
    rate_error.scroll_into_view_if_needed()
    assert page.locator("#board-rows .saga-row").count() == 0
    assert page.evaluate("location.pathname") == "/"
    screenshot(page, "dashboard-field-errors-1280x720-light", full_page=False)
    assert errors == []


def test_start_paused_then_step_and_resume_with_the_keyboard(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    start_paused(page, speed="5×")
    before = int(page.evaluate("document.body.dataset.seq || '-1'"))
    page.locator("body").press("ArrowRight")
    page.wait_for_function(f"Number(document.body.dataset.seq) > {before}")
    page.locator("body").press("+")
    # the step's own status (still 5×) may arrive after the key: wait for the run's answer
    page.wait_for_function(
        "document.querySelector('#run-status').textContent.trim().endsWith('10×')"
        " && document.querySelector('#speed').textContent === '10×'"
    )
    page.locator("body").press(" ")
    wait_finished(page)
    assert len(board(page)) == 5
    assert errors == []


def flat_default(defaults: dict[str, Any], dotted: str) -> Any:
    node: Any = defaults
    for key in dotted.split("."):
        node = node[key]
    return node


def form_values(page: Page) -> dict[str, Any]:
    """Every schema field as the form shows it, read from the DOM (numbers as numbers)."""
    return page.evaluate("""() => {
        const out = {};
        for (const row of document.querySelectorAll('#form [data-field]')) {
            const name = row.dataset.field;
            if (name === 'plan' || name === 'preset') continue;
            if (name === 'mode') { out[name] = row.querySelector('input:checked').value; continue; }
            const steps = row.querySelectorAll('.steps input');
            const input = row.querySelector(`[id='f-${name}']`);
            if (steps.length) out[name] = [...steps].filter(b => b.checked).map(b => b.value);
            else if (input.type === 'checkbox') out[name] = input.checked;
            else if (input.type === 'number') out[name] = input.value === '' ? null
                : Number(input.value);
            else out[name] = input.value === '' ? null : input.value;
        }
        return out;
    }""")


def test_form_covers_every_parameter_with_the_schema_defaults(
    server: str, browser: Browser
) -> None:
    from sim.schema import ALL_FIELDS, DEFAULTS

    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    names = set(
        page.eval_on_selector_all("#form [data-field]", "es => es.map(e => e.dataset.field)")
    )
    assert names - {"preset"} == set(ALL_FIELDS) | {"plan"}
    page.select_option("#f-preset", "")  # (custom): the schema's defaults
    assert form_values(page) == {name: flat_default(DEFAULTS, name) for name in ALL_FIELDS}
    for name, spec in ALL_FIELDS.items():
        if spec.kind in ("int", "float"):
            bounds = page.eval_on_selector(f"[id='f-{name}']", "e => [e.min, e.max]")
            assert [float(x) for x in bounds] == [spec.lo, min(spec.hi, 2**53 - 1)], name
        if spec.kind == "choice" and name != "mode":
            options = page.eval_on_selector_all(
                f"[id='f-{name}'] option", "os => os.map(o => o.value)"
            )
            assert options == [""] * spec.nullable + list(spec.choices), name
    page.select_option("#f-preset", "orchestrator-crash-durable-log")
    page.click("details.faults summary")
    assert page.is_checked("[id='f-orchestrator.durable_log']")
    assert page.is_visible("[id='f-orchestrator.durable_log']")
    assert page.is_hidden("[id='f-choreography.outbox']")  # the other mode's switches hide
    page.check("input[name='mode'][value='choreography']")
    assert page.is_visible("[id='f-choreography.outbox']")
    assert page.is_hidden("[id='f-orchestrator.durable_log']")
    assert errors == []


def test_choreography_gap_shows_the_stuck_saga_as_the_simulation_reports_it(
    server: str, browser: Browser
) -> None:
    from sim import Simulation, resolve

    summary = Simulation(resolve({"preset": "tutorial-choreography-gap"})).run()
    page, errors = open_page(browser, server + "/", 1920, 1080, "dark")
    start_run(page, preset="tutorial-choreography-gap", plan=None)
    wait_finished(page)
    assert inventory_text(page) == {
        s: f"{v['available']}/{v['capacity']}" for s, v in summary["inventory"].items()
    }
    outcomes = [row["outcome"] for row in board(page).values()]
    for outcome in ("completed", "compensated", "stuck"):
        assert sum(outcome in o for o in outcomes) == summary["sagas"][outcome]
    marks = invariant_marks(page)
    for check, result in summary["invariants"].items():
        assert ("inv-pass" if result["ok"] else "inv-fail") in marks[check]
    stuck = page.locator("#invariants [data-check='nothing_stuck'] .saga-link")
    assert stuck.all_inner_texts() == summary["invariants"]["nothing_stuck"]["sagas"]
    assert "leaked: flight" in page.inner_text(".inv-extra")
    screenshot(page, "dashboard-choreography-gap-1920x1080-dark")
    assert errors == []


def test_fault_buttons_crash_and_restart_the_orchestrator_then_stop(
    server: str, browser: Browser
) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    start_paused(page, speed="2×")
    for _ in range(3):  # into BOOK001's first steps
        seq = int(page.evaluate("document.body.dataset.seq || '-1'"))
        page.click("#btn-step")
        page.wait_for_function(f"Number(document.body.dataset.seq) > {seq}")
    page.click("[data-action='crash'][data-actor='orchestrator']")
    page.wait_for_function("document.querySelector('#log').textContent.includes('CRASHED')")
    page.click("#btn-pause")  # resume: the run goes on without its orchestrator
    wait_status(page, "running")
    page.click("[data-action='restart'][data-actor='orchestrator']")
    page.wait_for_function("document.querySelector('#log').textContent.includes('RESTARTED')")
    page.click("#btn-stop")
    wait_finished(page)
    wait_status(page, "stopped")
    assert page.locator("#btn-pause").is_disabled()
    assert page.locator("[data-action='crash'][data-actor='flight']").is_disabled()
    screenshot(page, "dashboard-crash-stop-1280x720-light")
    assert errors == []


def test_selecting_a_saga_highlights_it_everywhere(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1920, 1080, "light")
    start_run(page)
    wait_finished(page)
    page.click("#board-rows [data-saga='BOOK004']")
    wait_drawn(page)  # the log, out of view, redraws after the frame is painted
    assert page.get_attribute("#board-rows .saga-row.selected", "data-saga") == "BOOK004"
    highlighted = page.eval_on_selector_all(
        "#log .log-line.hl", "ls => ls.map(l => l.dataset.saga)"
    )
    assert highlighted and set(highlighted) == {"BOOK004"}
    show_charts(page)
    wait_drawn(page)
    shapes = "#chart-inventory .chart-canvas"
    assert page.get_attribute(shapes, "data-shapes") == "span"  # the saga's span is drawn
    page.keyboard.press("Escape")
    wait_drawn(page)
    assert page.get_attribute(shapes, "data-shapes") == ""
    assert page.locator("#board-rows .saga-row.selected").count() == 0
    assert page.locator("#log .log-line.hl").count() == 0
    assert errors == []


def test_the_log_follows_the_live_edge_until_the_reader_scrolls_back(
    server: str, browser: Browser
) -> None:
    page, errors = open_page(browser, server + "/", 1280, 720, "light")
    start_run(
        page, plan="", speed="5×", fields={"bookings": "40", "interarrival": "1", "until": ""}
    )
    page.wait_for_function("document.getElementById('log').scrollTop > 0")
    at_bottom = (
        "(() => { const b = document.getElementById('log');"
        " return b.scrollHeight - b.clientHeight - b.scrollTop < 2; })()"
    )
    assert page.evaluate(at_bottom)
    page.click("#btn-pause")  # the reader scrolls back while the run waits: however slow the
    wait_status(page, "paused")  # machine, the run cannot end before the reader has scrolled
    page.evaluate("document.getElementById('log').scrollTop = 0")
    page.locator("#log-follow").wait_for()
    seq = int(page.evaluate("document.body.dataset.seq"))
    assert page.evaluate("document.body.dataset.finished") == "false"
    page.click("#btn-pause")  # resume
    wait_finished(page)
    assert int(page.evaluate("document.body.dataset.seq")) > seq  # lines kept coming meanwhile
    assert page.evaluate("document.getElementById('log').scrollTop") == 0
    assert not page.evaluate(at_bottom)
    page.click("#log-follow")
    page.wait_for_function(at_bottom)
    assert "Final State:" in page.inner_text("#log")
    assert errors == []
