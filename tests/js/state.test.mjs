// static/js/state.js: the reducer every view draws from, checked against sim's own summary.
import assert from "node:assert/strict";
import test from "node:test";
import { applyEvent, applyEvents, CHECK_NAMES, createState, OUTCOMES, stateAt }
  from "../../static/js/state.js";
import VOCABULARY from "../../static/js/vocabulary.js";
import { trace } from "./python.mjs";

const PRESETS = ["tutorial", "tutorial-choreography-gap", "compensation-fails",
  "wrong-compensation-order", "orchestrator-crash-durable-log", "retry-not-idempotent"];

for (const preset of PRESETS) {
  test(`the state after every event of ${preset} is sim's summary`, () => {
    const events = trace("--preset", preset);
    const state = applyEvents(createState(), events);
    const { summary, params } = { ...events.at(-1), params: events[0].params };
    assert.equal(state.finished, true);
    assert.equal(state.mode, params.mode);
    assert.equal(state.seq, events.at(-1).seq);
    assert.equal(state.events, events.length);
    for (const step of VOCABULARY.steps) {
      assert.equal(state.inventory[step], summary.inventory[step].available, step);
      assert.equal(state.capacity[step], summary.inventory[step].capacity, step);
    }
    for (const outcome of OUTCOMES) {
      assert.equal(state.outcomes[outcome], summary.sagas[outcome], outcome);
      const ended = [...state.sagas.values()].filter((s) => s.outcome === outcome);
      assert.equal(ended.length, summary.sagas[outcome], outcome);
    }
    assert.deepEqual(Object.keys(state.invariants), CHECK_NAMES);
    for (const check of CHECK_NAMES) {
      const inv = state.invariants[check];
      assert.equal(inv.ok, summary.invariants[check].ok, check);
      for (const id of summary.invariants[check].sagas) assert.ok(inv.sagas.includes(id), id);
    }
  });
}

test("stateAt(t) is the fold of exactly the events up to t", () => {
  const events = trace("--preset", "orchestrator-crash-durable-log");
  const end = events.at(-1).t;
  for (const t of [0, end / 7, end / 3, end / 2, end, end + 1]) {
    const prefix = events.filter((e) => e.t <= t);
    assert.deepEqual(stateAt(events, t), applyEvents(createState(), prefix), `t=${t}`);
  }
});

test("a saga's steps move through the forward and compensation states", () => {
  const state = createState();
  const at = (t, kind, step, more = {}) =>
    applyEvent(state, { seq: t, t, kind, saga: "BOOK001", step, ...more });
  at(0, "saga.started", null);
  const saga = state.sagas.get("BOOK001");
  assert.equal(saga.outcome, "running");
  at(1, "step.started", "flight", { attempt: 1 });
  assert.equal(saga.steps.flight.fwd, "pending");
  at(2, "step.succeeded", "flight", { inventory: { flight: 9 } });
  assert.equal(saga.steps.flight.fwd, "ok");
  assert.deepEqual(state.inventorySeries.flight, { x: [2], y: [9] });
  at(3, "step.failed", "hotel", { reason: "sold_out" });
  assert.deepEqual([saga.steps.hotel.fwd, saga.steps.hotel.reason], ["failed", "sold_out"]);
  at(4, "saga.compensating", null);
  assert.equal(saga.outcome, "compensating");
  at(5, "compensation.started", "flight");
  at(6, "compensation.succeeded", "flight", { units: 1, inventory: { flight: 10 } });
  assert.deepEqual([saga.steps.flight.comp, saga.steps.flight.compRank], ["done", 1]);
  at(7, "saga.compensated", null);
  assert.deepEqual([saga.outcome, saga.ended], ["compensated", 7]);
  assert.equal(state.outcomes.compensated, 1);
  assert.deepEqual(state.outcomeSeries.x, [7]);
});

test("an invariant violation marks the check and the saga", () => {
  const state = createState();
  applyEvent(state, { seq: 0, t: 1, kind: "invariant.violated", saga: "BOOK004",
    check: "order", detail: "BOOK004 undid flight before hotel" });
  assert.deepEqual(state.invariants.order, { ok: false, sagas: ["BOOK004"],
    detail: "BOOK004 undid flight before hotel" });
  assert.deepEqual(state.sagas.get("BOOK004").violations, ["order"]);
  assert.ok(CHECK_NAMES.filter((c) => c !== "order").every((c) => state.invariants[c].ok));
});

test("actors go down and come back", () => {
  const state = createState();
  applyEvent(state, { seq: 0, t: 1, kind: "actor.crashed", actor: "orchestrator" });
  assert.equal(state.actors.orchestrator, "down");
  applyEvent(state, { seq: 1, t: 2, kind: "actor.restarted", actor: "orchestrator" });
  assert.equal(state.actors.orchestrator, "up");
});

test("the tutorial's sample run, mid-way and at the end, in one batch or two", () => {
  const events = trace("--preset", "tutorial", "--plan",
    "BOOK002:flight,BOOK003:flight,BOOK004:car,BOOK005:car");
  const mid = stateAt(events, 10.1);
  const book4 = mid.sagas.get("BOOK004");
  assert.deepEqual([book4.outcome, book4.steps.hotel.comp, book4.steps.flight.comp],
    ["compensating", "done", "pending"]);
  assert.deepEqual(mid.inventory, { flight: 8, hotel: 4, car: 2 });
  const end = stateAt(events, 1e9);
  assert.deepEqual(end.inventory, { flight: 9, hotel: 4, car: 2 });
  assert.deepEqual(end.outcomes, { completed: 1, compensated: 4, stuck: 0, flagged: 0 });
  assert.equal(end.finished, true);
  const batched = applyEvents(applyEvents(createState(), events.slice(0, 20)), events.slice(20));
  assert.deepEqual(batched, end);
});
