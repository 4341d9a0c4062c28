// static/js/state.js keeps the causes (units held, reasons, no-op undos, anomalies, downtime):
// folded from real traces that `python -m sim` prints.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Checkpoints } from "../../static/js/checkpoints.js";
import { applyEvents, createState, downActors } from "../../static/js/state.js";
import { trace } from "./python.mjs";

const fold = (events) => applyEvents(createState(), events);

test("a non-idempotent retry after a crash holds two units", () => {
  const s = fold(trace("--preset", "orchestrator-crash-no-log"));
  const steps = s.sagas.get("BOOK002").steps;
  assert.equal(steps.flight.held, 2);
  assert.equal(steps.hotel.held, 2);
  assert.equal(s.sagas.get("BOOK001").steps.flight.held, 1);
});

test("a forward-order undo finds no room: a no-op undo and a leaked room", () => {
  const hotel = fold(trace("--preset", "wrong-compensation-order")).sagas.get("BOOK004").steps.hotel;
  assert.equal(hotel.comp, "noop");
  assert.equal(hotel.compReason, "not_found");
  assert.equal(hotel.held, 1);
});

test("an isolation anomaly relates the refused saga and the holder", () => {
  const s = fold(trace("--preset", "no-isolation"));
  const refused = s.sagas.get("BOOK002");
  assert.equal(refused.steps.hotel.heldBy, "BOOK001");
  assert.equal(refused.steps.hotel.reason, "sold_out");
  assert.deepEqual(refused.related, ["BOOK001"]);
  assert.deepEqual(s.sagas.get("BOOK001").related, ["BOOK002"]);
});

test("retries and lost replies are counted per step", () => {
  const s = fold(trace("--preset", "retry-not-idempotent"));
  const steps = [...s.sagas.values()].flatMap((g) => Object.values(g.steps));
  assert.ok(steps.some((st) => st.retries > 0));
  assert.ok(steps.some((st) => st.lost > 0));
  assert.ok(steps.some((st) => st.held > 1));
});

test("downtime spells carry the automatic restart time and close on restart", () => {
  const events = trace("--preset", "tutorial", "--fault", "4.2:crash:orchestrator");
  const crashed = events.findIndex((e) => e.kind === "actor.crashed");
  const during = fold(events.slice(0, crashed + 1));
  assert.deepEqual(downActors(during).map((d) => [d.actor, d.from, d.restartAt]),
    [["orchestrator", 4.2, 9.2]]);
  const after = fold(events);
  assert.deepEqual(downActors(after), []);
  assert.deepEqual(after.downtime.map((d) => [d.from, d.to]), [[4.2, 9.2]]);
});

test("checkpoints restore the new fields as a full fold does", () => {
  const events = trace("--preset", "no-isolation");
  const marks = Checkpoints.of(events, 5);
  for (let n = events.length; n >= 0; n -= 1) { // late first: a shared saga must not change
    const want = fold(events.slice(0, n));
    const got = marks.stateAfter(n);
    assert.deepEqual([...got.sagas.values()], [...want.sagas.values()], `after ${n} events`);
    assert.deepEqual(got.downtime, want.downtime);
  }
});
