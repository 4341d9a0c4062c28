// static/js/checkpoints.js: seeking from snapshots gives the state a full fold would.
import assert from "node:assert/strict";
import test from "node:test";
import { Checkpoints, countUntil, MAX_SNAPS } from "../../static/js/checkpoints.js";
import { applyEvent, applyEvents, createState } from "../../static/js/state.js";
import { trace } from "./python.mjs";

const events = trace("--bookings", "120", "--seed", "5", "--set", "retries=1",
  "--set", "reply_loss_rate=0.1", "--set", "compensation_failure_rate=0.2");
const fold = (n) => applyEvents(createState(), events.slice(0, n));

test("stateAfter(n) equals folding the first n events, across snapshot boundaries", () => {
  const cp = Checkpoints.of(events, 97);
  assert.ok(cp.snaps.length > 5);
  const counts = [0, 1, 96, 97, 98, 500, events.length - 1, events.length, events.length + 9];
  for (let n = 0; n < events.length; n += 131) counts.push(n);
  for (const n of counts) {
    assert.deepEqual(cp.stateAfter(n), fold(Math.min(n, events.length)), `n=${n}`);
  }
  assert.deepEqual(cp.full, fold(events.length));
});

test("stateAt(t) counts the events up to t", () => {
  const cp = Checkpoints.of(events, 200);
  for (const t of [0, 3.3, 17, events.at(-1).t / 2, events.at(-1).t]) {
    const n = events.filter((e) => e.t <= t).length;
    assert.equal(countUntil(events, t), n);
    assert.deepEqual(cp.stateAt(t), fold(n), `t=${t}`);
  }
  assert.equal(countUntil([], 5), 0);
});

test("a state handed out can be changed without changing the next one", () => {
  const cp = Checkpoints.of(events, 150);
  const n = 160;
  const first = cp.stateAfter(n);
  for (const e of events.slice(n, n + 200)) applyEvent(first, e);
  assert.deepEqual(cp.stateAfter(n), fold(n));
  assert.deepEqual(cp.full, fold(events.length));
});

test("checkpoints taken while events arrive stay few (every doubles) and seek right", () => {
  const cp = new Checkpoints(3); // a tiny step: the cap is reached many times over
  const state = createState();
  events.forEach((e, i) => {
    cp.observe(i, state);
    applyEvent(state, e);
  });
  cp.seal(events, state);
  assert.ok(cp.snaps.length <= MAX_SNAPS && cp.every > 3, `${cp.snaps.length} snaps every ${cp.every}`);
  for (const n of [0, 5, cp.every, cp.every * 7 + 1, events.length]) {
    assert.deepEqual(cp.stateAfter(n), fold(n), `n=${n}`);
  }
});

test("snapshots share the sagas no event touched, across thinning, and seek right", () => {
  const cp = new Checkpoints(2); // the cap is reached many times: kept snapshots share sagas
  const state = createState();
  events.forEach((e, i) => {
    cp.observe(i, state, e);
    applyEvent(state, e);
  });
  cp.seal(events, state);
  assert.ok(cp.snaps.length <= MAX_SNAPS && cp.every > 2, `${cp.snaps.length} every ${cp.every}`);
  const [a, b] = cp.snaps.slice(-2);
  const shared = a.sagas.filter((s, i) => s === b.sagas[i]).length;
  assert.ok(shared > 0 && shared < b.sagas.length, `${shared} of ${b.sagas.length} shared`);
  for (let n = 0; n <= events.length; n += 37) {
    const seen = cp.stateAfter(n);
    assert.deepEqual(seen, fold(n), `n=${n}`);
    for (const e of events.slice(n, n + 50)) applyEvent(seen, e); // must not leak into snaps
  }
  assert.deepEqual(cp.stateAfter(events.length), fold(events.length));
});
