// A replay clock: play/pause, speed and a time scrubber over simulated time. It calls
// `seek(t)` on every move; the dashboard drives one replay with it, the compare page two.

import { el, fmtT } from "./util.js";

export const REPLAY_SPEEDS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

/** The clock's controls, built into `root` (ids `${prefix}-play`, `-scrubber`, `-time`,
 * `-speed`, `-slower`, `-faster`), disabled until `start(end)`. Marks `root` with data-t,
 * and the page's root with the class clock-still while a started clock is not playing (the
 * page is a still picture of one moment: what is in flight stops moving). */
export function createClock(root, { prefix, label, seek, extra = [] }) {
  let now = 0;
  let end = 0;
  let playing = false;
  let started = false;
  let speedIndex = REPLAY_SPEEDS.indexOf(5);

  const play = el(`button.primary#${prefix}-play`, { type: "button", disabled: true,
    onclick: () => setPlaying(!playing) });
  const slider = el(`input#${prefix}-scrubber`, { type: "range", min: "0", max: "0",
    step: "any", value: "0", disabled: true, "aria-label": "simulated time", oninput: () => {
      playing = false;
      go(Number(slider.value));
    } });
  const time = el(`output#${prefix}-time`, { "aria-live": "off" }, "loading…");
  const speed = el(`output#${prefix}-speed`);
  const step = (d) => () => {
    speedIndex = Math.max(0, Math.min(REPLAY_SPEEDS.length - 1, speedIndex + d));
    draw();
  };
  root.append(label ? el("span.label", {}, label) : "", play,
    el("span.replay-speed", {}, el(`button.small#${prefix}-slower`, { type: "button",
      title: "slower", onclick: step(-1) }, "−"), speed,
    el(`button.small#${prefix}-faster`, { type: "button", title: "faster", onclick: step(1) },
      "+")),
    slider, time, ...extra);

  function draw() {
    slider.value = String(now);
    time.textContent = `t=${fmtT(now)} / ${fmtT(end)}`;
    play.textContent = playing ? "❚❚ Pause" : "▶ Play";
    speed.textContent = `${REPLAY_SPEEDS[speedIndex]}×`;
    root.dataset.t = String(now);
    document.documentElement.classList.toggle("clock-still", started && !playing);
  }

  function go(t) {
    now = Math.max(0, Math.min(Number(t) || 0, end));
    seek(now);
    draw();
  }

  function tick(previous) {
    requestAnimationFrame((stamp) => {
      if (!playing) return;
      go(now + (previous === null ? 0 : (stamp - previous) / 1000) * REPLAY_SPEEDS[speedIndex]);
      if (now >= end) {
        playing = false;
        draw();
        return;
      }
      tick(stamp);
    });
  }

  function setPlaying(on) {
    if (on && now >= end) go(0);
    playing = on;
    draw();
    if (playing) tick(null);
  }

  draw();
  return {
    /** Enable the clock over [0, end] and show the end. */
    start(endT) {
      end = endT;
      started = true;
      slider.max = String(end);
      slider.disabled = false;
      play.disabled = false;
      go(end);
    },
    /** Play or pause (space on an ended run), once the clock has started. */
    toggle() {
      if (!play.disabled) setPlaying(!playing);
    },
    /** Stop playing and forget the run (a new one starts). */
    stop() {
      playing = false;
      started = false;
      draw();
    },
    seek: go,
  };
}
