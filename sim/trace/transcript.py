"""Renders trace events as the tutorial's console log, line for line, from the TRANSCRIPT table
of sim/trace/vocabulary.py (static/js/transcript.js reads the same table in the browser).

The table is compiled once, at import, into one small Python function per event kind (print
`SOURCE` to read them): as fast as hand-written f-strings, with the table as the only source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sim.trace.events import Event
from sim.trace.vocabulary import TRANSCRIPT, index_by

TABLES: dict[str, Any] = TRANSCRIPT["tables"]
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
Scope = dict[str, str]  # name -> the Python expression that reads it


def _key(value: Any, key: Any) -> Any:
    """value[key], or None when value is not a mapping or has no such key."""
    return value.get(key) if isinstance(value, dict) else None


HELPERS: dict[str, Any] = {
    "T": TABLES,
    "_key": _key,
    "_index": index_by,
    "_count": lambda v: len(v) if isinstance(v, dict) else None,
    "_words": lambda v: None if v is None else str(v).replace("_", " "),
    "_list": lambda v: None if v is None else ", ".join(str(x) for x in v[:5]),
}


def _name(name: str, scope: Scope, record: str) -> str:
    """A loop or join variable, a remembered value (`env`), a table or a field of the record."""
    if name in scope:
        return scope[name]
    if name in TRANSCRIPT["memory"]:
        return f"env[{name!r}]"
    if name in TABLES:
        return f"T[{name!r}]"
    return f"{record}.get({name!r})"


def _path(path: str, scope: Scope, record: str) -> str:
    first, *keys = path.strip().split(".")
    code = _name(first, scope, record)
    for key in keys:
        code = f"_key({code}, {_name(key[1:], scope, record) if key[0] == '$' else repr(key)})"
    return code


def _expr(expr: str, scope: Scope, record: str) -> str:
    """`alt ?? alt | filter | ...`, each alt a sum `path + path`."""
    alts, *filters = expr.split(" | ")
    sums = [
        "(" + " + ".join(_path(p, scope, record) for p in a.split(" + ")) + ")"
        for a in alts.split("??")
    ]
    code = sums[-1]
    for alt in reversed(sums[:-1]):
        code = f"(_v if (_v := {alt}) is not None else {code})"
    for name in (f.strip() for f in filters):
        code = (
            f"_{name}({code})"
            if f"_{name}" in HELPERS
            else f"(T[{name!r}].get(_t, _t) if (_t := {code}) is not None else None)"
        )
    return code


def _text(text: str, scope: Scope, record: str = "rec") -> str:
    """The template as a Python expression; a missing value prints as nothing."""
    parts = PLACEHOLDER.split(text)  # literal, expr, literal, expr, ..., literal
    if len(parts) == 1:
        return repr(text)
    fmt = "%s".join(lit.replace("%", "%%") for lit in parts[0::2])
    values = [
        "at" if e == "at" else f'("" if (_v := {_expr(e, scope, record)}) is None else _v)'
        for e in parts[1::2]
    ]
    return f"{fmt!r} % ({', '.join(values)},)"


def _condition(cond: str, scope: Scope, record: str = "rec") -> str:
    """`path`, `path=value`, `path!=value` or `path>number`; a leading `!` negates."""
    if cond.startswith("!") and not cond.startswith("!="):
        return f"not ({_condition(cond[1:], scope, record)})"
    for op, python in (("!=", "!="), ("=", "=="), (">", ">")):
        if op in cond:
            left, right = cond.split(op, 1)
            if op == ">":
                return f"({_path(left, scope, record)} or 0) > {float(right)!r}"
            return f"str({_path(left, scope, record)}) {python} {right!r}"
    return f"{_path(cond, scope, record)}"


def _when(conds: list[str], scope: Scope, record: str = "rec") -> str:
    return " and ".join(f"({_condition(c, scope, record)})" for c in conds) or "True"


def _line(spec: dict[str, Any]) -> list[str]:
    """Python statements that append one line spec's lines to `out`."""
    if "set" in spec:
        value = _path(spec["to"], {}, "rec")
        if "by" in spec:
            value = f"_index(_s, {spec['by']!r}) if (_s := {value}) is not None else None"
        return [f"if (_s := {value}) is not None:", f"    env[{spec['set']!r}] = _s"]
    scope: Scope = {"at": "at"}
    code: list[str] = []
    if "join" in spec:
        join, item_scope = spec["join"], {"key": "key"}
        code += [
            f"items = [{_text(join['text'], item_scope, 'item')}"
            f" for key, item in ({_path(join['over'], scope, 'rec')} or {{}}).items()"
            f" if {_when(join['when'], item_scope, 'item')}]",
            "if items:",
            f"    items = {join['sep']!r}.join(items)",
        ]
        scope["items"] = "items"
    indent = "    " if code else ""
    if spec.get("each"):
        code.append(f"{indent}for {spec['each']} in ({_path(spec['over'], scope, 'rec')} or ()):")
        scope[spec["each"]] = spec["each"]
        indent += "    "
    text = _text(spec["text"], scope)
    if spec.get("when"):
        code += [f"{indent}if {_when(spec['when'], scope)}:", f"{indent}    out.append({text})"]
    else:
        code.append(f"{indent}out.append({text})")
    return code


def _function(name: str, specs: list[dict[str, Any]]) -> str:
    body = [statement for spec in specs for statement in _line(spec)]
    return "\n    ".join([f"def {name}(rec, env, at):", "out = []", *body, "return out"])


NAMES = {kind: "_" + kind.replace(".", "_") for kind in TRANSCRIPT["kinds"]}
SOURCE = "\n\n".join(_function(NAMES[k], specs) for k, specs in TRANSCRIPT["kinds"].items())
_compiled: dict[str, Any] = dict(HELPERS)
exec(compile(SOURCE, "<sim/trace/vocabulary.py TRANSCRIPT>", "exec"), _compiled)
RULES: dict[str, Callable[[Event, dict[str, Any], str], list[str]]] = {
    kind: _compiled[name] for kind, name in NAMES.items()
}


class TranscriptRenderer:
    """Turns one event at a time into the lines the tutorial's code would have printed."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = dict(TRANSCRIPT["memory"])  # the run's mode

    def lines(self, event: Event) -> list[str]:
        rule = RULES.get(event["kind"])
        return rule(event, self.env, f"[{event['t']:.1f}]") if rule else []


def render(events: Iterable[Event]) -> Iterator[str]:
    """The transcript of a trace, one line at a time."""
    renderer = TranscriptRenderer()
    for event in events:
        yield from renderer.lines(event)
