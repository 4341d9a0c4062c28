// static/js/experiments_order.js: the order factor's text, labels and starting levels.
import assert from "node:assert/strict";
import test from "node:test";
import { defaultOrders, levelLabel, orderLabel, orderText, parseOrder }
  from "../../static/js/experiments_order.js";
import { runPython } from "./python.mjs";

/** Every built-in saga's steps as /api/experiment-fields gives them, and how sim/ reads an
 * order of them (its step:kind form, or the refusal's message). */
const SAGAS = JSON.parse(runPython(["-c", "import json; from sim.saga import BUILTIN; " +
  "print(json.dumps({n: [{'name': s.name, 'kind': s.kind, 'failure_rate': s.failure_rate} " +
  "for s in saga.steps] for n, saga in BUILTIN.items()}))"]));

function simReads(saga, levels) {
  const code = "import json, sys; from sim.saga import BUILTIN; " +
    "from sim.saga.order import OrderError, normal_level\n" +
    "def read(level):\n    try: return normal_level(BUILTIN[sys.argv[1]].to_dict(), level)\n" +
    "    except OrderError as exc: return str(exc)\n" +
    "print(json.dumps([read(level) for level in json.loads(sys.argv[2])]))";
  return JSON.parse(runPython(["-c", code, saga, JSON.stringify(levels)]));
}

test("an order's text is read with commas, > or → between the steps", () => {
  assert.deepEqual(parseOrder("car:compensatable, hotel,flight : pivot"),
    ["car:compensatable", "hotel", "flight:pivot"]);
  assert.deepEqual(parseOrder(" car > hotel → flight "), ["car", "hotel", "flight"]);
  assert.deepEqual(parseOrder(" , "), []);
});

test("a stored level is shown with only the kinds that are not the step's own", () => {
  const level = ["car:compensatable", "hotel:compensatable", "flight:pivot"];
  assert.equal(orderText(level, SAGAS.travel), "car:compensatable, hotel, flight:pivot");
  assert.equal(orderText(level), "car:compensatable, hotel:compensatable, flight:pivot");
  assert.deepEqual(parseOrder(orderText(level, SAGAS.travel)).length, 3);
});

test("charts and tables name an order by its steps, the pivot and retriable steps marked", () => {
  assert.equal(orderLabel(["car:compensatable", "hotel:compensatable", "flight:pivot"]),
    "car → hotel → flight ◆");
  assert.equal(orderLabel(["a:compensatable", "b:pivot", "c:retriable"]), "a → b ◆ → c ↻");
  assert.equal(levelLabel("order", ["x:pivot", "y:retriable"]), "x ◆ → y ↻");
  assert.equal(levelLabel("retries", 1), "retries = 1");
  assert.equal(levelLabel("idempotent", false), "idempotent = false");
});

test("travel starts with the tutorial's order and the pessimistic preset's", () => {
  const [own, likeliest] = defaultOrders(SAGAS.travel);
  assert.deepEqual(own, ["flight", "hotel", "car"]);
  assert.deepEqual(likeliest, ["car:compensatable", "hotel", "flight:pivot"]);
  const preset = JSON.parse(runPython(["-c", "import json; from sim.presets import " +
    "PESSIMISTIC_TRAVEL as p; print(json.dumps([f\"{s['name']}:{s['kind']}\" " +
    "for s in p['steps']]))"]));
  assert.deepEqual(simReads("travel", [likeliest])[0], preset);
});

test("every built-in saga's starting orders are orders sim/ accepts, and differ", () => {
  for (const [name, steps] of Object.entries(SAGAS)) {
    const levels = defaultOrders(steps);
    const read = simReads(name, levels);
    for (const [i, got] of read.entries()) {
      assert.ok(Array.isArray(got), `${name} level ${i}: ${got}`);
    }
    assert.equal(new Set(read.map((r) => JSON.stringify(r))).size, levels.length, name);
    // the pessimistic order is sim/'s own (the example its refusals give)
    const sims = JSON.parse(runPython(["-c", "import json, sys; from sim.saga import BUILTIN; " +
      "from sim.saga.order import likeliest_first; " +
      "print(json.dumps(likeliest_first(BUILTIN[sys.argv[1]].to_dict())))", name]));
    assert.deepEqual(levels[levels.length - 1], sims, name);
  }
});

test("a saga already in the pessimistic order starts with its own order only", () => {
  const steps = [{ name: "a", kind: "compensatable", failure_rate: 0.3 },
    { name: "b", kind: "pivot", failure_rate: 0.1 }];
  assert.deepEqual(defaultOrders(steps), [["a", "b"]]);
});
