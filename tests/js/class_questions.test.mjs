// node --test: the ready-made questions at a pause, their choices and settling rules.

import assert from "node:assert/strict";
import { test } from "node:test";

import { focusSaga, ownQuestion, suggestions } from "../../static/js/class_questions.js";
import { applyEvents, createState } from "../../static/js/state.js";

const INVENTORY = { flight: 10, hotel: 5, car: 3 };

function run(params, kinds) {
  let seq = 0;
  const events = [{ seq: seq++, t: 0, kind: "run.started", saga: null, actor: null, step: null,
    params: { mode: "orchestration", retries: 0, compensation_failure_rate: 0, ...params },
    inventory: INVENTORY }];
  for (const [kind, saga, step] of kinds) {
    events.push({ seq: seq++, t: seq / 10, kind, saga, actor: step || "orchestrator", step });
  }
  return { state: applyEvents(createState(), events), last: events[events.length - 1] };
}

const CAR_FAILS = [
  ["saga.started", "BOOK003", null], ["step.started", "BOOK003", "flight"],
  ["step.succeeded", "BOOK003", "flight"], ["step.started", "BOOK003", "hotel"],
  ["step.succeeded", "BOOK003", "hotel"], ["step.started", "BOOK003", "car"],
  ["step.failed", "BOOK003", "car"],
];

test("a failed car asks what is undone first: hotel, flight or nothing", () => {
  const { state, last } = run({}, CAR_FAILS);
  const [first, ...rest] = suggestions(state, last);
  assert.equal(first.question, "What will the orchestrator undo first for BOOK003?");
  assert.deepEqual(first.choices, ["hotel", "flight", "nothing"]);
  assert.deepEqual(first.rule, { rule: "first_undo", saga: "BOOK003" });
  assert.deepEqual(rest.map((q) => q.rule.rule), ["saga_outcome"], "no retries: no 'booked?'");
  assert.deepEqual(rest[0].choices, ["completed", "compensated", "stuck"]);
});

test("with retries the failed step may still be booked; flagged is offered when undo can fail",
  () => {
    const { state, last } = run({ retries: 1, compensation_failure_rate: 0.5 }, CAR_FAILS);
    const rules = suggestions(state, last).map((q) => q.rule);
    assert.deepEqual(rules[1], { rule: "step_booked", saga: "BOOK003", step: "car" });
    assert.ok(suggestions(state, last).at(-1).choices.includes("flagged"));
  });

test("a first step that fails has nothing booked to undo", () => {
  const { state, last } = run({}, [["saga.started", "BOOK004", null],
    ["step.started", "BOOK004", "flight"], ["step.failed", "BOOK004", "flight"]]);
  assert.deepEqual(suggestions(state, last)[0].choices, ["flight", "nothing"]);
});

test("a compensation asks whether it succeeds; a crash asks about double booking", () => {
  const undo = run({}, [...CAR_FAILS, ["saga.compensating", "BOOK003", null],
    ["compensation.started", "BOOK003", "hotel"]]);
  const [q] = suggestions(undo.state, undo.last);
  assert.deepEqual(q.rule, { rule: "undo_succeeds", saga: "BOOK003", step: "hotel" });
  const crash = run({}, [["saga.started", "BOOK002", null], ["step.started", "BOOK002", "flight"],
    ["step.succeeded", "BOOK002", "flight"], ["actor.crashed", null, null]]);
  crash.last.actor = "orchestrator";
  assert.equal(focusSaga(crash.state, crash.last), "BOOK002", "the saga in flight");
  const rules = suggestions(crash.state, crash.last).map((s) => s.rule);
  assert.deepEqual(rules[0], { rule: "step_booked", saga: "BOOK002", step: "hotel" });
  assert.deepEqual(rules.at(-1), { rule: "double_booked", saga: "BOOK002" });
});

test("no saga in flight, no suggestion; own questions take one choice a line", () => {
  const { state } = run({}, [["saga.started", "BOOK001", null], ["saga.completed", "BOOK001", null]]);
  assert.deepEqual(suggestions(state, null), []);
  assert.deepEqual(ownQuestion("  Which? ", "a\n\n b \nc"),
    { question: "Which?", choices: ["a", "b", "c"], rule: null });
});
