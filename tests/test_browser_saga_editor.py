"""The saga editor in chromium (issue 24): the server's rules at the field they are about, a
saga built in the editor saved, run, exported, deleted, imported and run again with the same
result, the editor on a phone, and a class following a run of a user's saga on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.browser import Browser, Page
from harness.page import new_page, open_page, screenshot, set_speed, wait_finished
from tests.history_support import call
from tests.test_browser_sagas import OVERLAPS, heads

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: the editor has shown the server's answer for its latest edit
CHECKED = """() => { const d = document.getElementById('saga-editor');
  return Boolean(d && d.open && d.dataset.checked === d.dataset.edit); }"""
EDITOR = "#saga-editor"

LESSON = {  # a saga of the user's: a room held, a card charged (the pivot), a mail retried
    "name": "room-and-card",
    "title": "Room and card",
    "description": "A room is held, the card charged; the mail is sent until it goes out.",
    "steps": [
        {"name": "hold_room", "service": "Room Service", "unit": "room", "capacity": 4,
         "failure_rate": 0.2, "kind": "compensatable"},
        {"name": "charge_card", "service": "Payment Service", "unit": "charge",
         "capacity": None, "failure_rate": 0.3, "kind": "pivot"},
        {"name": "send_mail", "service": "Mail Service", "unit": "mail", "capacity": None,
         "failure_rate": 0.4, "kind": "retriable"},
    ],
}  # fmt: skip


def open_editor(page: Page) -> None:
    """Press the form's Edit… and wait until the editor shows its first check."""
    page.evaluate("document.getElementById('params-details').open = true")
    page.click("#edit-saga")
    page.wait_for_function(CHECKED)


def valid(page: Page) -> bool:
    """Whether the rules hold for the draft (after the editor has shown the latest answer)."""
    page.wait_for_function(CHECKED)
    return page.get_attribute(EDITOR, "data-valid") == "true"


def message(page: Page, field: str) -> str:
    page.wait_for_function(CHECKED)
    return page.inner_text(f"{EDITOR} [data-error-for='{field}']")


def flow(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        f"{EDITOR} .flow-step", "es => es.map(e => e.innerText.replace(/\\s+/g, ' ').trim())"
    )


def fill_step(page: Page, n: int, step: dict[str, Any]) -> None:
    """Type one step into the table's row n (1-based), as a user does."""
    for field in ("name", "service", "unit"):
        page.fill(f"{EDITOR} [aria-label='step {n} {field}']", step[field])
    nothing = page.locator(f"{EDITOR} [aria-label='step {n} holds nothing']")
    if step["capacity"] is None:
        nothing.check()
    else:
        if nothing.is_checked():
            nothing.uncheck()
        page.fill(f"{EDITOR} [aria-label='step {n} capacity']", str(step["capacity"]))
    page.fill(f"{EDITOR} [aria-label='step {n} failure rate']", str(step["failure_rate"]))
    page.select_option(f"{EDITOR} [aria-label='step {n} kind']", step["kind"])


def run_to_end(page: Page, previous: str | None) -> dict[str, Any]:
    """Press the editor's Run; the run it started, once the page has drawn it to its end."""
    page.click(f"{EDITOR} [data-action='run']")
    page.wait_for_function(
        "(before) => document.body.dataset.runId && document.body.dataset.runId !== before",
        arg=previous or "",
    )
    wait_finished(page)
    run_id = page.evaluate("document.body.dataset.runId")
    status, run = call(page.url.split("/runs/")[0].rstrip("/"), "GET", f"/api/runs/{run_id}")
    assert status == 200, run
    return run


def test_the_rules_are_checked_as_you_type_at_the_field(server: str, browser: Browser) -> None:
    page, errors = new_page(browser, 1920, 1080, console=False)  # a refusal is a 400
    page.goto(server + "/")
    page.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    page.select_option("#f-saga", "create-order")
    page.wait_for_function("document.querySelector('#form').dataset.sagaName === 'create-order'")
    open_editor(page)
    assert valid(page)
    assert page.input_value(f"{EDITOR} #se-name") == "create-order-copy"  # a built-in: a copy
    assert flow(page)[3].startswith("◆4") and flow(page)[4].startswith("↻5")
    # a retriable step moved before the pivot: the schema's message at that step's kind
    page.click(f"{EDITOR} [aria-label='move step 5 up']")
    assert not valid(page)
    assert message(page, "steps.3.kind") == "a retriable step must come after the pivot"
    assert page.get_attribute(f"{EDITOR} [data-field='steps.3.kind']", "aria-invalid") == "true"
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "move step 4 up"  # the moved row's button keeps the keyboard
    screenshot(page, "saga-editor-refusal-1920", full_page=False)
    # typed wrong: each field's own message; Save and Run refuse and store nothing
    page.fill(f"{EDITOR} [aria-label='step 1 name']", "Create Order")
    page.fill(f"{EDITOR} [aria-label='step 2 failure rate']", "1.5")
    assert message(page, "steps.0.name").startswith("must be a-z first")
    assert message(page, "steps.1.failure_rate") == (
        "must be a number from 0 to 1 (the chance a try fails)"
    )
    page.click(f"{EDITOR} [data-action='save']")
    page.wait_for_function(CHECKED)
    assert call(server, "GET", "/api/sagas/create-order-copy")[0] == 404
    # mended: moved back by dragging its row, the rules hold again
    page.fill(f"{EDITOR} [aria-label='step 1 name']", "create_order")
    page.fill(f"{EDITOR} [aria-label='step 2 failure rate']", "0.05")
    page.wait_for_function(CHECKED)  # the messages gone, the rows where they will stay
    # (Locator.drag_to: HTML5 drag and drop, as a mouse does it)
    page.locator(f"{EDITOR} [data-step='3'] .drag-handle").drag_to(
        page.locator(f"{EDITOR} [data-step='4']")
    )
    assert valid(page), page.inner_text(EDITOR)
    assert [f.split(" ", 1)[1] for f in flow(page)] == [
        "create_order", "verify_consumer holds nothing", "create_ticket",
        "authorize_card holds nothing", "approve_ticket holds nothing",
        "approve_order holds nothing",
    ]  # fmt: skip
    # closed and opened again: the draft with its changes is still there
    page.click(f"{EDITOR} [data-action='close']")
    open_editor(page)
    assert page.input_value(f"{EDITOR} #se-name") == "create-order-copy"
    assert errors == []


def test_a_saga_made_in_the_editor_saved_run_exported_deleted_imported_runs_the_same(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    page, errors = new_page(browser, 1920, 1080, console=False)
    page.goto(server + "/")
    page.wait_for_function("document.querySelectorAll('#f-preset option').length > 1")
    set_speed(page, "instant")  # the bar's speed: the editor's Run starts as Start does
    page.fill("[id='f-seed']", "4242")
    page.fill("[id='f-bookings']", "12")
    open_editor(page)
    page.select_option(f"{EDITOR} #se-from", "null")  # start from: a new saga
    page.wait_for_function(CHECKED)
    page.fill(f"{EDITOR} #se-name", LESSON["name"])
    page.fill(f"{EDITOR} #se-title", LESSON["title"])
    page.fill(f"{EDITOR} #se-description", LESSON["description"])
    page.click(f"{EDITOR} [data-action='add-step']")
    for n, step in enumerate(LESSON["steps"], 1):
        fill_step(page, n, step)
    assert valid(page), page.inner_text(EDITOR)
    assert flow(page) == ["1 hold_room", "◆2 charge_card holds nothing",
                          "↻3 send_mail holds nothing"]  # fmt: skip
    # Save: stored on the server, and the form's picker offers it
    page.click(f"{EDITOR} [data-action='save']")
    page.wait_for_function(
        "document.querySelector('#saga-editor .editor-status').textContent"
        ".includes('stored as “room-and-card”')"
    )
    assert page.locator("#f-saga option[value=room-and-card]").count() == 1
    status, stored = call(server, "GET", "/api/sagas/room-and-card")
    assert status == 200 and stored["written"] == LESSON, stored
    # Run: the form takes the saga (keeping the seed and bookings typed) and starts it
    first = run_to_end(page, None)
    assert first["params"]["saga"]["name"] == "room-and-card"
    assert first["params"]["seed"] == 4242 and first["params"]["bookings"] == 12
    assert [h["step"] for h in heads(page)] == ["hold_room", "charge_card", "send_mail"]
    assert page.evaluate("document.querySelector('#form').dataset.sagaName") == "room-and-card"
    # Export: a YAML file of the saga, words only where they are its own
    open_editor(page)
    with page.expect_download() as download:
        page.click(f"{EDITOR} [data-action='export-yaml']")
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name == "room-and-card.yaml"
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("name: room-and-card\n") and "words" not in text
    # Delete: gone from the server and the picker; the draft stays in the editor
    page.click(f"{EDITOR} [data-action='delete']")
    page.wait_for_function("!document.querySelector('#f-saga option[value=room-and-card]')")
    assert call(server, "GET", "/api/sagas/room-and-card")[0] == 404
    assert page.input_value(f"{EDITOR} #se-name") == "room-and-card"
    # Import: a broken file is refused with its line, the draft untouched; then the export
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nsteps: [a\n", encoding="utf-8")
    page.set_input_files(f"{EDITOR} input[type=file]", str(broken))
    page.wait_for_function(
        "document.querySelector('#saga-editor [data-error-for=saga]').textContent !== ''"
    )
    assert "broken.yaml: saga: is not YAML (line 3)" in message(page, "saga")
    assert page.input_value(f"{EDITOR} #se-name") == "room-and-card"
    page.select_option(f"{EDITOR} #se-from", '{"name":"travel"}')  # another saga meanwhile
    page.wait_for_function("document.querySelector('#se-name').value === 'travel-copy'")
    page.set_input_files(f"{EDITOR} input[type=file]", str(exported))
    page.wait_for_function("document.querySelector('#se-name').value === 'room-and-card'")
    assert valid(page)
    assert "not stored" in page.inner_text(f"{EDITOR} .editor-status")
    # Run again: not stored, so the run carries the definition; the same seed, the same run
    second = run_to_end(page, first["id"])
    assert second["params"]["saga"] == first["params"]["saga"]
    assert second["params"]["seed"] == 4242
    assert second["summary"] == first["summary"], (first["summary"], second["summary"])
    assert second["event_count"] == first["event_count"]
    assert "from the editor" in page.inner_text("#f-saga option:checked")
    # the run's share link and its Re-run follow the saga the run carries
    viewer, viewer_errors = new_page(browser, 1280, 720)
    viewer.goto(f"{server}/runs/{second['id']}")
    wait_finished(viewer)
    assert [h["step"] for h in heads(viewer)] == ["hold_room", "charge_card", "send_mail"]
    page.click("#btn-rerun")
    page.wait_for_function("(before) => document.body.dataset.runId !== before", arg=second["id"])
    wait_finished(page)
    third = call(server, "GET", f"/api/runs/{page.evaluate('document.body.dataset.runId')}")[1]
    assert third["params"]["saga"] == first["params"]["saga"]
    assert third["summary"] == first["summary"]
    assert errors == [] and viewer_errors == []


def test_the_editor_on_a_phone(server: str, browser: Browser) -> None:
    page, errors = open_page(browser, server + "/", 390, 844, "dark")
    open_editor(page)
    for _ in range(5):  # to the most steps a saga may have
        page.click(f"{EDITOR} [data-action='add-step']")
    assert page.locator(f"{EDITOR} .step-row").count() == 8
    assert page.is_disabled(f"{EDITOR} [data-action='add-step']")
    assert valid(page)
    outside = page.evaluate("""() => [...document.querySelectorAll(
        '#saga-editor input, #saga-editor select, #saga-editor button')]
        .filter(e => e.getClientRects().length && !e.hidden)
        .filter(e => { const r = e.getBoundingClientRect();
          return r.left < -0.5 || r.right > innerWidth + 0.5; })
        .map(e => e.getAttribute('aria-label') || e.textContent)""")
    assert outside == []  # nothing wider than the phone
    editor_width = page.evaluate("document.getElementById('saga-editor').scrollWidth")
    assert editor_width <= 390
    # the actions stay in reach at the bottom of the screen, whatever is scrolled
    page.locator(f"{EDITOR} [aria-label='step 8 kind']").scroll_into_view_if_needed()
    run_box = page.locator(f"{EDITOR} [data-action='run']").bounding_box()
    assert run_box is not None and run_box["y"] + run_box["height"] <= 844
    screenshot(page, "saga-editor-phone-dark", full_page=False)
    assert errors == []


def test_a_class_follows_a_run_of_a_users_saga_on_a_phone(server: str, browser: Browser) -> None:
    saga = {**LESSON, "name": "room-and-card-class"}
    status, answer = call(server, "POST", "/api/sagas", saga)
    assert status == 201, answer
    presenter, errors = open_page(browser, server + "/", 1920, 1080)
    presenter.click("#btn-class")
    presenter.wait_for_function("document.body.dataset.classCode")
    code = presenter.evaluate("document.body.dataset.classCode")
    presenter.click("#class-card button.primary")
    phone, phone_errors = new_page(browser, 390, 844, touch=True)
    phone.goto(f"{server}/class/{code}")
    phone.wait_for_function(
        "document.getElementById('class-notice').textContent.includes('Waiting for the presenter')"
    )
    presenter.select_option("#f-saga", "room-and-card-class")
    presenter.wait_for_function(
        "document.querySelector('#form').dataset.sagaName === 'room-and-card-class'"
    )
    presenter.fill("[id='f-bookings']", "6")
    set_speed(presenter, "instant")
    presenter.click("#btn-start")
    run_id = presenter.wait_for_function("document.body.dataset.runId").json_value()
    wait_finished(presenter)
    phone.wait_for_function(f"document.body.dataset.runId === '{run_id}'")
    wait_finished(phone)
    # the phone draws the user's saga: its columns, the pivot marked, nothing overlapping
    shown = heads(phone)
    assert [h["step"] for h in shown] == ["hold_room", "charge_card", "send_mail"]
    assert [h["kind"] for h in shown] == ["compensatable", "pivot", "retriable"]
    assert "◆" in shown[1]["text"] and "↻" in shown[2]["text"]
    assert phone.evaluate(OVERLAPS) == []
    rows = "es => es.map(e => e.dataset.saga)"
    assert phone.eval_on_selector_all("#board-rows .saga-row", rows) == (
        presenter.eval_on_selector_all("#board-rows .saga-row", rows)
    )
    screenshot(phone, "class-phone-users-saga", full_page=False)
    assert errors == [] and phone_errors == []
