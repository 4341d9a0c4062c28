"""The saga editor's server side: a saga read back as a person writes it, a YAML/JSON file
imported and exported, and the parameter schema of a definition nobody stored."""

from __future__ import annotations

import json

import yaml
from flask.testing import FlaskClient

from sim.saga import BUILTIN, check_saga
from tests.test_sagas_api import FIVE, stored


def test_a_saga_is_read_back_as_written_words_only_where_they_are_its_own(
    client: FlaskClient,
) -> None:
    stored(client, {**FIVE, "steps": [{**FIVE["steps"][0], "words": {"done": "Table held"}},
                                      *FIVE["steps"][1:]]})  # fmt: skip
    answer = client.get("/api/sagas/food-order").json
    assert answer["written"]["steps"][0]["words"] == {"done": "Table held"}
    assert all("words" not in s for s in answer["written"]["steps"][1:])
    assert answer["saga"]["steps"][1]["words"]["done"] == "Check customer done"  # filled in
    assert check_saga(answer["written"]).to_dict() == answer["saga"]
    travel = client.get("/api/sagas/travel").json
    assert travel["builtin"] is True
    assert check_saga(travel["written"]) == BUILTIN["travel"]
    checked = client.post("/api/sagas/check", json=FIVE).json
    assert checked["written"] == FIVE


def test_export_gives_a_file_named_after_the_saga_that_imports_to_the_same_saga(
    client: FlaskClient,
) -> None:
    for wanted, load in (("yaml", yaml.safe_load), ("json", json.loads)):
        resp = client.post(f"/api/sagas/export?format={wanted}", json=FIVE)
        assert resp.status_code == 200
        assert resp.headers["Content-Disposition"] == (
            f'attachment; filename="food-order.{wanted}"'
        )
        text = resp.get_data(as_text=True)
        assert load(text) == FIVE  # fields in the definition's order, no default word
        assert list(load(text)) == ["name", "title", "description", "steps"]
        back = client.post(f"/api/sagas/file?format={wanted}", data=text.encode())
        assert back.status_code == 200 and back.json["written"] == FIVE
    create_order = client.get("/api/sagas/create-order").json["written"]
    text = client.post("/api/sagas/export", json=create_order).get_data(as_text=True)
    assert check_saga(yaml.safe_load(text)) == BUILTIN["create-order"]  # yaml is the default


def test_a_bad_file_or_definition_is_400_naming_the_line_or_the_field(client: FlaskClient) -> None:
    bad_yaml = client.post("/api/sagas/file?format=yaml", data=b"name: x\nsteps: [a\n")
    assert bad_yaml.status_code == 400
    assert bad_yaml.json["errors"]["saga"].startswith("is not YAML (line 3)")
    bad_json = client.post("/api/sagas/file?format=json", data=b'{"name": ')
    assert bad_json.json["errors"]["saga"].startswith("is not JSON (")
    not_utf8 = client.post("/api/sagas/file", data="name: café".encode("latin-1"))
    assert not_utf8.json == {"errors": {"saga": "the file is not UTF-8 text"}}
    wrong = {**FIVE, "steps": [FIVE["steps"][3], *FIVE["steps"][:3]]}
    text = yaml.safe_dump(wrong, sort_keys=False).encode()
    refused = client.post("/api/sagas/file", data=text)
    assert refused.json["errors"] == {"steps.0.kind": "a retriable step must come after the pivot"}
    exported = client.post("/api/sagas/export", json=wrong)
    assert exported.status_code == 400 and "steps.0.kind" in exported.json["errors"]
    for path in ("/api/sagas/file?format=toml", "/api/sagas/export?format=xml"):
        resp = client.post(path, json=FIVE)
        assert resp.status_code == 400
        assert resp.json["errors"] == {"format": "must be one of yaml, json"}
    for wanted in ("yaml", "json"):  # nested past the parser's recursion: a 400, not a crash
        deep = client.post(f"/api/sagas/file?format={wanted}", data=b"[" * 1500 + b"]" * 1500)
        assert deep.json == {"errors": {"saga": "nests lists or objects too deeply to be a saga"}}
    huge = client.post("/api/sagas/file", data=b"#" * 20_000)
    assert huge.status_code == 413 and "limit" in huge.json["error"]


def test_the_parameter_schema_of_a_definition_nobody_stored(client: FlaskClient) -> None:
    schema = client.post("/api/params", json={"saga": FIVE}).json
    assert schema["saga"]["name"] == "food-order"
    assert schema["defaults"]["services"]["hold_table"] == {"capacity": 4, "failure_rate": 0.1}
    assert "services.cook.capacity" in schema["fields"]
    assert "services.deliver.capacity" not in schema["fields"]  # it holds nothing
    assert schema["fields"]["retry_steps"]["choices"] == [s["name"] for s in FIVE["steps"]]
    assert client.get("/api/sagas/food-order").status_code == 404  # nothing was stored
    refused = client.post("/api/params", json={"saga": {"name": "x", "steps": []}})
    assert refused.status_code == 400
    assert refused.json["errors"] == {"steps": "must list 2 to 8 steps"}
