// static/js/caption.js: the narrated line under the controls.
import assert from "node:assert/strict";
import test from "node:test";
import { narrate } from "../../static/js/caption.js";
import { trace } from "./python.mjs";

const events = trace("--preset", "car-no-retry");

test("the caption narrates the latest event the transcript has words for", () => {
  const first = events.findIndex((e) => e.kind === "step.succeeded");
  const told = narrate(events, first);
  assert.equal(told.seq, first);
  assert.equal(told.saga, events[first].saga);
  assert.match(told.text, /^\[0\.\d\] /);
  assert.equal(narrate(events, -1), null);
});

test("at the end, how the sagas ended comes first, then the inventory", () => {
  const end = events[events.length - 1];
  assert.equal(end.kind, "run.finished");
  const { text } = narrate(events, end.seq);
  const { completed, compensated, flagged } = end.summary.sagas;
  const parts = text.replace(/^\[[\d.]+\] /, "").split(" — ");
  assert.deepEqual(parts.slice(0, 2),
    [`Completed sagas: ${completed}`, `Failed sagas: ${compensated + flagged}`]);
  assert.match(parts[2], /^Flight seats available: \d+\/\d+$/);
  assert.ok(!text.includes("Final State"));
});
