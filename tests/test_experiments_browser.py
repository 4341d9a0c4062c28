"""The /experiments page in chromium: run a built-in experiment, see errors, cancel."""

from collections.abc import Iterator

import pytest

from harness.browser import Browser, Page, expect
from harness.page import new_page, screenshot
from tests.axe import describe, severe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def page(server: str, browser: Browser) -> Iterator[Page]:
    """/experiments with its form built; fails the test on any script error."""
    page, errors = new_page(browser, 1500, 1100, theme=None, console=False)
    page.goto(f"{server}/experiments")
    expect(page.locator("#exp-run")).to_be_visible()
    yield page
    page.context.close()
    assert errors == []


def history_rows(page: Page) -> int:
    page.wait_for_selector("#exp-list > *")
    return page.locator("#exp-history tbody tr").count()


def run_builtin(page: Page, name: str, replications: int) -> None:
    page.select_option("#exp-builtin", name)
    page.fill("#exp-reps", str(replications))
    page.click("#exp-run")


def test_a_built_in_experiment_runs_and_shows_charts_table_and_csv(page: Page, server: str):
    run_builtin(page, "exercise-3-retry", 10)
    expect(page.locator("body")).to_have_attribute("data-status", "finished", timeout=60_000)
    expect(page.locator("#exp-status")).to_have_text("finished")
    expect(page.locator("#exp-numbers")).to_contain_text("points 14/14")
    expect(page.locator("#exp-points tbody tr")).to_have_count(14)
    legend = page.locator("#chart-success .legendtext")
    expect(legend).to_have_text(["retries = 0", "retries = 1"])
    expect(page.locator("#chart-outcomes .bars .point").first).to_be_visible()
    assert page.url.endswith(page.locator("body").get_attribute("data-experiment-id"))
    csv = page.request.get(server + page.locator("#exp-csv").get_attribute("href"))
    assert csv.text().count("\n") == 15
    current = page.locator("#exp-history tr.current")
    expect(current).to_contain_text("Exercise 3: one retry of the car step")
    expect(current).to_contain_text("140/140")
    screenshot(page, "experiments-finished")


def test_bad_settings_are_shown_on_their_fields_and_nothing_runs(page: Page):
    before = history_rows(page)
    page.fill("#exp-from", "0.5")
    page.fill("#exp-to", "0.1")
    expect(page.locator("#exp-runs")).to_contain_text("= 0 runs")
    page.click("#exp-run")
    field = page.locator('.field[data-field="sweep.to"]')
    expect(field).to_have_class("field invalid")
    expect(field.locator(".field-error")).to_contain_text("the range is empty")
    assert history_rows(page) == before
    screenshot(page, "experiments-error", full_page=False)


def test_a_running_experiment_shows_partial_points_and_can_be_cancelled(page: Page):
    run_builtin(page, "orchestration-vs-choreography", 2000)
    expect(page.locator("body")).to_have_attribute("data-status", "running", timeout=30_000)
    expect(page.locator("#exp-points tbody tr").first).to_be_visible(timeout=60_000)
    page.click("#exp-cancel")
    expect(page.locator("body")).to_have_attribute("data-status", "cancelled", timeout=60_000)
    expect(page.locator("#exp-cancel")).to_have_count(0)
    numbers = page.locator("#exp-numbers").inner_text()
    assert "runs" in numbers and "/28,000" in numbers
    screenshot(page, "experiments-cancelled")


def test_the_picked_sagas_parameters_are_offered_and_swept(page: Page):
    """A saga picked in the base: its steps' parameters to sweep (not the tutorial's), and
    the experiment runs that saga."""
    sweepable = "es => es.map(e => e.value)"
    assert "services.flight.failure_rate" in page.eval_on_selector_all(
        "#exp-sweep-param option", sweepable
    )
    # a preset of another saga, with no saga picked, offers that saga's parameters (checked
    # before anything is submitted: a submitted experiment's spec fills the form again)
    page.select_option("#exp-preset", "checkout-pivot")
    page.wait_for_function("document.querySelector('#exp-form').dataset.sagaName === 'checkout'")
    offered = page.eval_on_selector_all("#exp-sweep-param option", sweepable)
    assert "services.charge_payment.failure_rate" in offered
    page.select_option("#exp-preset", "")
    page.select_option("#exp-saga", "create-order")
    page.wait_for_function(
        "document.querySelector('#exp-form').dataset.sagaName === 'create-order'"
    )
    offered = page.eval_on_selector_all("#exp-sweep-param option", sweepable)
    assert "services.authorize_card.failure_rate" in offered
    assert "services.create_ticket.capacity" in offered
    assert not any(".flight." in name for name in offered)
    factors = page.eval_on_selector_all("#exp-factor-param option", sweepable)
    assert "services.approve_order.failure_rate" in factors
    page.select_option("#exp-sweep-param", "services.authorize_card.failure_rate")
    page.fill("#exp-from", "0")
    page.fill("#exp-to", "0.5")
    page.fill("#exp-step", "0.5")
    page.select_option("#exp-factor-param", "")
    page.fill("#exp-levels", "")
    page.fill("#exp-base-params", '{"bookings": 4}')
    page.fill("#exp-reps", "2")
    expect(page.locator("#exp-runs")).to_contain_text("= 4 runs")
    # what the form submits: the base runs the picked saga (the server runs it: see
    # tests/test_sagas_api.py, an experiment sweeping a saga's own parameter)
    with page.expect_request(
        lambda r: r.url.endswith("/api/experiments") and r.method == "POST"
    ) as sent:
        page.click("#exp-run")
    spec = sent.value.post_data_json
    assert spec["base"]["params"] == {"bookings": 4, "saga": "create-order"}
    assert spec["sweep"]["param"] == "services.authorize_card.failure_rate"
    expect(page.locator("#exp-status")).not_to_have_text("")


def test_orders_of_one_saga_run_as_an_experiment_with_a_result_per_order(page: Page, server: str):
    """The pessimistic-order lesson in one link: the tutorial's order against the likeliest
    failure first, each order's completed sagas and compensations with intervals."""
    page.goto(f"{server}/experiments?builtin=pessimistic-order")
    expect(page.locator("#exp-builtin")).to_have_value("pessimistic-order")
    expect(page.locator("#exp-factor-param")).to_have_value("order")
    expect(page.locator("#exp-levels")).to_be_hidden()
    orders = page.locator("#exp-orders textarea")
    expect(orders).to_have_count(2)
    assert orders.nth(0).input_value() == "flight, hotel, car"
    assert orders.nth(1).input_value() == "car:compensatable, hotel, flight:pivot"
    expect(page.locator("#exp-orders .exp-order-preview")).to_have_text(
        ["flight → hotel → car ◆", "car → hotel → flight ◆"]
    )
    violations = severe_violations(page)
    assert violations == [], describe(violations)
    page.fill("#exp-from", "0.3")
    page.fill("#exp-to", "0.6")
    page.fill("#exp-step", "0.3")
    page.fill("#exp-reps", "8")
    expect(page.locator("#exp-runs")).to_contain_text("2 values × 2 orders × 8 replications")
    page.click("#exp-run")
    expect(page.locator("body")).to_have_attribute("data-status", "finished", timeout=60_000)
    expect(page.locator("#exp-numbers")).to_contain_text("points 4/4")
    rows = page.locator("#exp-points tbody tr")
    expect(rows).to_have_count(4)
    levels = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(4)]
    assert levels == ["flight → hotel → car ◆", "car → hotel → flight ◆"] * 2
    # every order has its completed sagas and compensations per run with an interval
    head = page.locator("#exp-points thead th").all_inner_texts()
    for i in range(4):
        cells = dict(zip(head, rows.nth(i).locator("td").all_inner_texts(), strict=True))
        assert int(cells["completed"].replace(",", "")) > 0
        assert " – " in cells["95% CI"] and "(" in cells["comp. per run (95% CI)"]
    legend = ["flight → hotel → car ◆", "car → hotel → flight ◆"]
    expect(page.locator("#chart-success .legendtext")).to_have_text(legend)
    expect(page.locator("#exp-order-key")).to_be_hidden()  # short orders name themselves
    performed = page.locator("#chart-compensations .legendtext")
    expect(performed.first).to_have_text("performed, flight → hotel → car ◆")
    expect(page.locator("#chart-compensations .errorbars path").first).to_be_attached()
    screenshot(page, "experiments-orders")


def test_an_order_the_sagas_rules_refuse_is_named_at_its_row_and_nothing_is_lost(page: Page):
    before = history_rows(page)
    page.select_option("#exp-saga", "create-order")
    page.wait_for_function(
        "document.querySelector('#exp-form').dataset.sagaName === 'create-order'"
    )
    page.fill("#exp-base-params", '{"bookings": 4}')  # not the built-in's travel services
    page.select_option("#exp-sweep-param", "services.authorize_card.failure_rate")
    page.fill("#exp-from", "0")
    page.fill("#exp-to", "0.5")
    page.fill("#exp-step", "0.5")
    page.select_option("#exp-factor-param", "order")
    orders = page.locator("#exp-orders textarea")
    expect(orders.first).to_have_value(
        "create_order, verify_consumer, create_ticket, authorize_card, approve_ticket, "
        "approve_order"
    )
    early = (
        "create_order, verify_consumer, create_ticket, approve_ticket, authorize_card, "
        "approve_order"
    )
    orders.nth(1).fill(early)
    page.click("#exp-order-add")
    expect(orders).to_have_count(3)
    orders.nth(2).fill("create_order, verify_consumer")
    page.fill("#exp-reps", "2")
    page.click("#exp-run")
    second = page.locator('#exp-orders [data-field="factor.levels.1"]')
    expect(second).to_have_class("field invalid")
    expect(second.locator(".field-error")).to_have_text(
        "approve_ticket (step 3): a retriable step must come after the pivot; give a step "
        "another kind as name:kind (compensatable, pivot, retriable)"
    )
    third = page.locator('#exp-orders [data-field="factor.levels.2"]')
    expect(third.locator(".field-error")).to_contain_text(
        "leaves out create_ticket, authorize_card, approve_ticket, approve_order"
    )
    expect(page.locator('#exp-orders [data-field="factor.levels.0"]')).to_have_class("field")
    assert orders.nth(1).input_value() == early  # nothing lost
    assert history_rows(page) == before
    # removing the bad orders leaves one that runs
    page.locator('[data-field="factor.levels.2"] .exp-order-remove').click()
    page.locator('[data-field="factor.levels.1"] .exp-order-remove').click()
    expect(orders).to_have_count(1)
    page.click("#exp-run")
    expect(page.locator("#exp-status")).to_have_text("finished", timeout=60_000)
    # an order too long for a legend is "order 1" there, spelled out in the key
    expect(page.locator("#chart-success .legendtext")).to_have_text(["order 1"])
    expect(page.locator("#exp-order-key li")).to_have_text(
        [
            "order 1: create_order → verify_consumer → create_ticket → authorize_card ◆ → "
            "approve_ticket ↻ → approve_order ↻"
        ]
    )
    screenshot(page, "experiments-order-refused", full_page=False)
