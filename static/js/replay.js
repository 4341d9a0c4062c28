// Replay of an ended run: play/pause, speed and a time scrubber. Seeking shows the board,
// charts, invariants and log as they were at that simulated time, from checkpoints of the
// state (checkpoints.js). In a compare page's frame (?embed=1) the parent drives the clock.

import { emit, on } from "./bus.js";
import { Checkpoints, countUntil } from "./checkpoints.js";
import { initExports } from "./exports_menu.js";
import { initTwinMenu } from "./twin_menu.js";
import { el, fmtT } from "./util.js";

const ENDED = new Set(["finished", "stopped", "interrupted", "failed"]);
export const REPLAY_SPEEDS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

let getEvents = () => [];
let cp = null;
let now = 0;
let playing = false;
let speedIndex = REPLAY_SPEEDS.indexOf(5);
let lastSeekMs = 0;
let ended = false;
let expected = 0; // events the run had when this page joined it
const ui = {};
let twin = null;
const embedded = new URLSearchParams(location.search).has("embed");

function drawClock() {
  ui.slider.value = String(now);
  ui.time.textContent = `t=${fmtT(now)} / ${fmtT(cp ? cp.end : 0)}`;
  ui.play.textContent = playing ? "❚❚ Pause" : "▶ Play";
  ui.speed.textContent = `${REPLAY_SPEEDS[speedIndex]}×`;
  document.body.dataset.replayT = String(now);
}

/** Show the run as it was at simulated time t (clamped to the run). */
export function seek(t) {
  if (!cp) return;
  const started = performance.now();
  now = Math.max(0, Math.min(Number(t) || 0, cp.end));
  const count = countUntil(cp.events, now);
  const state = cp.stateAfter(count);
  if (now > state.t) state.t = now; // the clock moves on between events, as in a live run
  // Every event was drawn once already: the views show what happened up to state.seq/state.t.
  emit("render", { state, events: cp.events, from: cp.events.length });
  document.body.dataset.seq = String(state.seq);
  document.body.dataset.finished = String(state.finished);
  drawClock();
  lastSeekMs = performance.now() - started;
}

/** Milliseconds the last seek took on the main thread (for the benchmark). */
export function lastSeek() {
  return lastSeekMs;
}

function tick(previous) {
  if (!playing) return;
  requestAnimationFrame((stamp) => {
    if (!playing) return;
    const dt = previous === null ? 0 : (stamp - previous) / 1000;
    seek(now + dt * REPLAY_SPEEDS[speedIndex]);
    if (now >= cp.end) {
      playing = false;
      drawClock();
      return;
    }
    tick(stamp);
  });
}

function setPlaying(on_) {
  if (!cp) return;
  if (on_ && now >= cp.end) seek(0);
  playing = on_;
  drawClock();
  if (playing) tick(null);
}

function activate() {
  const events = getEvents();
  if (cp || !ended || !events.length || events.length < expected) return;
  cp = new Checkpoints(events);
  now = cp.end;
  ui.slider.max = String(cp.end);
  ui.bar.hidden = embedded;
  document.body.classList.add("replaying");
  drawClock();
  twin.fill();
  if (embedded) parent.postMessage({ type: "replay:ready", end: cp.end, run: runId() }, location.origin);
}

function runId() {
  return document.body.dataset.runId || "";
}

function onMessage(event) {
  if (event.origin !== location.origin || !event.data) return;
  if (event.data.type === "replay:seek") seek(event.data.t);
}

/** Build the replay bar after the run controls; `events()` returns the run's events so far. */
export function initReplay(root, events) {
  getEvents = events;
  twin = initTwinMenu(runId, () => (cp && cp.full.mode) || "orchestration");
  ui.play = el("button.primary#replay-play", { type: "button",
    onclick: () => setPlaying(!playing) });
  ui.slider = el("input#replay-scrubber", { type: "range", min: "0", max: "0", step: "any",
    value: "0", "aria-label": "simulated time", oninput: () => {
      const t = Number(ui.slider.value);
      playing = false;
      seek(t);
    } });
  ui.time = el("output#replay-time", { "aria-live": "off" });
  ui.speed = el("output#replay-speed");
  const step = (d) => () => {
    speedIndex = Math.max(0, Math.min(REPLAY_SPEEDS.length - 1, speedIndex + d));
    drawClock();
  };
  ui.bar = el("section.replay-bar#replay", { hidden: true, "aria-label": "replay" },
    el("span.label", {}, "Replay"), ui.play,
    el("span.replay-speed", {}, el("button.small#replay-slower", { type: "button",
      title: "slower", onclick: step(-1) }, "−"), ui.speed,
    el("button.small#replay-faster", { type: "button", title: "faster", onclick: step(1) },
      "+")),
    ui.slider, ui.time, twin.select, initExports(runId));
  root.append(ui.bar);
  on("run:joined", ({ run }) => { expected = (run && run.event_count) || 0; });
  on("run:status", ({ state }) => {
    ended = ENDED.has(state);
    if (ended) setTimeout(activate, 0);
  });
  on("run:events", () => { if (ended) setTimeout(activate, 0); });
  on("run:reset", () => { cp = null; ended = false; playing = false; ui.bar.hidden = true; });
  if (embedded) {
    document.body.classList.add("embedded", "viewer");
    window.addEventListener("message", onMessage);
  }
}
