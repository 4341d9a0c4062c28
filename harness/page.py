"""The dashboard as the browser tests and benchmarks drive it: server, chromium, page (beside
the code they drive, not in the test suite: bench/ imports it too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import create_app
from app.server import serving
from harness.browser import Browser, Page, chromium
from sim.presets import TUTORIAL_PLAN as _PLAN

__all__ = ["chromium"]  # re-exported: the tests and bench/ take it from here

ROOT = Path(__file__).resolve().parent.parent
#: the tutorial's failure plan as the form spells it
TUTORIAL_PLAN = ",".join(f"{b}:{s}" for b, steps in _PLAN.items() for s in steps)
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@contextmanager
def live_server(tmp_path: Path, **config: Any) -> Iterator[str]:
    """The real app on 127.0.0.1 with a free port; yields its base URL."""
    with serving(
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DATABASE": str(tmp_path / "sagalab.sqlite3"),
                "MAX_LIVE_RUNS_PER_CLIENT": 8,  # every test page comes from 127.0.0.1
                **config,
            }
        )
    ) as url:
        yield url


def new_page(
    browser: Browser,
    width: int = 1280,
    height: int = 720,
    theme: str | None = "light",
    console: bool = True,
    touch: bool = False,
) -> tuple[Page, list[str]]:
    """A blank page in its own context, in the given size and theme (None: the browser's), with
    a touch screen if `touch`; returns it and the list its uncaught exceptions (and console
    errors) are collected in."""
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch)
    if theme is not None:
        context.add_init_script(f"localStorage.setItem('saga-lab:theme', '{theme}')")
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error":
            errors.append(f"{message.text} ({where})")

    if console:  # off where a failed request (a 400 with field errors) is expected
        page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return page, errors


def open_plain(
    browser: Browser, url: str, width: int = 1280, height: int = 720, theme: str = "light"
) -> tuple[Page, list[str]]:
    """A page that is not the dashboard (history, compare), with its console errors."""
    page, errors = new_page(browser, width, height, theme)
    page.goto(url)
    return page, errors


def open_page(
    browser: Browser, url: str, width: int = 1280, height: int = 720, theme: str = "light"
) -> tuple[Page, list[str]]:
    """The dashboard at url, its form built; returns the page and its console errors."""
    page, errors = open_plain(browser, url, width, height, theme)
    page.wait_for_function(
        "document.querySelectorAll('#f-preset option').length > 1"
        " || document.body.classList.contains('viewer')"
    )
    return page, errors


def set_speed(page: Page, label: str) -> None:
    """Click the speed buttons until the speed reads `label` (e.g. "instant", "2×")."""
    for _ in range(20):
        current = page.inner_text("#speed")
        if current == label:
            return
        faster = label == "instant" or (
            current != "instant" and float(label.rstrip("×")) > float(current.rstrip("×"))
        )
        page.click("#btn-faster" if faster else "#btn-slower")
    raise AssertionError(f"speed never reached {label}")


def start_run(
    page: Page,
    preset: str = "tutorial",
    plan: str | None = TUTORIAL_PLAN,
    speed: str = "instant",
    fields: dict[str, str] | None = None,
    started: bool = True,
) -> None:
    """Fill the form and press Start; if `started` (not a start the server refuses), wait
    until the page has joined the new run, so that a wait for its end is not answered by the
    run the page showed before (its `data-finished` stays until the new run's reset)."""
    page.select_option("#f-preset", preset)
    if plan is not None:
        page.fill("[id='f-plan']", plan)
    if fields:  # a user opens the folded sections first
        page.evaluate("document.querySelectorAll('#form details').forEach(d => d.open = true)")
    for name, value in (fields or {}).items():
        locator = page.locator(f"[id='f-{name}']")
        kind = locator.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "select":
            locator.select_option(value)
        elif kind == "checkbox":
            locator.set_checked(value == "true")
        else:
            locator.fill(value)
    set_speed(page, speed)
    before = page.evaluate("document.body.dataset.runId || ''")
    page.click("#btn-start")
    if started:
        page.wait_for_function(
            "(before) => (document.body.dataset.runId || '') !== before", arg=before
        )


# Every view marks its root with data-drawn (the store's render it has drawn, set after the
# drawing); a store marks its scope with data-frame, data-seq and data-finished. The charts
# draw only while they are near the viewport: out of it they are marked data-deferred, which
# counts as drawn only while they are out of view.
DRAWN = """(scope) => {
    const root = document.querySelector(scope);
    const views = root ? root.querySelectorAll('[data-view]') : [];
    const away = (v) => { const r = v.getBoundingClientRect();
        return r.bottom <= 0 || r.top >= innerHeight || r.width === 0; };
    return views.length > 0 && root.dataset.frame !== undefined
        && [...views].every(v => v.dataset.drawn === root.dataset.frame
            || (v.dataset.deferred === 'true' && away(v)));
}"""


def wait_drawn(page: Page, scope: str = "body", timeout: float = 30_000) -> None:
    """Wait until every view in `scope` has drawn the store's latest render (charts out of
    view and not loaded aside: show_charts() first to wait for them too)."""
    page.wait_for_function(DRAWN, arg=scope, timeout=timeout)


def wait_finished(page: Page, scope: str = "body", timeout: float = 30_000) -> None:
    """Wait until the run in `scope` has finished and every view has drawn its end."""
    page.wait_for_function(
        f"(scope) => document.querySelector(scope).dataset.finished === 'true' && ({DRAWN})(scope)",
        arg=scope,
        timeout=timeout,
    )


def show_charts(page: Page, scope: str = "body") -> None:
    """Scroll the charts in `scope` into view, as a reader does (they draw then), so that
    wait_drawn() and wait_finished() wait for them too."""
    page.locator(f"{scope} [data-view=charts]").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "(scope) => !document.querySelector(`${scope} [data-view=charts]`).dataset.deferred",
        arg=scope,
    )


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under artifacts/screenshots/ (the whole page unless told otherwise)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def board(page: Page, prefix: str = "") -> dict[str, dict[str, str]]:
    """The saga board (ids starting with `prefix`) as {saga: {flight, hotel, car, outcome}}
    (the rows in view)."""
    return page.evaluate(
        """(prefix) => Object.fromEntries([...document.querySelectorAll(
        `#${prefix}board-rows .saga-row`)].map(r => [r.dataset.saga, {
          flight: r.children[1].textContent.trim(), hotel: r.children[2].textContent.trim(),
          car: r.children[3].textContent.trim(), outcome: r.querySelector('.badge .bw')
            .textContent.trim()}]))""",
        prefix,
    )


def top_of(page: Page, selector: str) -> float:
    """Where the element's top is now, in CSS px from the top of the viewport."""
    return page.locator(selector).evaluate("e => e.getBoundingClientRect().top")


def log_lines(page: Page) -> list[str]:
    """Every line of the (virtualised) log, read by scrolling it from top to bottom."""
    return page.evaluate("""async () => {
        const box = document.getElementById('log');
        const lines = new Map();
        const frame = () => new Promise(r => requestAnimationFrame(r));
        for (let top = 0; ; top += box.clientHeight) {
            box.scrollTop = top;
            await frame();
            for (const row of box.querySelectorAll('.vrow')) {
                lines.set(parseFloat(row.style.top), row.textContent);
            }
            if (top + box.clientHeight >= box.scrollHeight) break;
        }
        return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
    }""")
