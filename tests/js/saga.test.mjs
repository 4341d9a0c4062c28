// static/js/saga.js: the page's model of a run's saga, from the definition the run carries.
import assert from "node:assert/strict";
import test from "node:test";
import { sagaOf } from "../../static/js/saga.js";
import { trace } from "./python.mjs";

test("a run without a saga (stored before sagas were data) is a run of travel", () => {
  const saga = sagaOf(null);
  assert.equal(saga.name, "travel");
  assert.deepEqual(saga.names, ["flight", "hotel", "car"]);
  assert.deepEqual(saga.steps.map((s) => s.words.short), ["flt", "htl", "car"]);
  assert.deepEqual(saga.holding, ["flight", "hotel", "car"]);
  assert.equal(saga.pivot, "car");
  assert.equal(saga.byName.car.mark, "◆");
  assert.equal(saga.actorName("hotel"), "HotelService");
  assert.equal(saga.actorName("orchestrator"), "SagaOrchestrator");
  assert.deepEqual(saga.faultActors("choreography"), ["flight", "hotel", "car"]);
});

test("a create-order run carries its six steps, their kinds, units and short heads", () => {
  const [started] = trace("--saga", "create-order", "--bookings", "1");
  const saga = sagaOf(started.params);
  assert.equal(saga.name, "create-order");
  assert.equal(saga.steps.length, 6);
  assert.deepEqual(saga.holding, ["create_order", "create_ticket"]);
  assert.deepEqual(saga.holding, Object.keys(started.inventory));
  assert.equal(saga.pivot, "authorize_card");
  assert.deepEqual(saga.steps.map((s) => s.mark), ["", "", "", "◆", "↻", "↻"]);
  const shorts = saga.steps.map((s) => s.words.short);
  assert.equal(new Set(shorts).size, 6);
  assert.ok(shorts.every((s) => s.length <= 4));
  assert.equal(saga.byName.verify_consumer.holds, false);
  assert.equal(saga.actorName("create_ticket"), "Kitchen Service");
  assert.deepEqual(saga.faultActors("orchestration")[0], "orchestrator");
});
