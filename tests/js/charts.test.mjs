// static/js/chart_scale.js and charts.js: round ticks, levels at a time, columns, and what
// each chart draws from a run's state.
import assert from "node:assert/strict";
import test from "node:test";
import { axisTop, levelAt, niceStep, stepColumns, tickLabel, ticks } from
  "../../static/js/chart_scale.js";
import { inventoryLines, outcomeLines, shapesFor } from "../../static/js/charts.js";
import { applyEvent, createState } from "../../static/js/state.js";
import { trace } from "./python.mjs";

test("a long step series is cut to its columns: envelope and each column's last level kept", () => {
  const xs = Array.from({ length: 300 }, (_, i) => i / 10);
  assert.deepEqual(stepColumns(xs, xs, 30, 200), { x: xs, y: xs }); // few points: as they are
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => (i * 1000) / n);
  const y = x.map((t, i) => Math.round(50 + 40 * Math.sin(t / 9.77)) + (i === 31_337 ? 500 : 0));
  const columns = 400;
  const out = stepColumns(x, y, 1000, columns);
  assert.ok(out.x.length <= 4 * columns && out.x.length > columns, `${out.x.length} points`);
  assert.equal(Math.max(...out.y), Math.max(...y));
  assert.equal(Math.min(...out.y), Math.min(...y));
  for (let c = 1; c <= columns; c += 1) { // the level at each column's end is the series' own
    const end = (c * 1000) / columns - 1e-9;
    assert.equal(levelAt(out.x, out.y, end), levelAt(x, y, end), `column ${c}`);
  }
  assert.deepEqual(out.x, [...out.x].sort((a, b) => a - b));
});

test("ticks are round steps of 1, 2 or 5 that cut the axis into at most the parts asked", () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(10.6, 5), 5);
  assert.equal(niceStep(1234, 6), 500);
  assert.equal(niceStep(0.3, 3), 0.1);
  assert.equal(niceStep(0, 5), 1);
  assert.deepEqual(ticks(10.6, 5), { step: 5, values: [0, 5, 10] });
  assert.deepEqual(ticks(0.3, 3).values, [0, 0.1, 0.2, 0.3]);
  for (const [top, most] of [[7, 3], [123_456, 8], [0.042, 4], [1, 1], [99.9, 10]]) {
    const { step, values } = ticks(top, most);
    assert.ok(values.length - 1 <= most, `${top}/${most}: ${values}`);
    assert.ok(values.at(-1) <= top && values.at(-1) + step > top, `${top}/${most}: ${values}`);
    assert.ok(/^[125]0*$|^0\.0*[125]$/.test(String(step)), `step ${step}`);
  }
  assert.equal(tickLabel(30000, 5000), "30,000");
  assert.equal(tickLabel(0.2, 0.1), "0.2");
  assert.equal(tickLabel(5, 0.5), "5.0");
  assert.equal(axisTop(0), 1);
  assert.ok(axisTop(10) > 10);
});

test("a step line's level at a time is its last value at or before it", () => {
  const xs = [0, 2, 2, 5];
  const ys = [10, 9, 8, 7];
  assert.equal(levelAt(xs, ys, -1), null);
  assert.equal(levelAt(xs, ys, 0), 10);
  assert.equal(levelAt(xs, ys, 1.9), 10);
  assert.equal(levelAt(xs, ys, 2), 8);
  assert.equal(levelAt(xs, ys, 100), 7);
});

test("the charts draw the tutorial run's levels, named with the counts at the time shown", () => {
  const events = trace("--preset", "tutorial");
  const full = createState();
  for (const e of events) applyEvent(full, e);
  const early = createState();
  for (const e of events.filter((one) => one.t <= 3)) applyEvent(early, e);
  const palette = new Proxy({}, { get: (_, name) => `color${String(name)}` });
  const lines = inventoryLines(full, early, full.t, palette);
  const shown = lines.filter((l) => l.legend);
  assert.deepEqual(shown.map((l) => l.label), ["seats", "rooms", "cars"]);
  const word = { flight: "seats", hotel: "rooms", car: "cars" };
  assert.deepEqual(shown.map((l) => l.name), ["flight", "hotel", "car"].map((s) =>
    `${word[s]} ${early.inventory[s]}/${early.capacity[s]}`));
  for (const [i, s] of ["flight", "hotel", "car"].entries()) {
    assert.equal(levelAt(shown[i].xs, shown[i].ys, full.t), full.inventory[s]);
    assert.equal(levelAt(shown[i].xs, shown[i].ys, 3), early.inventory[s]);
    assert.equal(shown[i].until, full.t);
    assert.equal(shown[i].color, `color--svc-${i}`);
  }
  const capacity = lines.filter((l) => !l.legend).map((l) => l.ys[0]);
  assert.deepEqual(capacity, [full.capacity.flight, full.capacity.hotel, full.capacity.car]);
  const outcomes = outcomeLines(full, full, full.t, palette);
  for (const line of outcomes) {
    assert.equal(levelAt(line.xs, line.ys, 0), 0);
    assert.equal(levelAt(line.xs, line.ys, full.t), full.outcomes[line.label]);
    assert.equal(line.name, `${line.label} ${full.outcomes[line.label]}`);
    assert.equal(line.high, full.outcomes[line.label]);
  }
});

test("a replay's charts put a curtain and a clock at the time shown, a selection its span", () => {
  const sagas = new Map([["BOOK001", { started: 1, ended: 4 }], ["BOOK002", { started: 3 }]]);
  const state = { t: 5, sagas };
  assert.deepEqual(shapesFor(state, null, null), { span: null, curtain: null, clock: null });
  assert.deepEqual(shapesFor(state, "BOOK001", 9), { span: [1, 4], curtain: [5, 9], clock: 5 });
  assert.deepEqual(shapesFor(state, "BOOK002", 5).span, [3, 5]); // not ended: to the clock
  assert.equal(shapesFor(state, "BOOK002", 5).curtain, null); // at the end: nothing ahead
});
