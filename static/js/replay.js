// Replay of an ended run: seeking shows the board, charts, invariants and log as they were at
// any simulated time, from checkpoints of the state (checkpoints.js). The clock that drives it
// (play/pause, speed, scrubber) is clock.js's; one clock can drive several replays.

import { countUntil } from "./checkpoints.js";
import { ENDED_STATES as ENDED, runMode } from "./util.js";

/** The replay of `store`'s run: ready once the run has ended and every event is in, then
 * `onReady(replay)` is called and `replay.seek(t)` shows the run at time t. */
export function createReplay(store, onReady) {
  let cp = null;
  let ended = false;
  let expected = 0; // events the run had when this page joined it

  const replay = {
    get ready() { return cp !== null; },
    /** The time of the run's last event. */
    get end() { return cp ? cp.end : 0; },
    /** The run's mode (from its run.started event). */
    get mode() { return cp ? cp.full.mode : runMode(null); },
    /** Show the run as it was at simulated time t (clamped to the run); returns the time. */
    seek(t) {
      if (!cp) return 0;
      const now = Math.max(0, Math.min(Number(t) || 0, cp.end));
      const state = cp.stateAfter(countUntil(cp.events, now));
      if (now > state.t) state.t = now; // the clock moves on between events, as in a live run
      store.show(state);
      return now;
    },
  };

  function activate() {
    const { events, queued } = store.snapshot();
    if (cp || !ended || !events.length || events.length < expected || queued) return;
    cp = store.checkpoints();
    onReady(replay);
  }

  store.on("run:joined", ({ run }) => { expected = (run && run.event_count) || 0; });
  store.on("run:status", ({ state }) => {
    ended = ENDED.has(state);
    if (ended) setTimeout(activate, 0);
  });
  store.on("render", () => { if (ended && !cp) setTimeout(activate, 0); });
  store.on("reset", () => { cp = null; ended = false; });
  return replay;
}
