// static/js/run_store.js: events received are folded in over frames, a slice per frame, and
// every view sees each event once, in order, with the state it ends in.
import assert from "node:assert/strict";
import test from "node:test";
import { createRunStore, FOLD_MS } from "../../static/js/run_store.js";
import { applyEvents, createState } from "../../static/js/state.js";
import { trace } from "./python.mjs";

const events = trace("--bookings", "400", "--seed", "3", "--set", "retries=1");

/** A store on a fake element, with animation frames run by hand. */
function harness() {
  const frames = [];
  globalThis.requestAnimationFrame = (fn) => frames.push(fn);
  const scope = { dataset: {} };
  const store = createRunStore(scope);
  const renders = [];
  store.on("render", (r) => renders.push({ ...r, seq: r.state.seq, count: r.events.length }));
  const runFrames = () => {
    let n = 0;
    while (frames.length) {
      frames.shift()();
      n += 1;
    }
    return n;
  };
  return { store, scope, renders, runFrames };
}

test("a big batch is folded in over several frames, each view seeing every event once", () => {
  const { store, scope, renders, runFrames } = harness();
  store.reset("r1");
  runFrames();
  renders.length = 0;
  // the fold is timed: a slow clock makes each frame's slice its minimum (128 events)
  const now = performance.now;
  let clock = 0;
  performance.now = () => (clock += FOLD_MS);
  try {
    store.add(events);
    store.add(events.slice(0, 50)); // a rejoin replays from seq 0: nothing twice
    assert.equal(store.snapshot().queued, events.length);
    const frames = runFrames();
    assert.ok(frames > 5, `${frames} frames`);
  } finally {
    performance.now = now;
  }
  let from = 0;
  for (const r of renders) {
    assert.equal(r.from, from); // events[from..] are the ones new since the last render
    assert.ok(r.count - r.from <= 128, `${r.count - r.from} events in one frame`);
    from = r.count;
  }
  assert.equal(from, events.length);
  assert.deepEqual(renders.map((r) => r.catchingUp), renders.map((_, i) => i < renders.length - 1));
  const { state, events: folded, queued } = store.snapshot();
  assert.equal(queued, 0);
  assert.deepEqual(folded.map((e) => e.seq), events.map((e) => e.seq));
  assert.deepEqual(state, applyEvents(createState(), events));
  assert.equal(scope.dataset.seq, String(events.at(-1).seq));
  assert.equal(scope.dataset.finished, "true");
  // the checkpoints taken while folding seek like a fold from the start
  const cp = store.checkpoints();
  for (const n of [0, 700, events.length]) {
    assert.deepEqual(cp.stateAfter(n), applyEvents(createState(), events.slice(0, n)));
  }
});

test("a replay's state shown while events are still queued does not stop the folding", () => {
  const { store, renders, runFrames } = harness();
  store.reset("r2");
  store.add(events);
  const early = createState();
  store.show(early); // publishes at once, folding one slice
  runFrames();
  const last = renders.at(-1);
  assert.equal(last.state, early);
  assert.equal(last.latest.seq, events.at(-1).seq);
  assert.equal(store.snapshot().queued, 0);
});
