// static/js/transcript.js: the interpreter of sim/trace/vocabulary.py's TRANSCRIPT table.
import assert from "node:assert/strict";
import test from "node:test";
import { render, Transcript } from "../../static/js/transcript.js";
import { fmtT } from "../../static/js/util.js";
import VOCABULARY from "../../static/js/vocabulary.js";

const params = (mode) => ({ mode });
const inventory = { flight: 10, hotel: 5, car: 3 };
const started = (mode) => ({ seq: 0, t: 0, kind: "run.started", params: params(mode), inventory });

test("run.started names the services and the coordinator of the run's mode", () => {
  assert.deepEqual(render([started("orchestration")]), [
    "[0.0] FlightService started (seats: 10)",
    "[0.0] HotelService started (rooms: 5)",
    "[0.0] CarRentalService started (cars: 3)",
    "[0.0] SagaOrchestrator started",
    "",
  ]);
  assert.equal(render([started("choreography")])[3], "[0.0] EventBus started");
});

test("the run's mode is remembered: saga.started prints differently per mode", () => {
  const saga = { seq: 1, t: 0.5, kind: "saga.started", saga: "BOOK001" };
  const rule = `[0.5] ${"=".repeat(60)}`;
  assert.deepEqual(render([started("orchestration"), saga]).slice(5),
    [rule, "[0.5] Starting saga for Booking(BOOK001)", rule]);
  assert.deepEqual(render([started("choreography"), saga]).slice(5),
    ["[0.5] SagaMonitor: saga BOOK001 started"]);
});

test("lines carry their CSS class, saga and seq", () => {
  const t = new Transcript();
  const [first, second] = t.lines({ seq: 7, t: 3.25, kind: "step.failed", saga: "BOOK002",
    step: "flight", reason: "sold_out" });
  assert.deepEqual(first, { text: "[3.2] FlightService: Booking flight FL123", cls: "",
    saga: "BOOK002", seq: 7 });
  assert.equal(second.text, "[3.2] FlightService: Booking FAILED - no seats");
  assert.equal(second.cls, "fail");
});

test("conditions, lookups with a fallback, filters and unknown kinds", () => {
  const e = { seq: 1, t: 1, saga: "BOOK003", step: "hotel" };
  assert.deepEqual(render([{ ...e, kind: "step.failed", reason: "unavailable" }]).slice(1, 2),
    ["[1.0] HotelService: Booking FAILED - unavailable"]);
  assert.deepEqual(render([{ ...e, kind: "step.started", attempt: 2 }]),
    ["[1.0] Orchestrator: Executing step 2/3: book_hotel (attempt 2)"]);
  assert.deepEqual(render([{ ...e, kind: "compensation.succeeded", units: 0,
    reason: "already_canceled" }])[1], "[1.0] HotelService: Already canceled (idempotent)");
  assert.deepEqual(render([{ ...e, kind: "compensation.failed", reason: "still_down" }])[1],
    "[1.0] HotelService: Compensation FAILED - still down");
  assert.deepEqual(render([{ ...e, kind: "message.delivered" }]), []);
});

test("run.finished: stock per step, sums, and the broken checks joined", () => {
  const summary = {
    inventory: Object.fromEntries(VOCABULARY.steps.map((s) => [s, { available: 1, capacity: 2 }])),
    sagas: { completed: 3, compensated: 1, flagged: 1, stuck: 0 },
    invariants: { conservation: { ok: true, sagas: [] },
      order: { ok: false, sagas: ["B1", "B2", "B3", "B4", "B5", "B6"] } },
  };
  const lines = render([{ seq: 9, t: 9, kind: "run.finished", summary }]);
  assert.deepEqual(lines.slice(4), [
    "Flight seats available: 1/2", "Hotel rooms available: 1/2", "Cars available: 1/2", "",
    "Completed sagas: 3", "Failed sagas: 2", "Needing manual intervention: 1",
    "Invariants violated: order (B1, B2, B3, B4, B5)",
  ]);
});

test("every event kind with a template is a kind of the vocabulary", () => {
  for (const kind of Object.keys(VOCABULARY.transcript.kinds)) {
    assert.ok(VOCABULARY.event_kinds[kind], kind);
  }
});

test("times print like Python's f'{t:.1f}', exact ties to even", () => {
  const cases = { 0: "0.0", 0.05: "0.1", 0.15: "0.1", 0.25: "0.2", 0.75: "0.8", 1.25: "1.2",
    2.45: "2.5", 12.25: "12.2", 7.95: "8.0", 1000000.25: "1000000.2" };
  for (const [t, text] of Object.entries(cases)) assert.equal(fmtT(Number(t)), text, t);
});
