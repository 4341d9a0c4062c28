"""The Content-Security-Policy in chromium: every page works without a single violation; and
the /runs delete button for those who hold a run's token, and for those who do not."""

from __future__ import annotations

import pytest

from harness.browser import Browser, Page
from harness.page import new_page, screenshot, show_charts, start_run, wait_finished
from tests.history_support import call, wait_ended

pytestmark = pytest.mark.browser

#: collects the page's CSP violations before any of its own scripts run
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


def watched(browser: Browser, width: int = 1280, height: int = 720) -> tuple[Page, list[str]]:
    page, errors = new_page(browser, width, height)
    page.context.add_init_script(WATCH)
    return page, errors


def started(server: str, preset: str = "tutorial") -> dict[str, str]:
    """An instant run started over REST (so no browser tab holds its token), ended."""
    status, body = call(server, "POST", "/api/runs", {"preset": preset, "speed": "instant"})
    assert status == 201, body
    wait_ended(server, body["id"])
    return body


def test_every_page_runs_under_the_policy_without_a_violation(
    server: str, browser: Browser
) -> None:
    a, b = started(server), started(server, "tutorial-choreography")
    drawn = {
        "/": "document.querySelectorAll('#f-preset option').length > 1",
        f"/runs/{a['id']}": "document.body.classList.contains('replaying')",
        "/runs": "document.querySelectorAll('#runs-table .run-row').length >= 2",
        f"/compare?a={a['id']}&b={b['id']}": "document.body.dataset.ready === 'true'",
        "/experiments": "document.querySelectorAll('#exp-builtin option').length > 1",
    }
    for path, ready in drawn.items():
        page, errors = watched(browser)
        page.goto(server + path)
        page.wait_for_function(ready)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"  # set early
        frames = [page.main_frame, *page.main_frame.child_frames]
        violations = [v for f in frames for v in (f.evaluate("window.__csp || []"))]
        assert violations == [], (path, violations)
        assert errors == [], (path, errors)
        page.context.close()


def test_the_dashboard_runs_and_charts_under_the_policy(server: str, browser: Browser) -> None:
    page, errors = watched(browser)
    page.goto(server + "/")
    page.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    page.press("[id='f-bookings']", "Enter")  # the form's submit is cancelled in JS now
    assert page.url == server + "/"
    start_run(page, "tutorial")
    show_charts(page)  # they draw then, under the same policy
    wait_finished(page)
    page.wait_for_function("document.querySelectorAll('#chart-inventory .legend-name').length")
    assert page.evaluate("window.__csp") == [] and errors == []
    page.context.close()


def test_delete_works_with_the_tabs_token_and_says_why_without_it(
    server: str, browser: Browser
) -> None:
    mine, theirs = started(server), started(server)
    page, errors = watched(browser)
    page.goto(server + "/runs")
    page.evaluate(
        "([id, token]) => sessionStorage.setItem(`saga-lab:token:${id}`, token)",
        [mine["id"], mine["control_token"]],
    )
    page.reload()
    row = page.locator(f"[data-run='{theirs['id']}']")
    assert "did not start this run" in row.locator("[data-action='delete']").get_attribute("title")
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept("")))
    row.locator("[data-action='delete']").click()
    page.wait_for_function("document.getElementById('history-error').textContent !== ''")
    message = page.inner_text("#history-error")
    assert "not deleted" in message and "control token" in message
    assert "this tab did not start it" in asked[0]
    screenshot(page, "history-delete-refused-1280x720-light")
    page.once("dialog", lambda d: d.accept("not-the-token-0123456789"))
    row.locator("[data-action='delete']").click()
    page.wait_for_function("document.getElementById('history-error').textContent.includes('wrong')")
    assert call(server, "GET", f"/api/runs/{theirs['id']}")[0] == 200
    page.once("dialog", lambda d: d.accept(theirs["control_token"]))  # pasted from elsewhere
    row.locator("[data-action='delete']").click()
    page.wait_for_function(f"!document.querySelector(\"[data-run='{theirs['id']}']\")")
    page.once("dialog", lambda d: (asked.append(d.type), d.accept()))  # this tab's own run
    page.locator(f"[data-run='{mine['id']}'] [data-action='delete']").click()
    page.wait_for_function(f"!document.querySelector(\"[data-run='{mine['id']}']\")")
    assert asked[-1] == "confirm"
    assert call(server, "GET", f"/api/runs/{mine['id']}")[0] == 404
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "403" not in e] == []  # the refused DELETE is logged
    page.context.close()
