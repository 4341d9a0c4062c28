"""GET /api/params (the form's schema), the switches twins derive from it, /favicon.ico, and
the vocabulary (GET /api/vocabulary, /static/js/vocabulary.js)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from app.history import twins
from sim.params import validate
from sim.schema import ALL_FIELDS, DEFAULTS
from sim.trace.vocabulary import CHECKS, EVENT_KINDS, STEPS


def test_params_schema_is_sim_params(client: FlaskClient) -> None:
    response = client.get("/api/params")
    assert response.status_code == 200
    body = response.get_json()
    assert body["defaults"] == DEFAULTS
    assert set(body["fields"]) == set(ALL_FIELDS)
    for name, spec in ALL_FIELDS.items():
        field = body["fields"][name]
        assert field == {
            "kind": spec.kind,
            "min": spec.lo,
            "max": spec.hi,
            "nullable": spec.nullable,
            "choices": list(spec.choices),
            "doc": spec.doc,
            "modes": list(twins.modes_of(name)),
        }, name


def test_params_schema_facts_the_form_relies_on(client: FlaskClient) -> None:
    fields = client.get("/api/params").get_json()["fields"]
    assert fields["mode"]["choices"] == ["orchestration", "choreography"]
    assert fields["services.car.failure_rate"] | {"doc": ""} == {
        "kind": "float",
        "min": 0.0,
        "max": 1.0,
        "nullable": False,
        "choices": [],
        "doc": "",
        "modes": ["orchestration", "choreography"],
    }
    assert fields["orchestrator.durable_log"]["modes"] == ["orchestration"]
    assert fields["choreography.outbox"]["modes"] == ["choreography"]
    assert fields["orchestrator.crash_step"]["nullable"] is True
    assert fields["orchestrator.crash_step"]["choices"] == ["flight", "hotel", "car"]
    assert fields["until"]["nullable"] is True and fields["bookings"]["min"] == 1
    assert "plan" not in fields  # the plan is a map, checked apart from the fields


def test_schema_defaults_validate_to_themselves(client: FlaskClient) -> None:
    defaults = client.get("/api/params").get_json()["defaults"]
    assert validate(defaults).to_dict() == defaults


@pytest.mark.parametrize("name", sorted(twins.SWITCHES))
def test_every_switch_flips_to_the_other_valid_value(name: str) -> None:
    params = validate({}).to_dict()
    twin = twins.twin_params(params, name)
    assert twins.switch_value(twin, name) != twins.switch_value(params, name)
    assert twins.twin_params(twin, name) == params
    validate(twin)


def test_a_parameter_with_more_than_two_values_is_no_switch() -> None:
    with pytest.raises(ValueError):
        twins.flipped("orchestrator.crash_step", "flight")
    with pytest.raises(KeyError):
        twins.twin_params(validate({}).to_dict(), "retries")


def test_switch_modes_come_from_the_parameter_names(client: FlaskClient) -> None:
    switches = client.get("/api/switches").get_json()
    assert switches["choreography.outbox"]["modes"] == ["choreography"]
    assert switches["idempotent"]["modes"] == ["orchestration", "choreography"]
    assert set(twins.switches_for("choreography")) == set(twins.SWITCHES) - {
        "orchestrator.durable_log"
    }


def test_favicon_ico_answers_with_the_svg_icon(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")
    response.close()


def test_vocabulary_is_served_as_json_and_as_the_page_s_module(client: FlaskClient) -> None:
    body = client.get("/api/vocabulary").get_json()
    assert body["steps"] == list(STEPS)
    assert [c["name"] for c in body["checks"]] == list(CHECKS)
    assert set(body["event_kinds"]) == set(EVENT_KINDS)
    assert body["run_states"]["ended"] == ["finished", "stopped", "interrupted", "failed"]
    assert set(body["transcript"]["kinds"]) <= set(EVENT_KINDS)
    module = client.get("/static/js/vocabulary.js")
    assert module.status_code == 200
    assert module.mimetype == "text/javascript"
    text = module.get_data(as_text=True)
    start, end = text.index("Object.freeze(") + len("Object.freeze("), text.rindex(");\nexport")
    assert json.loads(text[start:end]) == body
    assert text.endswith("export default VOCABULARY;\n")
    again = client.get(
        "/static/js/vocabulary.js", headers={"If-None-Match": module.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/static/js/util.js").status_code == 200  # other static files unchanged
