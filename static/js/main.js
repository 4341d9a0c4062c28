// Wires the dashboard: one run store, the connection feeding it trace events, and the views
// mounted on it, each redrawing from the store's state at most once per animation frame.

import { belowControlsOnPhone } from "./below_controls.js";
import { createBoard } from "./board.js";
import { createCaption } from "./caption.js";
import { createCharts } from "./charts.js";
import { createClock } from "./clock.js";
import { connect, tokenFor } from "./connection.js";
import { createControls } from "./controls.js";
import { createExports } from "./exports_menu.js";
import { createInvariants } from "./invariants.js";
import { createLog } from "./log.js";
import { initMyRuns } from "./my_runs.js";
import { createReplay } from "./replay.js";
import { createRunActions } from "./run_actions.js";
import { createRunStore } from "./run_store.js";
import { createShare } from "./share.js";
import { initTheme } from "./theme.js";
import { createTimeline } from "./timeline.js";
import { createTwinMenu } from "./twin_menu.js";
import { el, stylesheet } from "./util.js";

const $ = (id) => document.getElementById(id);
const store = createRunStore(document.body);

// A run page opened without this tab's control token is a read-only view from the start.
const pageRun = document.body.dataset.runId;
const viewer = Boolean(pageRun && !tokenFor(pageRun));
if (viewer) document.body.classList.add("viewer");
initTheme($("theme-toggle"), () => store.redraw());
// Folding the parameters gives the other panels the width (saga.css: .layout.params-folded).
const params = $("params-details");
params?.addEventListener("toggle", () => {
  params.closest(".layout").classList.toggle("params-folded", !params.open);
});
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
 * run actions: the join's answer carries it (a run just started has only its id and status:
 * fetched then); fetched again when it has ended, unless it had ended before the join. */
let known = null;
async function runInfo(runId, run = null) {
  if (!run && known && known.id === runId && !known.live) run = known;
  if (!run) {
    const response = await fetch(`/api/runs/${runId}`).catch(() => null);
    run = response && response.ok ? await response.json() : null;
  }
  if (run && run.id === store.runId) {
    known = run;
    store.emit("run:info", run);
  }
  return run;
}
store.on("run:joined", ({ runId, run }) => {
  if (runId) runInfo(runId, run && "description" in run ? run : null);
});

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
const extras = el("span.replay-extras", {}, actions.element, twin.select,
  createExports(() => store.runId, charts));
const clock = createClock(bar, { prefix: "replay", label: "Replay", seek: replay.seek,
  extra: [extras] });
$("controls").append(bar, caption);
belowControlsOnPhone(extras, $("controls"));
store.on("ui:replay-toggle", () => clock.toggle());
store.on("reset", () => {
  actions.fill(null);
  clock.stop();
  bar.hidden = true;
  document.body.classList.remove("replaying");
});

// Back/forward between "/" and "/runs/<id>" (pushed on start): load that page for real.
window.addEventListener("popstate", () => location.reload());

// The owner's parts (.owner-only: the parameter form and its button in one column, the
// classroom bar and its questions) load alongside the views and are in place before the
// connection joins; a viewer (the share link, what a class opens) never loads them, nor the
// presets and schema the form fetches.
const ownerParts = viewer ? Promise.resolve([]) : Promise.all([
  import("./class_presenter.js"),
  stylesheet("class.css"),
  import("./form.js").then(({ createForm }) => createForm($("form"), store)),
  import("./narrow_owner.js").then(({ initNarrowOwner }) => initNarrowOwner(store)),
]);
ownerParts.then(([presenter]) => {
  const socket = connect(store, pageRun || null);
  if (presenter) presenter.initClassroom(store, socket);
  if (!viewer) initMyRuns($("controls"), store, socket);
});
