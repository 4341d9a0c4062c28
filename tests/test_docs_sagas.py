"""docs/sagas.md and the README's "Your own saga" say what the code has: the built-ins' YAML,
the default words, the rules' messages, the example saga file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from sim.saga import BUILTIN, SagaError, check_saga, load_saga_file
from sim.saga.definition import WORDS, default_words

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "sagas.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
FOOD = ROOT / "tests" / "data" / "food_order.yaml"


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_each_builtin_in_the_doc_is_the_builtin(name: str) -> None:
    (definition,) = [d for d in map(yaml.safe_load, blocks(DOC, "yaml")) if d["name"] == name]
    assert check_saga(definition) == BUILTIN[name]


def test_the_doc_shows_every_builtin_and_nothing_else() -> None:
    shown = [yaml.safe_load(b)["name"] for b in blocks(DOC, "yaml")]
    assert sorted(shown) == sorted(BUILTIN)


def test_the_json_example_is_travel_without_its_words() -> None:
    (text,) = blocks(DOC, "json")
    example = check_saga(json.loads(text.replace('"description": "..."', '"description": ""')))
    travel = BUILTIN["travel"]
    assert [(s.name, s.service, s.unit, s.capacity, s.failure_rate, s.kind)
            for s in example.steps] == [
        (s.name, s.service, s.unit, s.capacity, s.failure_rate, s.kind) for s in travel.steps
    ]  # fmt: skip


def test_the_words_table_lists_every_word_with_its_default() -> None:
    defaults = default_words("check_address", "check")
    rows = re.findall(r"^\| `(\w+)` \| .* \| `([^`]*)` \|$", DOC, flags=re.M)
    table = {word: example for word, example in rows if word in WORDS}
    assert table == defaults


def schema_messages(tmp: Path) -> set[str]:
    """What the schema says for one breach of each rule (and of a file's)."""
    good = BUILTIN["create-order"].to_dict()

    def step(i: int, **change: object) -> dict:
        d = json.loads(json.dumps(good))
        d["steps"][i].update(change)
        return d

    bad = [
        [], {**good, "name": "X"}, {**good, "title": ""}, {**good, "description": "a\nb"},
        {**good, "steps": good["steps"][:1]}, {**good, "steps": ["x", *good["steps"][1:]]},
        step(1, name="X"), step(1, name="bus"), step(1, name="create_order"), step(1, service="-"),
        step(1, unit="U"), step(1, capacity=-1), step(1, failure_rate=2), step(1, kind="k"),
        step(4, kind="pivot"), step(1, kind="retriable"), step(5, kind="compensatable"),
        {**good, "x": 1}, step(1, x=1), step(1, words=[]), step(1, words={"x": "y"}),
        step(1, words={"done": ""}),
    ]  # fmt: skip
    out: set[str] = set()
    for definition in bad:
        with pytest.raises(SagaError) as caught:
            check_saga(definition)
        out |= set(caught.value.errors.values())
    files = {"a.yaml": "a: [\n", "b.json": "{", "c.yaml": b"\xff", "d.yaml": "#" * 300_000,
             "e.json": "[" * 5000 + "]" * 5000}  # fmt: skip
    for name, text in files.items():
        path = tmp / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(SagaError) as caught:
            load_saga_file(str(path))
        out.add(caught.value.errors["saga"])
    with pytest.raises(SagaError) as caught:
        load_saga_file(str(tmp / "missing.yaml"))
    return out | {caught.value.errors["saga"]}


def test_every_rule_message_in_the_doc_is_the_schemas(tmp_path: Path) -> None:
    said = schema_messages(tmp_path)
    rows = re.findall(r"^\| [^|]+ \| `[^|]+` \| (`.+`) \|$", DOC, flags=re.M)
    assert len(rows) == 20
    for row in rows:
        for message in re.findall(r"`([^`]+)`", row):
            marked = re.sub(r"\b[MNL]\b", "QNUMQ", message.replace("...", "QANYQ"))
            pattern = re.escape(marked.replace("<path>", "QANYQ"))
            pattern = pattern.replace("QANYQ", ".*").replace("QNUMQ", r"\d+")
            assert any(re.fullmatch(pattern, m) for m in said), message


def test_the_readme_saga_is_the_example_file_and_runs() -> None:
    section = README.split("## Your own saga", 1)[1].split("\n## ", 1)[0]
    (text,) = blocks(section, "yaml")
    shown = yaml.safe_load(text)
    assert shown == yaml.safe_load(FOOD.read_text(encoding="utf-8"))
    saga = load_saga_file(str(FOOD))
    kinds = [s.kind for s in saga.steps]
    assert len(kinds) == 5 and kinds.count("pivot") == 1 and kinds.count("retriable") == 2
    assert any(not s.holds for s in saga.steps)
    assert "tests/data/food_order.yaml" in section and "POST http://127.0.0.1:5000/api/sagas" in (
        section
    )
