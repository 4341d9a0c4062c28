// static/js/fields.js: the form's layout merged with the server's schema, and the plan's text.
import assert from "node:assert/strict";
import test from "node:test";
import { deepMerge, FAULTS, formatPlan, parsePlan, SERVICES, withSchema }
  from "../../static/js/fields.js";
import VOCABULARY from "../../static/js/vocabulary.js";
import { runPython } from "./python.mjs";

const schema = JSON.parse(runPython(["-c",
  "import json; from app.schema import params_schema; print(json.dumps(params_schema()))"]));

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
  assert.deepEqual(SERVICES.map((s) => s.service), VOCABULARY.steps);
  const rate = withSchema(SERVICES[0].failure, schema.fields);
  assert.deepEqual([rate.kind, rate.min, rate.max], ["rate", 0, 1]);
});

test("the plan's text spelling round-trips and bad items are refused", () => {
  const plan = parsePlan(" BOOK002:flight, BOOK004:car,BOOK004:hotel ");
  assert.deepEqual(plan, { BOOK002: ["flight"], BOOK004: ["car", "hotel"] });
  assert.equal(formatPlan(plan), "BOOK002:flight,BOOK004:car,BOOK004:hotel");
  assert.throws(() => parsePlan("BOOK002"), /is not BOOKID:step/);
  assert.deepEqual(deepMerge({ a: { b: 1, c: 2 }, plan: { X: [1] } },
    { a: { b: 3 }, plan: { Y: [2] } }), { a: { b: 3, c: 2 }, plan: { Y: [2] } });
});
