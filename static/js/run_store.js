// One run's lifecycle: its events, the state folded from them, the saga selected and the
// clock of a replay, published to that run's views on its own bus. A page makes one store per
// run it shows (the dashboard one, the compare page two) and mounts views on it.

import { createBus } from "./bus.js";
import { Checkpoints } from "./checkpoints.js";
import { applyEvent, createState } from "./state.js";

/** A store whose progress is marked on `scope` (data-seq, data-events, data-finished,
 * data-frame): the element that holds the run's views. */
export function createRunStore(scope) {
  const bus = createBus();
  let runId = null;
  let events = [];
  let state = createState();
  let checkpoints = new Checkpoints(); // taken as events arrive: a replay needs no extra pass
  let shown = null; // a replay's state at its clock; null: the state after every event
  let rendered = 0;
  let selected = null;
  let catchingUp = false; // an ended run's events loading over HTTP
  let frame = 0;
  let scheduled = false;

  function publish() {
    scheduled = false;
    const s = shown || state;
    const from = rendered;
    rendered = events.length;
    frame += 1;
    Object.assign(scope.dataset, { seq: String(s.seq), events: String(events.length),
      finished: String(s.finished), frame: String(frame) });
    bus.emit("render", { state: s, events, from, selected, frame, catchingUp });
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
      checkpoints = new Checkpoints();
      shown = null;
      rendered = 0;
      selected = null;
      scope.dataset.runId = runId || "";
      bus.emit("reset", { runId });
      schedule();
    },

    /** Fold a batch of trace events in (a rejoin replays from seq 0: keep what we have). */
    add(batch) {
      for (const e of batch) {
        if (e.seq <= state.seq) continue;
        checkpoints.observe(events.length, state);
        events.push(e);
        applyEvent(state, e);
        if (e.kind === "run.started") bus.emit("run:started-event", { params: e.params });
      }
      schedule(); // a frame draws what came since the last one: big loads draw in slices
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

    /** Draw again now (the theme changed). */
    redraw() {
      publish();
    },

    /** Checkpoints of the state over every event so far (for seeking a replay). */
    checkpoints() {
      return checkpoints.seal(events, state);
    },

    /** The events and the latest state so far. */
    snapshot() {
      return { events, state };
    },

    /** Subscribe a view's render/reset/select handlers; returns the view. */
    mount(view) {
      for (const name of ["render", "reset", "select"]) if (view[name]) bus.on(name, view[name]);
      return view;
    },
  };
  return store;
}
