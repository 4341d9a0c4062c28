// The compare page: two replays (one frame each) driven by one clock and one scrubber.

import { initTheme } from "./theme.js";
import { fmtT } from "./util.js";

const SPEEDS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];
const $ = (id) => document.getElementById(id);
const frames = { a: $("frame-a"), b: $("frame-b") };
const ends = {};
let end = 0;
let now = 0;
let playing = false;
let speedIndex = SPEEDS.indexOf(5);

function draw() {
  $("clock-scrubber").value = String(now);
  $("clock-time").textContent = `t=${fmtT(now)} / ${fmtT(end)}`;
  $("clock-play").textContent = playing ? "❚❚ Pause" : "▶ Play";
  $("clock-speed").textContent = `${SPEEDS[speedIndex]}×`;
  document.body.dataset.clock = String(now);
}

/** Move the shared clock: both runs show their state at simulated time t. */
function seek(t) {
  now = Math.max(0, Math.min(t, end));
  for (const frame of Object.values(frames)) {
    frame.contentWindow.postMessage({ type: "replay:seek", t: now }, location.origin);
  }
  draw();
}

function tick(previous) {
  requestAnimationFrame((stamp) => {
    if (!playing) return;
    seek(now + (previous === null ? 0 : (stamp - previous) / 1000) * SPEEDS[speedIndex]);
    if (now >= end) { playing = false; draw(); return; }
    tick(stamp);
  });
}

function ready() {
  end = Math.max(ends.a, ends.b);
  const slider = $("clock-scrubber");
  slider.max = String(end);
  slider.disabled = false;
  $("clock-play").disabled = false;
  document.body.dataset.ready = "true";
  seek(end);
}

window.addEventListener("message", (event) => {
  if (event.origin !== location.origin || !event.data || event.data.type !== "replay:ready") {
    return;
  }
  const side = Object.keys(frames).find((k) => frames[k].contentWindow === event.source);
  if (!side) return;
  ends[side] = event.data.end;
  if (ends.a === undefined || ends.b === undefined) return;
  // A run that was still going when the page was made: reload once for the final table.
  if (document.body.dataset.live === "true") location.reload();
  else ready();
});

initTheme($("theme-toggle"));
if (frames.a) {
  $("clock-scrubber").addEventListener("input", (e) => {
    playing = false;
    seek(Number(e.target.value));
  });
  $("clock-play").addEventListener("click", () => {
    playing = !playing;
    if (playing && now >= end) seek(0);
    draw();
    if (playing) tick(null);
  });
  for (const [id, d] of [["clock-slower", -1], ["clock-faster", 1]]) {
    $(id).addEventListener("click", () => {
      speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, speedIndex + d));
      draw();
    });
  }
}
