// static/js/charts.js: a long series is thinned for drawing without losing its envelope.
import assert from "node:assert/strict";
import test from "node:test";
import { thin } from "../../static/js/charts.js";

test("thin keeps short series whole and long ones to ~1,600 points, min, max and last kept", () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i / 10);
  assert.deepEqual(thin(xs, xs), { x: xs, y: xs });
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const y = x.map((i) => Math.round(50 + 40 * Math.sin(i / 977) + (i === 31_337 ? 500 : 0)));
  const out = thin(x, y);
  assert.ok(out.x.length <= 1600 && out.x.length > 300, `${out.x.length} points`);
  assert.equal(Math.max(...out.y), Math.max(...y));
  assert.equal(Math.min(...out.y), Math.min(...y));
  assert.equal(out.x.at(-1), n - 1);
  assert.deepEqual(out.x, [...out.x].sort((a, b) => a - b));
});
