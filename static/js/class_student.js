// A student's class page: follows the presenter's current run live and read-only, switches
// when the presenter shows another one, and votes on the presenter's questions.

import { io } from "../vendor/socket.io.esm.min.js";
import { createBoard } from "./board.js";
import { createCaption } from "./caption.js";
import { createCharts } from "./charts.js";
import { answerLine, markPoll, tallyEl } from "./class_poll.js";
import { createInvariants } from "./invariants.js";
import { createRunStore } from "./run_store.js";
import { initTheme } from "./theme.js";
import { createTimeline } from "./timeline.js";
import { el, fmtT } from "./util.js";

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;
const ui = { notice: $("class-notice"), views: $("class-views"), poll: $("class-poll"),
  viewers: $("class-viewers"), status: $("class-run-status"), caption: $("caption"),
  cue: $("poll-cue") };

const store = createRunStore(document.body);
let runId; // undefined until the class says which run (null: none yet)
let poll = null;
let mine = null; // this device's vote on the open poll
let pollError = "";
// Polls this page has seen open: a closed one is shown only if it was (or this device voted
// on it), so a student who joins late sees the open question, not the last revealed one.
const seenOpen = new Set();
let pollInView = false;

function notice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = !text;
}

/** Show run `id` (null: none), from its first event. */
function follow(socket, id) {
  if (runId) socket.emit("leave_run", { run_id: runId });
  runId = id;
  store.reset(id);
  ui.status.textContent = "";
  ui.views.hidden = !id;
  ui.caption.hidden = !id;
  if (!id) {
    notice("Waiting for the presenter to show a run…");
    return;
  }
  notice("");
  join(socket, 0);
  runInfo(id);
}

/** The run's preset and what to look for in it, for the caption (as a share link shows it);
 * asked again when the run ends (a live run's record may not have its description yet). */
async function runInfo(id) {
  const response = await fetch(`/api/runs/${id}`).catch(() => null);
  const run = response && response.ok ? await response.json() : null;
  if (run && id === runId) store.emit("run:info", run);
}

function join(socket, fromSeq) {
  const id = runId;
  socket.emit("join_run", { run_id: id, from_seq: fromSeq }, (ack) => {
    if (id === runId && (!ack || !ack.ok)) notice(`⚠ ${(ack && ack.error) || "could not join"}`);
  });
}

function showStatus({ state: s, t, reason, breakpoint }) {
  const icon = { running: "▶", paused: "❚❚", finished: "■", stopped: "■", pending: "◌",
    interrupted: "⚠" }[s] || "";
  let text = `${icon} ${s}  t=${fmtT(t || 0)}`;
  if (s === "paused" && breakpoint) text = `❚❚ paused: ${breakpoint.label}`;
  else if (s === "interrupted" && reason) text += `  (${reason})`;
  ui.status.className = `run-status state-${s}`;
  ui.status.textContent = text;
  document.body.dataset.state = s;
}

let voter = null; // the id this device's join_class was given: a vote needs it

async function vote(choice) {
  const response = await fetch(`/api/classes/${code}/vote`, { method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ poll: poll.id, choice, voter }) });
  const body = await response.json().catch(() => ({}));
  pollError = response.ok ? "" : `⚠ ${body.error || "the vote was refused"}`;
  if (response.ok) mine = body.choice;
  drawPoll();
}

/** The cue at the foot of the screen while a question is open and its card is out of view. */
function drawCue() {
  ui.cue.hidden = !(poll && poll.open) || pollInView;
  document.body.dataset.cue = String(!ui.cue.hidden);
}

function drawPoll() {
  ui.poll.hidden = !poll;
  markPoll(ui.poll, poll);
  drawCue();
  ui.poll.dataset.mine = mine || "";
  if (!poll) return;
  const body = poll.open
    ? el("div.vote-buttons", { role: "group", "aria-label": "your answer" },
      poll.choices.map((choice) => el("button.vote", { type: "button",
        "aria-pressed": String(choice === mine), dataset: { choice },
        onclick: () => vote(choice) }, choice === mine ? `✓ ${choice}` : choice)))
    : tallyEl(poll, mine);
  const hint = poll.open
    ? (mine ? `Your vote: ${mine}. You can change it until the reveal.` : "Tap your answer.")
    : (mine ? `You voted ${mine}.` : "You did not vote.");
  ui.poll.replaceChildren(
    el("p.poll-kicker", {}, poll.open ? "Predict" : "Revealed"),
    el("h2.poll-question", {}, poll.question), body,
    el("p.poll-hint", {}, hint, " ", el("b", {}, answerLine(poll))),
    el("p.control-error", { role: "alert" }, pollError));
}

function applyClass(socket, klass) {
  ui.viewers.textContent = `${klass.viewers} connected`;
  document.body.dataset.viewers = String(klass.viewers);
  if (!poll || !klass.poll || klass.poll.id !== poll.id) {
    mine = klass.your_vote ?? null;
    pollError = "";
  }
  const opened = klass.poll && klass.poll.open && !seenOpen.has(klass.poll.id);
  if (klass.poll && klass.poll.open) seenOpen.add(klass.poll.id);
  // a revealed question this page never saw open (a late joiner): not shown
  const shown = klass.poll && (klass.poll.open || seenOpen.has(klass.poll.id) ||
    (klass.your_vote ?? mine) !== null);
  poll = shown ? klass.poll : null;
  drawPoll();
  if (opened && navigator.vibrate) navigator.vibrate(150);
  if (klass.run_id !== runId) follow(socket, klass.run_id);
}

initTheme($("theme-toggle"), () => store.redraw());
store.mount(createCaption(ui.caption, store));
store.on("run:status", ({ state: s }) => {
  if (["finished", "stopped", "interrupted", "failed"].includes(s) && runId) runInfo(runId);
});
new IntersectionObserver(([entry]) => {
  pollInView = entry.isIntersecting;
  drawCue();
}).observe(ui.poll);
ui.cue.addEventListener("click", () => {
  // the card's top just under the sticky top (the class, the status, the narration)
  const under = $("class-top").getBoundingClientRect().bottom;
  window.scrollBy(0, ui.poll.getBoundingClientRect().top - under - 8);
  (ui.poll.querySelector(".vote") || ui.poll).focus({ preventScroll: true });
});
store.mount(createBoard($("board"), store));
store.mount(createTimeline($("timeline"), store));
store.mount(createInvariants($("invariants-panel"), store));
store.mount(createCharts($("charts"), store));
document.getElementById("board-empty").hidden = true; // the notice says what to wait for

const socket = io({ transports: ["websocket", "polling"] });
socket.on("connect", () => {
  socket.emit("join_class", { code, voter }, (ack) => {
    if (!ack || !ack.ok) {
      notice(`⚠ ${(ack && ack.error) || "could not join the class"}`);
      return;
    }
    voter = ack.class.voter; // this join's voter id (kept to come back with after a reconnect)
    const same = ack.class.run_id && ack.class.run_id === runId;
    applyClass(socket, ack.class);
    if (same) join(socket, store.snapshot().state.seq + 1); // a reconnect: only what is new
  });
});
socket.on("disconnect", () => notice("⚠ connection lost: reconnecting…"));
socket.on("class_state", (klass) => applyClass(socket, klass));
socket.on("class_closed", ({ reason }) => {
  notice(`This class has ended (${reason}).`);
  document.body.dataset.closed = "true";
  socket.disconnect();
});
socket.on("run_events", (msg) => {
  if (msg.run_id === runId) store.add(msg.events);
});
// Flow control (docs/protocol.md): acknowledge probes; a page dropped for lagging rejoins.
socket.on("run_sync", (_msg, ack) => ack && ack());
socket.on("run_dropped", (msg) => {
  if (msg.run_id === runId) join(socket, store.snapshot().state.seq + 1);
});
socket.on("run_status", (msg) => {
  if (msg.run_id === runId) {
    showStatus(msg);
    store.emit("run:status", msg);
  }
});
