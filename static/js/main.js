// Wires the dashboard: one run store, the connection feeding it trace events, and the views
// mounted on it, each redrawing from the store's state at most once per animation frame.

import { createBoard } from "./board.js";
import { createCaption } from "./caption.js";
import { createCharts, loadPlotly } from "./charts.js";
import { initClassroom } from "./class_presenter.js";
import { createClock } from "./clock.js";
import { connect, tokenFor } from "./connection.js";
import { createControls } from "./controls.js";
import { createExports } from "./exports_menu.js";
import { createForm } from "./form.js";
import { createInvariants } from "./invariants.js";
import { createLog } from "./log.js";
import { createReplay } from "./replay.js";
import { createRunActions } from "./run_actions.js";
import { createRunStore } from "./run_store.js";
import { createShare } from "./share.js";
import { initTheme } from "./theme.js";
import { createTimeline } from "./timeline.js";
import { createTwinMenu } from "./twin_menu.js";
import { el } from "./util.js";

const $ = (id) => document.getElementById(id);
const store = createRunStore(document.body);

// A run page opened without this tab's control token is a read-only view from the start.
const pageRun = document.body.dataset.runId;
if (pageRun && !tokenFor(pageRun)) document.body.classList.add("viewer");
initTheme($("theme-toggle"), () => store.redraw());
store.mount(createControls($("controls"), store));
const caption = el("div.caption#caption", { role: "region", "aria-label": "what just happened" });
store.mount(createCaption(caption, store));
store.mount(createBoard($("board"), store));
store.mount(createTimeline($("timeline"), store));
const charts = store.mount(createCharts($("charts"), store));
store.mount(createInvariants($("invariants-panel"), store));
store.mount(createLog($("log-panel"), store));
createShare($("share"), store);

/** The run's REST object (preset, its description and remedy, status) for the caption and the
 * run actions: fetched when the page joins a run and again when it has ended. */
async function runInfo(runId) {
  const response = await fetch(`/api/runs/${runId}`).catch(() => null);
  const run = response && response.ok ? await response.json() : null;
  if (run && run.id === store.runId) store.emit("run:info", run);
  return run;
}
store.on("run:joined", ({ runId }) => { if (runId) runInfo(runId); });

// An ended run (or one that ends while the page is open) becomes a replay on its own clock.
const bar = el("section.replay-bar#replay", { hidden: true, "aria-label": "replay" });
const replay = createReplay(store, () => {
  clock.start(replay.end);
  bar.hidden = false;
  document.body.classList.add("replaying");
  twin.fill();
  runInfo(store.runId).then((run) => actions.fill(run));
});
const actions = createRunActions(store);
const twin = createTwinMenu(store, () => replay.mode);
const clock = createClock(bar, { prefix: "replay", label: "Replay", seek: replay.seek,
  extra: [actions.element, twin.select, createExports(() => store.runId, charts.charts)] });
$("controls").append(bar, caption);
store.on("ui:replay-toggle", () => clock.toggle());
store.on("reset", () => {
  actions.fill(null);
  clock.stop();
  bar.hidden = true;
  document.body.classList.remove("replaying");
});

// Back/forward between "/" and "/runs/<id>" (pushed on start): load that page for real.
window.addEventListener("popstate", () => location.reload());
createForm($("form"), store).then(() =>
  initClassroom(store, connect(store, document.body.dataset.runId || null)));
// A page without a run has time before Start: Plotly's parse happens then, not during the run.
if (!pageRun) loadPlotly().then(() => charts.prime());
