// What the board's cells say about each lesson's cause, from real traces.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cellView, sagaNote } from "../../static/js/cells.js";
import { applyEvents, createState } from "../../static/js/state.js";
import { trace } from "./python.mjs";

const events = trace;

const fold = (evs) => applyEvents(createState(), evs);
const run = (preset) => fold(events("--preset", preset));

function cell(state, saga, step) {
  const s = state.sagas.get(saga);
  const v = cellView(step, s, s.ended !== null);
  const extras = v.extras.map((x) => ` ${x.text}`).join("");
  return { ...v, text: `${v.icon} ${v.word}${extras}${v.tag ? ` ${v.tag}` : ""}` };
}

function everyCell(state) {
  return [...state.sagas.values()].flatMap((s) =>
    ["flight", "hotel", "car"].map((step) => cell(state, s.id, step)));
}

test("orchestrator crash without a log: BOOK002 holds two seats and two rooms", () => {
  const s = run("orchestrator-crash-no-log");
  assert.equal(cell(s, "BOOK002", "flight").text, "✓ booked ×2");
  assert.ok(cell(s, "BOOK002", "hotel").cls.includes("held-multi"));
  assert.ok(!everyCell(run("orchestrator-crash-durable-log")).some((c) => c.cls.includes("held-multi")));
});

test("forward-order undo: the hotel undo found nothing and the room leaked", () => {
  const c = cell(run("wrong-compensation-order"), "BOOK004", "hotel");
  assert.equal(c.text, "∅ found nothing leaked");
  assert.ok(c.cls.includes("leak") && c.cls.includes("comp-noop"));
  assert.ok(!everyCell(run("right-compensation-order")).some((x) => x.cls.includes("leak")));
});

test("choreography gap: BOOK002's seat is still held by a stuck saga", () => {
  const c = cell(run("tutorial-choreography-gap"), "BOOK002", "flight");
  assert.equal(c.text, "✓ booked still held");
  assert.ok(!everyCell(run("tutorial-choreography")).some((x) => x.cls.includes("leak")));
});

test("no isolation: the refused room names the saga that held it", () => {
  const c = cell(run("no-isolation"), "BOOK002", "hotel");
  assert.equal(c.text, "✗ no room: held by BOOK001");
});

test("car retry: cells tried twice say ↻2", () => {
  const texts = everyCell(run("car-retry")).map((c) => c.text);
  assert.ok(texts.includes("✓ booked ↻2"));
  const noRetry = everyCell(run("car-no-retry")).map((c) => c.text);
  assert.ok(noRetry.includes("✗ refused") && !noRetry.some((t) => t.includes("↻")));
});

test("a saga waiting on a crashed orchestrator says so, with the restart countdown", () => {
  const evs = events("--preset", "tutorial", "--fault", "3.4:crash:orchestrator");
  const upto = evs.findIndex((e) => e.kind === "actor.crashed");
  const s = fold(evs.slice(0, upto + 1));
  const waiting = [...s.sagas.values()].filter((g) => g.ended === null);
  assert.ok(waiting.length > 0);
  s.t = 5.2;
  const note = sagaNote(waiting[0], s);
  assert.equal(note.text, "❚❚ waits: orchestrator");
  assert.match(note.title, /crashed at 3.4; back in 3.2 s$/);
});

test("a saga nobody compensates shows its idle time", () => {
  const evs = events("--preset", "tutorial-choreography-gap");
  const s = fold(evs.filter((e) => e.kind !== "saga.stuck" && e.kind !== "run.finished"));
  const note = sagaNote(s.sagas.get("BOOK002"), s);
  assert.equal(note.kind, "idle");
  assert.match(note.text, /^idle \d+\.\d s$/);
});
