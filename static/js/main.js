// Wires the dashboard: one run store, the connection feeding it trace events, and the views
// mounted on it, each redrawing from the store's state at most once per animation frame.

import { createBoard } from "./board.js";
import { createCharts } from "./charts.js";
import { createClock } from "./clock.js";
import { connect, tokenFor } from "./connection.js";
import { createControls } from "./controls.js";
import { createExports } from "./exports_menu.js";
import { createForm } from "./form.js";
import { createInvariants } from "./invariants.js";
import { createLog } from "./log.js";
import { createReplay } from "./replay.js";
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
store.mount(createBoard($("board"), store));
store.mount(createTimeline($("timeline"), store));
const charts = store.mount(createCharts($("charts"), store));
store.mount(createInvariants($("invariants-panel"), store));
store.mount(createLog($("log-panel"), store));
createShare($("share"), store);

// An ended run (or one that ends while the page is open) becomes a replay on its own clock.
const bar = el("section.replay-bar#replay", { hidden: true, "aria-label": "replay" });
const replay = createReplay(store, () => {
  clock.start(replay.end);
  bar.hidden = false;
  document.body.classList.add("replaying");
  twin.fill();
});
const twin = createTwinMenu(store, () => replay.mode);
const clock = createClock(bar, { prefix: "replay", label: "Replay", seek: replay.seek,
  extra: [twin.select, createExports(() => store.runId, charts.charts)] });
$("controls").append(bar);
store.on("reset", () => {
  clock.stop();
  bar.hidden = true;
  document.body.classList.remove("replaying");
});

// Back/forward between "/" and "/runs/<id>" (pushed on start): load that page for real.
window.addEventListener("popstate", () => location.reload());
createForm($("form"), store).then(() => connect(store, document.body.dataset.runId || null));
