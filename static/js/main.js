// Wires the dashboard: the connection feeds trace events into the state reducer, and every
// view redraws from the state at most once per animation frame.

import { emit, on } from "./bus.js";
import { initBoard } from "./board.js";
import { initCharts } from "./charts.js";
import { initClassroom } from "./class_presenter.js";
import { connect, tokenFor } from "./connection.js";
import { initControls } from "./controls.js";
import { initForm } from "./form.js";
import { initInvariants } from "./invariants.js";
import { initLog } from "./log.js";
import { initReplay } from "./replay.js";
import { initShare } from "./share.js";
import { applyEvents, createState } from "./state.js";
import { initTheme } from "./theme.js";
import { initTimeline } from "./timeline.js";
import { perFrame } from "./util.js";

const $ = (id) => document.getElementById(id);

let events = [];
let state = createState();
let rendered = 0;
let bulk = false; // an ended run loading over HTTP: draw once at the end, not every frame

const render = perFrame(() => {
  const from = rendered;
  rendered = events.length;
  emit("render", { state, events, from });
  document.body.dataset.seq = String(state.seq);
  document.body.dataset.finished = String(state.finished);
});

on("run:reset", ({ runId }) => {
  events = [];
  state = createState();
  rendered = 0;
  document.body.dataset.runId = runId || "";
  emit("reset", {});
  render();
});

on("run:events", ({ events: batch }) => {
  for (const e of batch) {
    if (e.seq <= state.seq) continue; // a rejoin replays from seq 0: keep what we have
    events.push(e);
    applyEvents(state, [e]);
    if (e.kind === "run.started") emit("run:started-event", { params: e.params });
  }
  if (!bulk) render();
});

on("run:loading", ({ done }) => {
  bulk = !done;
  if (done) render();
});

/** The events and state so far (for the replay/scrubber work and for tests). */
export function snapshot() {
  return { events, state };
}

// A run page opened without this tab's control token is a read-only view from the start.
const pageRun = document.body.dataset.runId;
if (pageRun && !tokenFor(pageRun)) {
  document.body.classList.add("viewer");
}
initTheme($("theme-toggle"));
initControls($("controls"));
initBoard($("board"));
initTimeline($("timeline"));
initCharts($("charts"));
initInvariants($("invariants-panel"));
initLog($("log-panel"));
initShare($("share"));
initReplay($("controls"), () => snapshot().events);
initForm($("form")).then(() => initClassroom(connect(document.body.dataset.runId || null)));
