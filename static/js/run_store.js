// One run's lifecycle: its events, the state folded from them, the saga selected and the
// clock of a replay, published to that run's views on its own bus. A page makes one store per
// run it shows (the dashboard one, the compare page two) and mounts views on it.

import { createBus } from "./bus.js";
import { Checkpoints } from "./checkpoints.js";
import { applyEvent, createState } from "./state.js";

/** Time per frame, in ms, spent folding queued events in: the views then draw what was
 * folded (about as long again), so a frame stays well under a long task (50 ms). */
export const FOLD_MS = 8;
const CHECK_EVERY = 128; // events folded between looks at the clock

/** A store whose progress is marked on `scope` (data-seq, data-events, data-finished,
 * data-frame): the element that holds the run's views. */
export function createRunStore(scope) {
  const bus = createBus();
  let runId = null;
  let events = [];
  let state = createState();
  let queue = []; // events received, not folded in yet: a frame folds in a quota of them
  let head = 0;
  let lastSeq = -1; // the last seq received (a rejoin replays from seq 0: keep what we have)
  let checkpoints = new Checkpoints(); // taken as events arrive: a replay needs no extra pass
  let shown = null; // a replay's state at its clock; null: the state after every event
  let rendered = 0;
  let selected = null;
  let catchingUp = false; // an ended run's events loading over HTTP
  let frame = 0;
  let scheduled = false;

  /** Fold queued events into the state for about `budget` ms (at least CHECK_EVERY of them).
   * (A listener of run:started-event may publish, and so fold, in the middle: `head` is
   * always current.) */
  function fold(budget) {
    const started = performance.now();
    let count = 0;
    while (head < queue.length) {
      const e = queue[head];
      head += 1;
      count += 1;
      checkpoints.observe(events.length, state, e);
      events.push(e);
      applyEvent(state, e);
      if (e.kind === "run.started") bus.emit("run:started-event", { params: e.params });
      if (count % CHECK_EVERY === 0 && performance.now() - started >= budget) break;
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
  }

  function publish(restyled = false) {
    scheduled = false;
    fold(FOLD_MS);
    const s = shown || state;
    const from = rendered;
    const behind = queue.length > 0;
    rendered = events.length;
    frame += 1;
    Object.assign(scope.dataset, { seq: String(s.seq), events: String(events.length),
      finished: String(s.finished), frame: String(frame) });
    bus.emit("render", { state: s, latest: state, events, from, selected, frame,
      catchingUp: catchingUp || behind, restyled });
    if (behind) schedule(); // the rest in the next frames: the page stays responsive
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { if (scheduled) publish(); });
  }

  const store = {
    on: bus.on,
    emit: bus.emit,
    scope,

    /** The run shown (null: none yet). */
    get runId() { return runId; },

    /** Forget the previous run: every view clears. */
    reset(id) {
      runId = id || null;
      events = [];
      state = createState();
      queue = [];
      head = 0;
      lastSeq = -1;
      checkpoints = new Checkpoints();
      shown = null;
      rendered = 0;
      selected = null;
      scope.dataset.runId = runId || "";
      scope.dataset.finished = "false"; // at once: a wait for the new run's end waits for it
      bus.emit("reset", { runId });
      schedule();
    },

    /** Queue a batch of trace events (a rejoin replays from seq 0: keep what we have); the
     * next frames fold them in, a quota per frame, and draw what each folded. */
    add(batch) {
      for (const e of batch) {
        if (e.seq <= lastSeq) continue;
        lastSeq = e.seq;
        queue.push(e);
      }
      schedule();
    },

    /** An ended run's events are loading (done: false) or all in (done: true). */
    loading(done) {
      catchingUp = !done;
      schedule();
    },

    /** Show `s` (a replay's state at its clock) right now, instead of the latest state. */
    show(s) {
      shown = s;
      publish();
    },

    /** Choose a saga (null: none) everywhere, drawn at once; `source` names the view it came
     * from. */
    select(saga, source) {
      selected = saga;
      bus.emit("select", { saga, source });
      publish();
    },

    /** Draw again now (the theme or the type size changed: views draw whole again). */
    redraw() {
      publish(true);
    },

    /** Checkpoints of the state over every event so far (for seeking a replay). */
    checkpoints() {
      return checkpoints.seal(events, state);
    },

    /** The events folded in and the latest state so far; `queued`: events received, not
     * folded in yet. */
    snapshot() {
      return { events, state, queued: queue.length - head };
    },

    /** Subscribe a view's render/reset/select handlers; returns the view. */
    mount(view) {
      for (const name of ["render", "reset", "select"]) if (view[name]) bus.on(name, view[name]);
      return view;
    },
  };
  return store;
}
