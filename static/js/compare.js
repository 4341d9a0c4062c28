// The compare page: two runs in one document, each with its own store and views, driven by
// one clock and one scrubber.

import { createBoard } from "./board.js";
import { createCharts } from "./charts.js";
import { createClock } from "./clock.js";
import { connect } from "./connection.js";
import { createInvariants } from "./invariants.js";
import { createLog } from "./log.js";
import { createReplay } from "./replay.js";
import { createRunStore } from "./run_store.js";
import { initTheme } from "./theme.js";
import { createTimeline } from "./timeline.js";
import { ONE_COLUMN } from "./util.js";
import { drawAfterLists } from "./vlist.js";

const VIEWS = { board: createBoard, invariants: createInvariants, timeline: createTimeline,
  charts: createCharts, log: createLog };

/** One side of the page: a store on `root` (an .run-column), its views and its replay. */
function mountRun(root, onReady) {
  const store = createRunStore(root);
  for (const [name, create] of Object.entries(VIEWS)) {
    const mount = root.querySelector(`[data-mount="${name}"]`);
    // the board's legend closed: open in both columns it pushed the timelines off the screen
    store.mount(create(mount, store, { prefix: `${root.dataset.side}-`, legendOpen: false }));
  }
  const replay = createReplay(store, onReady);
  connect(store, root.dataset.runId);
  return { store, replay };
}

const columns = [...document.querySelectorAll(".run-column")];
const sides = [];
const clockRoot = document.getElementById("clock");

function ready() {
  if (!sides.every((side) => side.replay.ready)) return;
  // A run that was still going when the page was made: reload once for the final table.
  if (document.body.dataset.live === "true") {
    location.reload();
    return;
  }
  clock.start(Math.max(...sides.map((side) => side.replay.end)));
  drawAfterLists(levelColumns);
  document.body.dataset.ready = "true";
}

/** Both columns' first rows as tall as the taller one, so that the timelines are level: each
 * invariants panel holds itself at the height its checks need at the end (invariants.js,
 * after the lists redraw: this runs after it), the row is the taller of it and the board. */
function levelColumns() {
  if (window.matchMedia(ONE_COLUMN).matches) return; // one column: no rows side by side
  const panels = [...document.querySelectorAll(".run-column .invariants-panel")];
  const tallest = Math.max(...panels.map((panel) => panel.offsetHeight));
  for (const panel of panels) panel.style.minHeight = `${tallest}px`;
}

const clock = clockRoot && createClock(clockRoot, { prefix: "clock", seek: (t) => {
  for (const side of sides) side.replay.seek(t);
  document.body.dataset.clock = String(t);
} });
for (const root of columns) sides.push(mountRun(root, ready));
initTheme(document.getElementById("theme-toggle"), () => {
  for (const side of sides) side.store.redraw();
});
