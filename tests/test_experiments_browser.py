"""The /experiments page in chromium: run a built-in experiment, see errors, cancel."""

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = Path(__file__).resolve().parent.parent / "instance" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server}/experiments")
        expect(page.locator("#exp-run")).to_be_visible()
        yield page
        browser.close()
        assert errors == []


def run_builtin(page: Page, name: str, replications: int) -> None:
    page.select_option("#exp-builtin", name)
    page.fill("#exp-reps", str(replications))
    page.click("#exp-run")


def test_a_built_in_experiment_runs_and_shows_charts_table_and_csv(page, live_server):
    run_builtin(page, "exercise-3-retry", 10)
    expect(page.locator("body")).to_have_attribute("data-status", "finished", timeout=60_000)
    expect(page.locator("#exp-status")).to_have_text("finished")
    expect(page.locator("#exp-numbers")).to_contain_text("points 14/14")
    expect(page.locator("#exp-points tbody tr")).to_have_count(14)
    legend = page.locator("#chart-success .legendtext")
    expect(legend).to_have_text(["retries = 0", "retries = 1"])
    expect(page.locator("#chart-outcomes .bars .point").first).to_be_visible()
    assert page.url.endswith(page.locator("body").get_attribute("data-experiment-id"))
    csv = page.request.get(live_server + page.locator("#exp-csv").get_attribute("href"))
    assert csv.text().count("\n") == 15
    expect(page.locator("#exp-history tbody tr")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "experiments-finished.png"), full_page=True)


def test_bad_settings_are_shown_on_their_fields_and_nothing_runs(page):
    page.fill("#exp-from", "0.5")
    page.fill("#exp-to", "0.1")
    expect(page.locator("#exp-runs")).to_contain_text("= 0 runs")
    page.click("#exp-run")
    field = page.locator('.field[data-field="sweep.to"]')
    expect(field).to_have_class("field invalid")
    expect(field.locator(".field-error")).to_contain_text("the range is empty")
    expect(page.locator("#exp-history")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "experiments-error.png"))


def test_a_running_experiment_shows_partial_points_and_can_be_cancelled(page):
    run_builtin(page, "orchestration-vs-choreography", 2000)
    expect(page.locator("body")).to_have_attribute("data-status", "running", timeout=30_000)
    expect(page.locator("#exp-points tbody tr").first).to_be_visible(timeout=60_000)
    page.click("#exp-cancel")
    expect(page.locator("body")).to_have_attribute("data-status", "cancelled", timeout=60_000)
    expect(page.locator("#exp-cancel")).to_have_count(0)
    numbers = page.locator("#exp-numbers").inner_text()
    assert "runs" in numbers and "/28,000" in numbers
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "experiments-cancelled.png"), full_page=True)
