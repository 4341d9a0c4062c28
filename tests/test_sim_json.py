"""to_json: orjson on the hot path, byte for byte what the stdlib's json.dumps writes."""

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.trace.events import JsonlSink, to_json
from sim.trace.vocabulary import EVENT_KINDS


def stdlib(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


texts = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
# what trace events carry besides `t`: no floats except in run.started / run.finished
values = st.one_of(
    texts,
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond orjson's 64 bits too
    st.dictionaries(st.sampled_from(["flight", "hotel", "car"]), st.integers(0, 10**9)),
)
floats = st.floats(allow_nan=False, allow_infinity=False)
events = st.fixed_dictionaries(
    {
        "seq": st.integers(0, 10**9),
        "t": st.one_of(
            st.just(0),
            st.floats(min_value=0, max_value=1e12, allow_nan=False),
            st.floats(min_value=1e-7, max_value=1e-4),  # where orjson writes 0.00001
        ),
        "kind": st.sampled_from(sorted(EVENT_KINDS)),
        "saga": texts,
        "actor": texts,
        "step": st.sampled_from([None, "flight", "hotel", "car"]),
    },
    optional={"attempt": st.integers(1, 5), "reason": texts, "detail": values, "units": values},
)


@settings(max_examples=1500, deadline=None)
@given(events)
def test_to_json_writes_what_json_dumps_writes(event):
    assert to_json(event) == stdlib(event)


@settings(max_examples=300, deadline=None)
@given(events, st.sampled_from(["run.started", "run.finished"]), st.lists(floats, max_size=4))
def test_the_kinds_that_carry_any_float_are_written_as_json_dumps_does(event, kind, numbers):
    event = {**event, "kind": kind, "params": {"rates": numbers}, "summary": {"time": numbers}}
    assert to_json(event) == stdlib(event)


@settings(max_examples=50, deadline=None)
@given(st.lists(events, max_size=40), st.integers(1, 7))
def test_jsonl_sink_writes_one_line_per_event_in_chunks(batch, chunk):
    out = io.StringIO()
    sink = JsonlSink(out, chunk=chunk)
    for event in batch:
        sink(event)
    sink.close()
    assert out.getvalue() == "".join(stdlib(e) + "\n" for e in batch)
