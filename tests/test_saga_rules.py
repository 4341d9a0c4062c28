"""The saga schema (docs/sagas.md): one test per rule, each naming the field and what is wrong;
definitions in YAML and JSON files, through sim.saga.files and `python -m sim --saga FILE`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.saga import BUILTIN, SagaError, check_saga, load_saga_file
from sim.saga.definition import WORDS, default_words
from sim.saga.files import MAX_FILE_BYTES, parse_saga_text
from sim.saga.rules import MAX_CAPACITY, RESERVED

GOOD: dict[str, Any] = {
    "name": "food-order",
    "title": "Food order",
    "description": "A table slot, an address check, the card (pivot), cooking and delivery.",
    "steps": [
        {"name": "reserve", "service": "Restaurant Service", "unit": "slot", "capacity": 6,
         "failure_rate": 0.1, "kind": "compensatable"},
        {"name": "check_address", "service": "Address Service", "unit": "check",
         "capacity": None, "failure_rate": 0.1, "kind": "compensatable"},
        {"name": "charge", "service": "Payment Service", "unit": "charge", "capacity": 8,
         "failure_rate": 0.2, "kind": "pivot"},
        {"name": "cook", "service": "Kitchen Service", "unit": "meal", "capacity": None,
         "failure_rate": 0.3, "kind": "retriable"},
        {"name": "deliver", "service": "Courier Service", "unit": "courier", "capacity": 50,
         "failure_rate": 0.3, "kind": "retriable"},
    ],
}  # fmt: skip


def changed(*edits: tuple[str, Any]) -> dict[str, Any]:
    """GOOD with dotted fields set (`steps.2.kind`); the value `...` deletes the field."""
    out = copy.deepcopy(GOOD)
    for dotted, value in edits:
        node: Any = out
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(leaf) if isinstance(node, list) else leaf
        if value is ...:
            del node[key]
        else:
            node[key] = value
    return out


def errors(raw: Any) -> dict[str, str]:
    with pytest.raises(SagaError) as caught:
        check_saga(raw)
    return caught.value.errors


def only(raw: Any) -> tuple[str, str]:
    """The one error a definition has: (field, message)."""
    found = errors(raw)
    assert len(found) == 1, found
    return next(iter(found.items()))


# --- a good definition -------------------------------------------------------------------


def test_a_good_definition_is_checked_into_a_saga_with_every_word_filled_in() -> None:
    saga = check_saga(GOOD)
    assert saga.names == ("reserve", "check_address", "charge", "cook", "deliver")
    assert saga.holding == ("reserve", "charge", "deliver")
    assert saga.pivot == "charge"
    assert [s.kind for s in saga.steps] == ["compensatable"] * 2 + ["pivot"] + ["retriable"] * 2
    out = saga.to_dict()
    for raw, step in zip(GOOD["steps"], out["steps"], strict=True):
        assert step == {**raw, "failure_rate": float(raw["failure_rate"]),
                        "words": default_words(raw["name"], raw["unit"])}  # fmt: skip
    assert check_saga(out) == saga  # the JSON shape checks into the same saga


def test_default_words_say_the_step_and_its_unit() -> None:
    words = default_words("check_address", "check")
    assert set(words) == set(WORDS)
    assert words == {
        "action": "check_address",
        "request": "Check address requested",
        "failed": "Check address FAILED",
        "done": "Check address done",
        "undone": "Check address undone",
        "units": "checks",
        "label": "Checks",
        "error": "refused",
        "sold_out": "no checks left",
        "short": "ca",
    }
    assert default_words("pass", "glass")["units"] == "glass"  # a plural already: kept


def test_title_defaults_to_the_name_and_description_to_nothing_and_rate_to_zero() -> None:
    saga = check_saga(changed(("title", ...), ("description", ...), ("steps.0.failure_rate", ...)))
    assert saga.title == "food-order" and saga.description == ""
    assert saga.steps[0].failure_rate == 0.0


def test_given_words_replace_the_defaults_one_by_one() -> None:
    saga = check_saga(changed(("steps.0.words", {"done": "Table slot reserved"})))
    words = saga.steps[0].words
    assert words["done"] == "Table slot reserved"
    assert words["undone"] == default_words("reserve", "slot")["undone"]


def test_every_builtin_passes_its_own_schema_and_round_trips() -> None:
    assert set(BUILTIN) == {"travel", "create-order", "checkout"}
    for saga in BUILTIN.values():
        assert check_saga(saga.to_dict()) == saga


# --- the saga's fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Travel", "1travel", "-travel", "travel_booking", "trävel", "a" * 41, "", 7, None]
)
def test_saga_name_pattern(name: Any) -> None:
    field, message = only(changed(("name", name)))
    assert field == "name"
    assert message == "must be a-z first, then a-z, 0-9 or -, at most 40 characters"


@pytest.mark.parametrize("name", ["t", "travel-2", "a" * 40])
def test_saga_names_that_fit_the_pattern(name: str) -> None:
    assert check_saga(changed(("name", name))).name == name


def test_saga_name_is_required() -> None:
    assert only(changed(("name", ...)))[0] == "name"


@pytest.mark.parametrize("title", ["", "   ", "x" * 81, "tab\there", 3])
def test_title_is_short_printable_text(title: Any) -> None:
    assert only(changed(("title", title))) == (
        "title",
        "must be text of 1 to 80 printable characters",
    )


@pytest.mark.parametrize("description", ["x" * 1001, "two\nlines", ["a"]])
def test_description_is_printable_text_up_to_1000(description: Any) -> None:
    assert only(changed(("description", description))) == (
        "description",
        "must be text of at most 1000 printable characters",
    )


def test_unknown_saga_fields_are_named() -> None:
    assert only(changed(("owner", "me"))) == (
        "owner",
        "is not a saga field (name, title, description, steps)",
    )


@pytest.mark.parametrize("definition", [[], "travel", 3, None])
def test_a_definition_must_be_an_object(definition: Any) -> None:
    assert only(definition) == ("saga", "must be an object {name, title, description, steps}")


@pytest.mark.parametrize("count", [0, 1, 9])
def test_two_to_eight_steps(count: int) -> None:
    step = {"service": "S", "unit": "u", "capacity": 1, "kind": "compensatable"}
    steps = [{**step, "name": f"s{i}"} for i in range(count)]
    assert only(changed(("steps", steps))) == ("steps", "must list 2 to 8 steps")


def test_eight_steps_are_allowed_and_steps_must_be_a_list() -> None:
    step = {"service": "S", "unit": "u", "capacity": 1, "kind": "compensatable"}
    assert len(check_saga(changed(("steps", [{**step, "name": f"s{i}"} for i in range(8)])))
               .steps) == 8  # fmt: skip
    assert only(changed(("steps", {"a": step}))) == ("steps", "must list 2 to 8 steps")
    assert only(changed(("steps", ...))) == ("steps", "must list 2 to 8 steps")


# --- a step's fields ---------------------------------------------------------------------


def test_a_step_must_be_an_object() -> None:
    assert only(changed(("steps.1", "verify"))) == (
        "steps.1",
        "must be an object {name, service, unit, capacity, failure_rate, kind}",
    )


@pytest.mark.parametrize(
    "name", ["Flight", "1flight", "book-flight", "_x", "x" * 21, "", None, 3, "flight "]
)
def test_step_name_pattern(name: Any) -> None:
    assert only(changed(("steps.2.name", name))) == (
        "steps.2.name",
        "must be a-z first, then a-z, 0-9 or _, at most 20 characters (e.g. book_flight)",
    )


@pytest.mark.parametrize("name", RESERVED)
def test_step_names_of_the_other_actors_are_reserved(name: str) -> None:
    assert only(changed(("steps.1.name", name))) == (
        "steps.1.name",
        "is the name of another actor (orchestrator, bus, monitor, client)",
    )


def test_step_names_are_unique_and_the_later_one_is_named() -> None:
    assert only(changed(("steps.3.name", "reserve"))) == (
        "steps.3.name",
        "is already the name of step 0",
    )


@pytest.mark.parametrize("service", ["", " Payments", "Payments ", "Pay-ments", "x" * 33, 5])
def test_service_is_a_display_name(service: Any) -> None:
    assert only(changed(("steps.0.service", service))) == (
        "steps.0.service",
        "must be a name of letters, digits and spaces, at most 32",
    )


def test_service_names_that_fit() -> None:
    saga = check_saga(changed(("steps.0.service", "A" * 32), ("steps.1.service", "Svc 2")))
    assert saga.steps[0].service == "A" * 32


@pytest.mark.parametrize("unit", ["", "Seat", "seat2", " seat", "x" * 21, None])
def test_unit_is_a_short_noun(unit: Any) -> None:
    assert only(changed(("steps.0.unit", unit))) == (
        "steps.0.unit",
        "must be a short noun: a-z and spaces, at most 20 (e.g. seat)",
    )


@pytest.mark.parametrize("capacity", [-1, MAX_CAPACITY + 1, 2.5, "10", True, float("inf"), [3]])
def test_capacity_is_a_whole_number_in_range_or_null(capacity: Any) -> None:
    assert only(changed(("steps.0.capacity", capacity))) == (
        "steps.0.capacity",
        "must be a whole number from 0 to 1,000,000,000, or null (the step holds nothing)",
    )


@pytest.mark.parametrize(("capacity", "held"), [(0, 0), (MAX_CAPACITY, MAX_CAPACITY), (4.0, 4)])
def test_capacities_that_fit(capacity: Any, held: int) -> None:
    step = check_saga(changed(("steps.0.capacity", capacity))).steps[0]
    assert step.capacity == held and type(step.capacity) is int and step.holds


def test_a_missing_or_null_capacity_means_the_step_holds_nothing() -> None:
    saga = check_saga(changed(("steps.0.capacity", ...)))
    assert saga.steps[0].capacity is None and not saga.steps[0].holds
    assert "reserve" not in saga.holding


@pytest.mark.parametrize("rate", [-0.01, 1.01, "0.1", None, True, float("nan")])
def test_failure_rate_is_a_number_from_0_to_1(rate: Any) -> None:
    assert only(changed(("steps.4.failure_rate", rate))) == (
        "steps.4.failure_rate",
        "must be a number from 0 to 1 (the chance a try fails)",
    )


@pytest.mark.parametrize("kind", ["Pivot", "compensable", "", None, 1])
def test_kind_is_one_of_three(kind: Any) -> None:
    assert only(changed(("steps.0.kind", kind))) == (
        "steps.0.kind",
        "must be one of compensatable, pivot, retriable",
    )


def test_a_step_wrong_in_one_field_still_counts_in_the_kinds_order() -> None:
    """The pivot with a bad name is still the pivot: the retriable steps after it are in
    their place (only the name is wrong), and a second pivot is still a second one."""
    assert only(changed(("steps.2.name", "Charge"))) == (
        "steps.2.name",
        "must be a-z first, then a-z, 0-9 or _, at most 20 characters (e.g. book_flight)",
    )
    assert errors(changed(("steps.2.unit", "€"), ("steps.3.kind", "pivot"))) == {
        "steps.2.unit": "must be a short noun: a-z and spaces, at most 20 (e.g. seat)",
        "steps.3.kind": "a saga has at most one pivot (step 2 is one)",
    }


def test_unknown_step_fields_are_named() -> None:
    assert only(changed(("steps.2.timeout", 3))) == (
        "steps.2.timeout",
        "is not a step field (name, service, unit, capacity, failure_rate, kind, words)",
    )


# --- the kinds' order --------------------------------------------------------------------


def test_at_most_one_pivot() -> None:
    field, message = only(changed(("steps.3.kind", "pivot")))
    assert (field, message) == ("steps.3.kind", "a saga has at most one pivot (step 2 is one)")


def test_a_retriable_step_must_come_after_the_pivot() -> None:
    assert only(changed(("steps.1.kind", "retriable"))) == (
        "steps.1.kind",
        "a retriable step must come after the pivot",
    )
    # without any pivot, every retriable step is named
    found = errors(changed(("steps.2.kind", "compensatable")))
    assert found == {
        "steps.3.kind": "a retriable step must come after the pivot",
        "steps.4.kind": "a retriable step must come after the pivot",
    }


def test_a_compensatable_step_must_come_before_the_pivot() -> None:
    assert only(changed(("steps.3.kind", "compensatable"))) == (
        "steps.3.kind",
        "a compensatable step must come before the pivot",
    )


def test_orders_the_taxonomy_allows() -> None:
    def kinds(*ks: str) -> dict[str, Any]:
        step = {"service": "S", "unit": "u", "capacity": 1}
        return {"name": "k", "steps": [{**step, "name": f"s{i}", "kind": k}
                                       for i, k in enumerate(ks)]}  # fmt: skip

    for ok in [("compensatable", "compensatable"), ("pivot", "retriable"),
               ("compensatable", "pivot"), ("pivot", "retriable", "retriable")]:  # fmt: skip
        assert check_saga(kinds(*ok)).pivot == ("s" + str(ok.index("pivot")) if "pivot" in ok
                                                else None)  # fmt: skip
    assert only(kinds("retriable", "pivot")) == (
        "steps.0.kind",
        "a retriable step must come after the pivot",
    )


# --- words -------------------------------------------------------------------------------


def test_words_must_be_an_object() -> None:
    assert only(changed(("steps.0.words", ["done"]))) == (
        "steps.0.words",
        "must be an object of words (" + ", ".join(WORDS) + ")",
    )


def test_unknown_words_are_named() -> None:
    assert only(changed(("steps.0.words", {"shout": "Hey"}))) == (
        "steps.0.words.shout",
        "is not a word of a step (" + ", ".join(WORDS) + ")",
    )


@pytest.mark.parametrize("word", ["", "  ", "x" * 61, "new\nline", 3])
def test_a_word_is_short_printable_text(word: Any) -> None:
    assert only(changed(("steps.1.words", {"done": word}))) == (
        "steps.1.words.done",
        "must be text of 1 to 60 printable characters",
    )


# --- many errors at once -----------------------------------------------------------------


def test_every_wrong_field_is_named_at_once_in_field_order() -> None:
    steps = copy.deepcopy(GOOD["steps"]) * 2  # 10 steps: too many
    assert only(changed(("steps", steps))) == ("steps", "must list 2 to 8 steps")
    bad = changed(
        ("name", "Bad"),
        ("steps.0.unit", "Seat"),
        ("steps.0.kind", "pivot"),
        ("steps.1.capacity", -1),
        ("steps.4.failure_rate", 2),
    )
    bad["steps"] += [copy.deepcopy(GOOD["steps"][0]) for _ in range(3)]
    for i in (5, 6, 7):
        bad["steps"][i]["name"] = f"extra{i}"
    found = errors(bad)
    # step 0 is the pivot, though its unit is wrong too: the order is judged from it
    expected = {
        "name": "must be a-z first, then a-z, 0-9 or -, at most 40 characters",
        "steps.0.unit": "must be a short noun: a-z and spaces, at most 20 (e.g. seat)",
        "steps.1.capacity": "must be a whole number from 0 to 1,000,000,000, or null (the "
        "step holds nothing)",
        "steps.1.kind": "a compensatable step must come before the pivot",
        "steps.2.kind": "a saga has at most one pivot (step 0 is one)",
        "steps.4.failure_rate": "must be a number from 0 to 1 (the chance a try fails)",
        "steps.5.kind": "a compensatable step must come before the pivot",
        "steps.6.kind": "a compensatable step must come before the pivot",
        "steps.7.kind": "a compensatable step must come before the pivot",
    }
    assert found == expected and list(found) == list(expected)  # in the fields' order
    assert str(SagaError(found)).startswith("name: must be a-z first")


def test_field_order_is_by_step_number_not_text() -> None:
    step = {"service": "S", "unit": "u", "capacity": 1, "kind": "compensatable"}
    steps = [{**step, "name": f"s{i}"} for i in range(8)]
    steps[2]["unit"] = steps[7]["unit"] = "U"
    assert list(errors(changed(("steps", steps)))) == ["steps.2.unit", "steps.7.unit"]


# --- files -------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def test_a_yaml_file_and_a_json_file_give_the_same_saga(tmp_path: Path) -> None:
    from_yaml = load_saga_file(write(tmp_path, "food.yaml", yaml.safe_dump(GOOD)))
    from_yml = load_saga_file(write(tmp_path, "food.YML", yaml.safe_dump(GOOD)))
    from_json = load_saga_file(write(tmp_path, "food.json", json.dumps(GOOD)))
    assert from_yaml == from_yml == from_json == check_saga(GOOD)


def test_a_bad_definition_in_a_file_names_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "food.yaml", yaml.safe_dump(changed(("steps.3.kind", "pivot"))))
    with pytest.raises(SagaError) as caught:
        load_saga_file(path)
    assert caught.value.errors == {"steps.3.kind": "a saga has at most one pivot (step 2 is one)"}


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    text = "name: food\nsteps:\n  - name: a\n    kind: [pivot\n  - name: b\n"
    with pytest.raises(SagaError) as caught:
        load_saga_file(write(tmp_path, "food.yaml", text))
    ((field, message),) = caught.value.errors.items()
    assert field == "saga"
    assert message.startswith("is not YAML (line 5): ")


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    text = '{\n  "name": "food",\n  "steps": [\n    {"name": "a",}\n  ]\n}\n'
    with pytest.raises(SagaError) as caught:
        load_saga_file(write(tmp_path, "food.json", text))
    assert caught.value.errors == {"saga": "is not JSON (Expecting property name enclosed in "
                                   "double quotes, line 4)"}  # fmt: skip


def test_a_yaml_list_or_an_empty_file_is_not_a_definition(tmp_path: Path) -> None:
    for text in ("- a\n- b\n", ""):
        with pytest.raises(SagaError) as caught:
            load_saga_file(write(tmp_path, "list.yaml", text))
        assert caught.value.errors == {
            "saga": "must be an object {name, title, description, steps}"
        }


def test_yaml_is_read_with_the_safe_loader() -> None:
    with pytest.raises(SagaError) as caught:
        parse_saga_text("!!python/object/apply:os.system ['true']\n")
    assert caught.value.errors["saga"].startswith("is not YAML")


@pytest.mark.parametrize("case", ["missing", "directory", "not utf-8", "too large"])
def test_unreadable_files_say_why(tmp_path: Path, case: str) -> None:
    if case == "missing":
        path, why = str(tmp_path / "nope.yaml"), "cannot read {p}: No such file or directory"
    elif case == "directory":
        (tmp_path / "dir.yaml").mkdir()
        path, why = str(tmp_path / "dir.yaml"), "cannot read {p}: Is a directory"
    elif case == "not utf-8":
        path, why = (
            write(tmp_path, "latin.yaml", "name: caf\xe9\n".encode("latin-1")),
            ("{p} is not UTF-8 text"),
        )
    else:
        path = write(tmp_path, "big.yaml", "#" * (MAX_FILE_BYTES + 1))
        why = "{p} is larger than 256 KiB"
    with pytest.raises(SagaError) as caught:
        load_saga_file(path)
    assert caught.value.errors == {"saga": why.format(p=path)}


# --- the command line --------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_runs_a_saga_from_a_yaml_file(tmp_path: Path) -> None:
    path = write(tmp_path, "food.yaml", yaml.safe_dump(GOOD, sort_keys=False))
    done = cli("--saga", path, "--bookings", "3", "--format", "summary")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert set(summary["inventory"]) == {"reserve", "charge", "deliver"}
    assert summary["sagas"]["submitted"] == 3


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("pivots.yaml", yaml.safe_dump(changed(("steps.3.kind", "pivot"))),
         "steps.3.kind: a saga has at most one pivot (step 2 is one)"),
        ("retry.json", json.dumps(changed(("steps.1.kind", "retriable"))),
         "steps.1.kind: a retriable step must come after the pivot"),
        ("syntax.yaml", "name: [x\n", "saga: is not YAML (line 2): "),
        ("syntax.json", '{"name": }', "saga: is not JSON (Expecting value, line 1)"),
        ("two.yaml", yaml.safe_dump(changed(("name", "X"), ("steps.0.unit", "Seat"))),
         "name: must be a-z first, then a-z, 0-9 or -, at most 40 characters; steps.0.unit: "),
    ],
)  # fmt: skip
def test_cli_bad_saga_file_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, name: str, text: str, says: str
) -> None:
    path = write(tmp_path, name, text)
    done = cli("--saga", path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"python -m sim: --saga: {path}: {says}")


def test_cli_unreadable_or_unknown_saga_exits_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    done = cli("--saga", missing)
    assert (done.returncode, done.stderr) == (
        2,
        f"python -m sim: --saga: {missing}: saga: cannot read {missing}: "
        "No such file or directory\n",
    )
    done = cli("--saga", "shop")
    assert (done.returncode, done.stderr) == (
        2,
        "python -m sim: --saga: 'shop' is neither a built-in saga (travel, create-order, "
        "checkout) nor a .yaml/.yml/.json file\n",
    )


def test_cli_params_of_another_saga_name_the_step(tmp_path: Path) -> None:
    path = write(tmp_path, "food.yaml", yaml.safe_dump(GOOD))
    done = cli("--saga", path, "--set", "services.car.failure_rate=0.5")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "services.car.failure_rate: is not a known parameter" in done.stderr
    done = cli("--saga", path, "--plan", "BOOK002:car")
    assert done.returncode == 2
    assert "plan.BOOK002: must list steps from reserve, check_address, charge, cook, deliver" in (
        done.stderr
    )


def test_cli_lists_the_builtin_sagas() -> None:
    done = cli("--list-sagas")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["travel", "create-order", "checkout"]
    assert "authorize_card (pivot)" in lines[1] and "notify (retriable)" in lines[2]
