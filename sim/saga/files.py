"""Saga definitions in files: YAML (PyYAML's safe loader) or JSON, checked by the one schema."""

from __future__ import annotations

import json
import os

from sim.saga.definition import Saga
from sim.saga.rules import SagaError, check_saga

MAX_FILE_BYTES = 256 * 1024


def parse_saga_text(text: str, yaml_text: bool = True) -> Saga:
    """A Saga from the text of a file; SagaError names the field or the line that is wrong.
    (PyYAML is imported here, not with sim/: a run that reads no file does not pay for it.)"""
    import yaml

    try:
        raw = yaml.safe_load(text) if yaml_text else json.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise SagaError({"saga": f"is not YAML{where}: {getattr(exc, 'problem', exc)}"}) from None
    except json.JSONDecodeError as exc:
        raise SagaError({"saga": f"is not JSON ({exc.msg}, line {exc.lineno})"}) from None
    except RecursionError:  # lists in lists a thousand deep: no saga, and no crash
        raise SagaError({"saga": "nests lists or objects too deeply to be a saga"}) from None
    return check_saga(raw)


def load_saga_file(path: str) -> Saga:
    """A Saga from a .yaml, .yml or .json file."""
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise SagaError({"saga": f"{path} is larger than {MAX_FILE_BYTES // 1024} KiB"})
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise SagaError({"saga": f"cannot read {path}: {exc.strerror}"}) from None
    except UnicodeDecodeError:
        raise SagaError({"saga": f"{path} is not UTF-8 text"}) from None
    return parse_saga_text(text, yaml_text=not path.lower().endswith(".json"))
