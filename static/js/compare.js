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
  fitInvariants();
  document.body.dataset.ready = "true";
}

/** Both columns' first rows as tall as the taller of their invariants at the end of the runs
 * (shown now): with the board's legend closed, the board alone set them and cut the verdict.
 * Fixed from here on, so that the timelines stay level and a seek never moves them (a
 * failure stays listed, so the end shows the most; an earlier time showing more scrolls
 * inside the panel). */
function fitInvariants() {
  if (!window.matchMedia("(min-width: 1101px)").matches) return; // one column: no rows to fit
  const panels = [...document.querySelectorAll(".run-column .invariants-panel")];
  for (const panel of panels) panel.style.minHeight = "";
  const tallest = Math.max(...panels.map((panel) =>
    panel.scrollHeight + panel.offsetHeight - panel.clientHeight)); // content and borders
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
