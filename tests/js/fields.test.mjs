// static/js/fields.js: the form's layout merged with the server's schema, and the plan's text.
import assert from "node:assert/strict";
import test from "node:test";
import { deepMerge, FAULTS, formatPlan, parsePlan, planExample, serviceFields, withSchema }
  from "../../static/js/fields.js";
import VOCABULARY from "../../static/js/vocabulary.js";
import { runPython } from "./python.mjs";

const schemaOf = (saga) => JSON.parse(runPython(["-c", "import json; " +
  "from app.schema import params_schema; from sim.params import saga_of; " +
  `print(json.dumps(params_schema(saga_of(${saga ? `'${saga}'` : "None"}))))`]));
const schema = schemaOf(null);

test("every fault field is in the schema, shown only in the modes it applies in", () => {
  for (const ui of FAULTS) {
    const spec = withSchema(ui, schema.fields);
    const modes = schema.fields[ui.name].modes;
    assert.equal(spec.mode, modes.length === 1 ? modes[0] : undefined, ui.name);
  }
  assert.equal(withSchema({ name: "orchestrator.durable_log" }, schema.fields).mode,
    "orchestration");
  assert.equal(withSchema({ name: "choreography.outbox" }, schema.fields).mode, "choreography");
  assert.throws(() => withSchema({ name: "nope" }, schema.fields), /does not know/);
});

test("one row of service fields per step, with the schema's ranges", () => {
  const rows = serviceFields(schema.saga);
  assert.deepEqual(rows.map((s) => s.service), VOCABULARY.steps);
  const rate = withSchema(rows[0].failure, schema.fields);
  assert.deepEqual([rate.kind, rate.min, rate.max], ["rate", 0, 1]);
});

test("a saga's rows: every step in its order, a capacity only where it holds units", () => {
  const order = schemaOf("create-order");
  const rows = serviceFields(order.saga);
  assert.deepEqual(rows.map((s) => s.service), order.saga.steps.map((s) => s.name));
  assert.deepEqual(rows.filter((r) => r.capacity).map((r) => r.service),
    ["create_order", "create_ticket"]);
  for (const row of rows) { // each field is one the server's schema knows for this saga
    for (const ui of [row.capacity, row.failure].filter(Boolean)) withSchema(ui, order.fields);
  }
});

test("the plan's text spelling round-trips and bad items are refused", () => {
  const plan = parsePlan(" BOOK002:flight, BOOK004:car,BOOK004:hotel ");
  assert.deepEqual(plan, { BOOK002: ["flight"], BOOK004: ["car", "hotel"] });
  assert.equal(formatPlan(plan), "BOOK002:flight,BOOK004:car,BOOK004:hotel");
  assert.throws(() => parsePlan("BOOK002"), /is not BOOKID:step/);
  // the example in the error and the field's help speak the saga's own step names
  const order = ["create_order", "verify_consumer", "approve_order"];
  assert.throws(() => parsePlan("BOOK002", order), /e\.g\. BOOK002:create_order$/);
  assert.equal(planExample(order), "BOOK002:create_order,BOOK004:approve_order");
  assert.deepEqual(deepMerge({ a: { b: 1, c: 2 }, plan: { X: [1] } },
    { a: { b: 3 }, plan: { Y: [2] } }), { a: { b: 3, c: 2 }, plan: { Y: [2] } });
});
