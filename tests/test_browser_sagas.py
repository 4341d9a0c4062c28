"""Runs of sagas other than the tutorial's, drawn from the definition each run carries: the
board's columns, the timeline's lanes and the inventory chart follow the saga's steps, on a
projector and on a phone, with nothing overlapping and the pivot marked (issue 24)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.browser import Browser, Page
from harness.page import (
    new_page,
    open_page,
    screenshot,
    set_speed,
    show_charts,
    start_run,
    wait_drawn,
    wait_finished,
)
from tests.history_support import call

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CREATE_ORDER = [
    "create_order",
    "verify_consumer",
    "create_ticket",
    "authorize_card",
    "approve_ticket",
    "approve_order",
]


def step(name: str, kind: str, capacity: int | None, rate: float) -> dict[str, Any]:
    words = name.split("_")
    return {
        "name": name,
        "service": f"{words[-1].title()} Service",
        "unit": words[-1],
        "capacity": capacity,
        "failure_rate": rate,
        "kind": kind,
    }


# the most steps a saga may have: five that hold units, a pivot and two retriable steps
EIGHT = {
    "name": "eight-steps",
    "title": "Eight steps",
    "description": "A saga of as many steps as a saga may have.",
    "steps": [
        step("reserve_seat", "compensatable", 6, 0.05),
        step("hold_room", "compensatable", 5, 0.05),
        step("rent_car", "compensatable", 4, 0.05),
        step("book_table", "compensatable", 4, 0.05),
        step("buy_ticket", "compensatable", 3, 0.1),
        step("charge_card", "pivot", None, 0.2),
        step("send_mail", "retriable", None, 0.2),
        step("notify_crm", "retriable", None, 0.2),
    ],
}

# what of the board a reader cannot read: a cell or a head over its neighbour, or its words
# cut at its edge (the heads and cells of each row, left to right)
OVERLAPS = """() => {
  const out = [];
  const rows = [document.querySelector('#board .board-head'),
    ...document.querySelectorAll('#board-rows .saga-row')];
  for (const row of rows) {
    const name = row.dataset.saga || 'head';
    const kids = [...row.children].filter((k) => k.getClientRects().length);
    for (let i = 1; i < kids.length; i += 1) {
      const a = kids[i - 1].getBoundingClientRect();
      const b = kids[i].getBoundingClientRect();
      if (a.right > b.left + 0.5) out.push(`${name}: ${i - 1} over ${i}`);
    }
    for (const k of kids) {
      if (k.scrollWidth > k.clientWidth + 1) out.push(`${name}: ${k.dataset.step} cut`);
      if (k.getBoundingClientRect().right > row.getBoundingClientRect().right + 0.5) {
        out.push(`${name}: ${k.dataset.step} past the row`);
      }
    }
  }
  return out;
}"""


def open_run(
    browser: Browser,
    server: str,
    body: dict[str, Any],
    width: int,
    height: int,
    theme: str = "light",
) -> tuple[Page, list[str]]:
    """Start a run through the API and open its share link once it has been drawn to its end."""
    status, run = call(server, "POST", "/api/runs", {**body, "speed": "instant"})
    assert status == 201, run
    page, errors = new_page(browser, width, height, theme)
    page.goto(f"{server}/runs/{run['id']}")
    wait_finished(page)
    return page, errors


def heads(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#board .board-head .colhead[data-step]",
        r"""es => es.map(e => ({step: e.dataset.step, kind: e.dataset.kind,
            text: e.innerText.replace(/\s+/g, ' ').trim()}))""",
    )


def row_steps(page: Page) -> dict[str, list[str]]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#board-rows .saga-row')].map(r => [r.dataset.saga,
        [...r.querySelectorAll('.cell')].map(c => c.dataset.step)]))""")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (390, 844)])
def test_create_order_every_step_drawn(
    server: str, browser: Browser, width: int, height: int
) -> None:
    page, errors = open_run(browser, server, {"preset": "create-order"}, width, height)
    drawn = heads(page)
    assert [h["step"] for h in drawn] == CREATE_ORDER
    kinds = {h["step"]: h for h in drawn}
    assert kinds["authorize_card"]["kind"] == "pivot"
    assert kinds["authorize_card"]["text"].startswith("◆")
    assert all(kinds[s]["text"].startswith("↻") for s in ("approve_ticket", "approve_order"))
    if width == 1920:  # the projector: numbers and names; the phone: the short heads
        assert kinds["create_order"]["text"] == "1 create_order"
        assert kinds["authorize_card"]["text"] == "◆ 4 authorize_card"
    else:
        assert [h["text"] for h in drawn] == ["co", "vc", "ct", "◆ ac", "↻ at", "↻ ao"]
    rows = row_steps(page)
    assert rows and all(steps == CREATE_ORDER for steps in rows.values())
    assert page.evaluate(OVERLAPS) == []
    # the pivot is in the legend too, with what it means
    legend = page.text_content("#board-legend .legend") or ""
    assert "◆" in legend and "pivot" in legend and "↻" in legend and "retriable" in legend
    # the card refusal of the preset: the step's own failure word, and the undo of the ticket
    # and the order (verify_consumer holds nothing: "no undo")
    book = page.locator("#board-rows [data-saga='BOOK002']")
    # (a phone shows the icons, the words are in the title and the cause line under the rows)
    refused = book.locator("[data-step='authorize_card']").get_attribute("title") or ""
    assert refused == "authorize_card: card declined"
    skipped = book.locator("[data-step='verify_consumer']").get_attribute("title") or ""
    assert "no undo" in skipped
    lanes = page.get_attribute("#timeline-canvas", "data-lanes")
    assert lanes == " ".join(["orchestrator", *CREATE_ORDER])
    if width == 1920:  # the board and the first lanes on the projector's first screen
        rows_box = page.locator("#board-rows").bounding_box()
        canvas_box = page.locator("#timeline-canvas").bounding_box()
        assert rows_box and canvas_box
        assert rows_box["y"] + rows_box["height"] <= height
        assert canvas_box["y"] + canvas_box["height"] * 3 / 7 <= height  # 3 of its 7 lanes
    show_charts(page)
    wait_finished(page)
    # a line and a readout per step that holds units, named with its unit
    readout = page.eval_on_selector_all(
        "#inventory-readout .inv", "es => es.map(e => [e.dataset.service, e.innerText])"
    )
    assert [service for service, _ in readout] == ["create_order", "create_ticket"]
    assert readout[0][1].startswith("orders") and readout[1][1].startswith("tickets")
    legend_names = page.eval_on_selector_all(
        "#chart-inventory .legend-name", "es => es.map(e => e.textContent.split(' ')[0])"
    )
    assert legend_names == ["orders", "tickets"]
    assert errors == []


@pytest.mark.parametrize(("width", "height", "theme"), [(1920, 1080, "dark"), (390, 844, "light")])
def test_eight_steps_from_an_inline_definition(
    server: str, browser: Browser, width: int, height: int, theme: str
) -> None:
    body = {"saga": EIGHT, "params": {"bookings": 8, "seed": 3}}
    page, errors = open_run(browser, server, body, width, height, theme)
    names = [s["name"] for s in EIGHT["steps"]]
    assert [h["step"] for h in heads(page)] == names
    assert all(steps == names for steps in row_steps(page).values())
    assert page.evaluate(OVERLAPS) == []
    lanes = page.get_attribute("#timeline-canvas", "data-lanes")
    assert lanes == " ".join(["orchestrator", *names])
    assert errors == []


def form_steps(page: Page) -> list[str]:
    return page.eval_on_selector_all("#form fieldset.service", "es => es.map(e => e.dataset.step)")


def test_the_form_follows_the_picked_saga(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 1920, 1080, "light")
    assert form_steps(page) == ["flight", "hotel", "car"]
    # a saga picked: a row per step, a capacity only where the step holds units, and the
    # steps to retry are the saga's
    page.select_option("#f-saga", "create-order")
    page.wait_for_function("document.querySelector('#form').dataset.sagaName === 'create-order'")
    assert form_steps(page) == CREATE_ORDER
    capacities = page.eval_on_selector_all(
        "#form fieldset.service input[name$='.capacity']", "es => es.map(e => e.name)"
    )
    assert capacities == ["services.create_order.capacity", "services.create_ticket.capacity"]
    retried = page.eval_on_selector_all("[id='f-retry_steps'] input", "es => es.map(e => e.value)")
    assert retried == CREATE_ORDER
    assert page.input_value("#f-preset") == ""  # the fields are the saga's own defaults
    # a preset of another saga: the form follows it; it runs, and the board draws that saga
    page.select_option("#f-preset", "checkout-pivot")
    page.wait_for_function("document.querySelector('#form').dataset.sagaName === 'checkout'")
    assert form_steps(page) == ["reserve_stock", "charge_payment", "ship", "notify"]
    page.select_option("#f-preset", "create-order")
    page.wait_for_function("document.querySelector('#form').dataset.sagaName === 'create-order'")
    start_run(
        page,
        preset="create-order",
        plan="BOOK003:create_ticket",
        fields={"services.authorize_card.failure_rate": "0"},
    )
    wait_finished(page)
    assert [h["step"] for h in heads(page)] == CREATE_ORDER
    assert page.evaluate(OVERLAPS) == []  # beside the parameters too
    crashable = page.eval_on_selector_all(
        "#fault-buttons button[data-action='crash']", "es => es.map(e => e.dataset.actor)"
    )
    assert crashable == ["orchestrator", *CREATE_ORDER]  # a fault button per step
    ticket = page.locator("#board-rows [data-saga='BOOK003'] [data-step='create_ticket']")
    assert "✗" in ticket.inner_text()
    # the preset's BOOK002 card refusal was replaced by the form's plan, and at a failure rate
    # of 0 every card is authorized
    cards = page.eval_on_selector_all(
        "#board-rows [data-step='authorize_card']", "es => es.map(e => e.textContent)"
    )
    assert len(cards) == 6 and all("booked" in c or "not run" in c for c in cards), cards
    assert sum("booked" in c for c in cards) == 5
    # a preset with a definition of its own (travel reordered): the picker says so
    page.select_option("#f-preset", "pessimistic-order")
    page.wait_for_function(
        "document.querySelector('#form').dataset.sagaName === 'travel-pessimistic'"
    )
    assert form_steps(page) == ["car", "hotel", "flight"]
    assert "the preset's own" in page.inner_text("#f-saga option:checked")
    page.select_option("#f-preset", "tutorial")
    page.wait_for_function("document.querySelector('#form').dataset.sagaName === 'travel'")
    assert form_steps(page) == ["flight", "hotel", "car"]
    assert errors == []


@pytest.mark.parametrize("saga", ["create-order", "eight-steps"])
def test_the_presenter_view_of_a_saga_of_many_steps(
    server: str, browser: Browser, saga: str
) -> None:
    """On the projector's presenter view a cell keeps its icon in the view's large type and no
    cell, head or outcome is cut; the timeline's lane names stay apart however many lanes."""
    if saga == "eight-steps":
        assert call(server, "POST", "/api/sagas", EIGHT)[0] in (201, 409)
    page, errors = open_page(browser, server + "/", 1920, 1080, "light")
    page.select_option("#f-saga", saga)
    page.wait_for_function(f"document.querySelector('#form').dataset.sagaName === '{saga}'")
    page.fill("[id='f-bookings']", "8")
    set_speed(page, "instant")
    page.click("#btn-start")
    page.wait_for_function("document.body.dataset.runId")
    wait_finished(page)
    page.keyboard.press("f")
    page.wait_for_function("document.body.classList.contains('presenting')")
    wait_drawn(page)
    assert page.evaluate(OVERLAPS) == []
    cells = page.evaluate("""() => [...document.querySelectorAll('#board-rows .cell')]
        .map(c => parseFloat(getComputedStyle(c).fontSize))""")
    assert min(cells) >= 20, min(cells)  # 0.9rem of the view's 24 px: the back row reads it
    words = page.eval_on_selector_all(
        "#board-rows .cell .w", "es => es.filter(e => e.getClientRects().length).length"
    )
    assert words == 0  # the icons carry the state; a tap writes the cause under the board
    lanes = page.evaluate("""() => { const c = document.getElementById('timeline-canvas');
        return { h: c.clientHeight, n: c.dataset.lanes.split(' ').length,
                 font: parseFloat(getComputedStyle(c).fontSize),
                 names: parseFloat(c.dataset.labelFont) }; }""")
    pitch = (lanes["h"] - lanes["font"] * 1.6) / lanes["n"]  # timeline.js: axis, then lanes
    assert lanes["names"] <= pitch * 0.75, lanes  # a name's type shorter than its lane
    assert lanes["names"] >= 12, lanes
    screenshot(page, f"presenter-{saga}-1920", full_page=False)
    assert errors == []
