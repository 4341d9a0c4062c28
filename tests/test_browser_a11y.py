"""Accessibility in chromium: axe-core (the npm dev dependency) finds no serious or critical
violation on any page (dashboard, a run as its owner and as a replay, /runs, /compare,
/experiments, the class page with an open question) in light and dark, on a desktop and a
phone; and every state of the board and the timeline is told apart without colour, looked at
under emulated deuteranopia, protanopia and achromatopsia."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.browser import Browser, Page
from harness.page import live_server, new_page, wait_drawn
from tests.axe import describe, severe_violations
from tests.room_support import (
    ask,
    ended_run,
    keep_shot,
    new_class,
    owner_page,
    paused_class_run,
    viewer_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SIZES = {"desktop": (1280, 720), "phone": (390, 844)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server with what every page shows filled in: a crash lesson and its remedy ended, an
    isolation lesson ended, a class paused at a question."""
    with live_server(tmp_path_factory.mktemp("a11y")) as url:
        crash = ended_run(url, "orchestrator-crash-no-log")
        fix = ended_run(url, "orchestrator-crash-durable-log")
        isolation = ended_run(url, "no-isolation")
        failing = ended_run(url, "compensation-fails")
        klass = new_class(url)
        paused_class_run(url, klass)
        ask(url, klass, "What will the orchestrator undo first for BOOK003?", ["hotel", "car"])
        yield {
            "url": url,
            "crash": crash,
            "fix": fix,
            "isolation": isolation,
            "failing": failing,
            "klass": klass,
        }


def open_view(browser: Browser, site: dict[str, Any], view: str, size: str, theme: str) -> Page:
    """One page of the site in the state a user meets it, drawn."""
    url = site["url"]
    width, height = SIZES[size]
    if view == "owner":  # the dashboard of a run this tab started, ended
        page, _ = owner_page(browser, url, site["crash"], width, height, theme)
        page.wait_for_function("document.body.classList.contains('replaying')")
        wait_drawn(page)
        return page
    if view == "replay":
        page, _ = viewer_page(browser, url, site["isolation"]["id"], width, height, theme)
        return page
    if view == "editor":  # the saga editor open on the dashboard, with a refusal at a field
        page, _ = new_page(browser, width, height, theme)
        page.goto(url + "/")
        page.wait_for_function(PLAIN["dashboard"][1])
        page.evaluate("document.getElementById('params-details').open = true")
        page.click("#edit-saga")
        page.select_option("#saga-editor [aria-label='step 1 kind']", "retriable")
        page.wait_for_function(
            "document.querySelector('#saga-editor [data-error-for=\"steps.0.kind\"]')"
            ".textContent !== ''"
        )
        return page
    path, ready = PLAIN[view]
    page, _ = new_page(browser, width, height, theme)
    ids = {"crash": site["crash"]["id"], "fix": site["fix"]["id"], "code": site["klass"]["code"]}
    page.goto(url + path.format(**ids))
    page.wait_for_function(ready)
    if view == "class":
        wait_drawn(page)
    return page


#: the other pages: their path and what says they are ready
PLAIN = {
    "dashboard": ("/", "document.querySelectorAll('#f-preset option').length > 1"),
    "runs": ("/runs", "document.querySelector('#runs-table tr.run-row') !== null"),
    "compare": ("/compare?a={crash}&b={fix}", "document.body.dataset.ready === 'true'"),
    "experiments": ("/experiments", "document.querySelectorAll('#exp-preset option').length > 1"),
    "class": ("/class/{code}", "document.querySelector('#class-poll[data-open=true] .vote')"),
}
VIEWS = ["dashboard", "editor", "owner", "replay", "runs", "compare", "experiments", "class"]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_serious_or_critical_axe_violation_on_any_page(
    browser: Browser, site: dict[str, Any], size: str, theme: str
) -> None:
    found: dict[str, str] = {}
    for view in VIEWS:
        page = open_view(browser, site, view, size, theme)
        violations = severe_violations(page)
        if violations:
            found[view] = describe(violations)
        page.context.close()
    assert not found, "\n".join(f"{view}:\n{text}" for view, text in found.items())


DEFICIENCIES = ["deuteranopia", "protanopia", "achromatopsia"]

# The board's states as the eye sees them without colour: each cell's kind (its state classes)
# and the icon that starts its text; outcome badges likewise.
STATES = """() => {
    const seen = {};
    for (const c of document.querySelectorAll('#board-rows .cell, #board-rows .badge')) {
        const state = [...c.classList].filter(k => /^(fwd|comp|badge)-/.test(k)).sort().join(' ');
        const text = c.textContent.trim();
        (seen[state] = seen[state] || new Set()).add(text.split(/[\\s\\d]/u)[0]);
    }
    return Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]]));
}"""


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_board_and_timeline_states_differ_without_colour(
    browser: Browser, site: dict[str, Any], deficiency: str
) -> None:
    """Every state a cell or badge shows has an icon of its own (no two states share one), the
    timeline draws a compensation dash-dotted and a failure with ✗ (tests/js checks the
    patterns), and the screenshot under the emulated deficiency is kept for a person to see."""
    page, _ = viewer_page(browser, site["url"], site["failing"]["id"], 1280, 720)
    states = page.evaluate(STATES)
    icons: dict[str, str] = {}
    for state, seen in states.items():
        assert len(seen) == 1, f"{state} shows as {seen}"
        icon = seen[0]
        assert icon and not icon.isalpha(), f"{state} has no icon: {seen}"
        if state.startswith("badge"):
            continue
        # a state's icon is its own (a done and a no-op undo differ: ↩ and ∅)
        icons.setdefault(icon, state)
        assert icons[icon] == state or icon in ("✗", "✓"), (icon, icons[icon], state)
    legend = page.inner_text("#timeline .legend")
    assert "-·-→ compensation" in legend and "✗ failed" in legend and "- -→ reply" in legend
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": deficiency})
    page.locator("#timeline-canvas").scroll_into_view_if_needed()
    wait_drawn(page)  # the charts too: scrolled past, they drew
    page.evaluate("window.scrollTo(0, 0)")  # the sticky controls at the top of the shot
    path = keep_shot(page, f"room-vision-{deficiency}", full_page=True)  # board and timeline
    assert Path(path).stat().st_size > 10_000
    cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": "none"})
