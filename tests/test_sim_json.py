"""to_json: orjson on the hot path, byte for byte what the stdlib's json.dumps writes."""

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.trace.events import ANY_FLOATS, JsonlSink, plain_time, to_json, to_jsonl
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


@settings(max_examples=300, deadline=None)
@given(st.lists(events, max_size=12))
def test_to_jsonl_writes_each_event_as_to_json_does(batch):
    assert to_jsonl(batch) == "".join(stdlib(e) + "\n" for e in batch).encode()


@settings(max_examples=80, deadline=None)
@given(st.lists(events, max_size=40), st.integers(1, 7), st.integers(1, 600), st.booleans())
def test_jsonl_sink_writes_one_line_per_event_in_batches(batch, size, chunk, binary):
    """Called per event or fed as the tracer feeds it (plain events into its batch, then
    flush; the others through a call), to a text stream or to one with a binary buffer, a
    sink writes every event's line in order."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8") if binary else io.StringIO()
    out.write("before\n")
    sink = JsonlSink(out, chunk=chunk, batch_size=size)
    for i, event in enumerate(batch):
        if i % 2 or not plain_time(event["t"]) or event["kind"] in ANY_FLOATS:
            sink(event)
        else:
            sink.batch.append(event)
            if len(sink.batch) >= sink.batch_size:
                sink.flush()
    sink.close()
    out.flush()
    text = raw.getvalue().decode() if binary else out.getvalue()
    assert text == "before\n" + "".join(stdlib(e) + "\n" for e in batch)


@settings(max_examples=300, deadline=None)
@given(events, st.sampled_from(["run.started", "run.finished"]), st.lists(floats, max_size=4))
def test_a_sink_called_with_a_kind_that_carries_any_float_writes_it_as_json_dumps_does(
    event, kind, numbers
):
    event = {**event, "kind": kind, "params": {"rates": numbers}}
    out = io.StringIO()
    sink = JsonlSink(out)
    sink(event)
    sink.close()
    assert out.getvalue() == stdlib(event) + "\n"


def test_plain_time_is_where_orjson_writes_floats_as_the_stdlib_does():
    assert plain_time(0) and plain_time(0.0001) and plain_time(1e15)
    assert not plain_time(0.00009) and not plain_time(1e-7)
