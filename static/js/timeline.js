// The timeline: a space-time diagram on a canvas, one lane per actor, arrows for requests,
// replies and published events over simulated time; crashes, restarts, log writes and
// redeliveries marked. It draws only the window in view, so it stays fast at any run length.

import { TimelineModel } from "./timeline_model.js";
import { cssVar, el, fmtT, lowerBound, markDrawn } from "./util.js";
import { drawAfterLists } from "./vlist.js";

/** The glyph at a failed arrow's end (a failure is not told by its colour alone). */
function endMark(ctx, glyph, x, y, font) {
  ctx.save();
  ctx.setLineDash([]);
  ctx.font = `bold ${font * 1.1}px system-ui, sans-serif`;
  ctx.textAlign = "left";
  ctx.fillText(glyph, x, y);
  ctx.restore();
}

/** A lane's name in its gutter: in smaller type where it is wider than `room` (a saga's long
 * step names, "verify_consumer"), down to 70% of `font`. */
function fitText(ctx, text, x, y, room, font) {
  const wide = ctx.measureText(text).width;
  if (wide <= room) {
    ctx.fillText(text, x, y);
    return;
  }
  ctx.save();
  ctx.font = `${Math.max(font * 0.7, (font * room) / wide)}px system-ui, sans-serif`;
  ctx.fillText(text, x, y, room);
  ctx.restore();
}

const ZOOMS = [5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];
const WINDOW = 20; // seconds in view until the reader zooms

/** The window that shows a whole run of `end` seconds (a little room on the right). */
export function fitWindow(end) {
  return end < WINDOW ? Math.max(1, Math.ceil(end * 1.08 * 2) / 2) : WINDOW;
}

/** The timeline of `store`'s run, built into `root` (element ids start with `prefix`):
 * {render, reset, select}, to mount on the store. */
export function createTimeline(root, store, { prefix = "" } = {}) {
  let model = new TimelineModel();
  let now = 0;
  let windowSec = WINDOW;
  let zoomed = false; // the reader chose a window: fitting the run no longer changes it
  let rightEdge = null; // null: follow the live edge
  let selected = null;
  let lastState = null;

  // The canvas's size and type size (kept by a ResizeObserver, when the page is laid out
  // anyway) and the theme's colours: read once, not on every draw, so drawing never makes the
  // page lay out or restyle in the middle of a frame.
  let size = null;
  let palette = null;
  let drawnGutter = null; // the lanes' names' width as last drawn (a click's time needs it)

  function measure() {
    size = { width: canvas.clientWidth, height: canvas.clientHeight,
      font: parseFloat(getComputedStyle(canvas).fontSize) || 16 };
  }

  function draw() {
    if (!canvas.isConnected) return;
    if (!size) measure();
    if (!palette) {
      palette = {};
      for (const v of ["--ok", "--fail", "--comp", "--pending", "--muted", "--warn", "--fg",
        "--lane"]) palette[v] = cssVar(v);
    }
    const dpr = window.devicePixelRatio || 1;
    const { width, height, font } = size;
    if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
    if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    // the lanes' names: 7.2 letters wide, wider for a saga's long names (up to 10)
    ctx.font = `${font}px system-ui, sans-serif`;
    const widest = Math.max(...model.lanes().map((n) => ctx.measureText(n).width));
    const gutter = Math.min(font * 10, Math.max(font * 7.2, widest + 10));
    drawnGutter = gutter;
    const axis = font * 1.6;
    const names = model.lanes();
    const { arrows, marks } = model;
    const laneH = (height - axis) / names.length;
    const right = rightEdge === null ? Math.max(now, windowSec) : rightEdge;
    const left = right - windowSec;
    const x = (t) => gutter + ((t - left) / windowSec) * (width - gutter - font);
    const y = (lane) => laneH * lane + laneH / 2;

    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    // an actor that is down: its lane shaded from the crash to the restart (or to now)
    for (const d of lastState ? lastState.downtime : []) {
      const lane = names.indexOf(d.actor);
      const until = d.to === null ? now : d.to;
      if (lane < 0 || until < left || d.from > right) continue;
      const x0 = x(Math.max(d.from, left));
      const x1 = x(Math.min(until, right));
      ctx.fillStyle = palette["--fail"];
      ctx.globalAlpha = 0.2;
      ctx.fillRect(x0, y(lane) - laneH / 2, Math.max(2, x1 - x0), laneH);
      ctx.globalAlpha = 1;
      ctx.font = `bold ${font}px system-ui, sans-serif`;
      const back = d.to === null && d.restartAt !== null ? ` · back at ${fmtT(d.restartAt)}` : "";
      ctx.fillText(d.to === null ? `DOWN${back}` : "down", x0 + 4, y(lane) + laneH * 0.28);
      ctx.font = `${font}px system-ui, sans-serif`;
    }
    canvas.dataset.down = lastState ? lastState.downtime.filter((d) => d.to === null)
      .map((d) => d.actor).join(" ") : "";
    canvas.dataset.window = String(windowSec);
    // lanes closer than the type is tall (many steps in a short panel): smaller names, apart
    const labelFont = Math.min(font, laneH * 0.72);
    ctx.font = `${labelFont}px system-ui, sans-serif`;
    const drawnFont = labelFont.toFixed(1);
    if (canvas.dataset.labelFont !== drawnFont) canvas.dataset.labelFont = drawnFont;
    names.forEach((name, i) => {
      ctx.strokeStyle = palette["--lane"];
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(gutter, y(i));
      ctx.lineTo(width, y(i));
      ctx.stroke();
      ctx.fillStyle = palette["--fg"];
      fitText(ctx, name, 4, y(i), gutter - 8, labelFont);
    });
    ctx.font = `${font}px system-ui, sans-serif`;
    canvas.dataset.lanes = names.join(" ");
    if (canvas.style.getPropertyValue("--lanes") !== String(names.length)) {
      canvas.style.setProperty("--lanes", String(names.length)); // a saga of many steps: taller
      size = null;
    }
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => windowSec / s <= 8) || 1000;
    ctx.fillStyle = palette["--muted"];
    ctx.textAlign = "center";
    for (let t = Math.ceil(left / step) * step; t <= right; t += step) {
      if (t < 0) continue;
      ctx.fillText(fmtT(t).replace(/\.0$/, ""), x(t), height - axis / 2);
      ctx.fillRect(x(t), height - axis, 1, 4);
    }
    ctx.textAlign = "left";

    ctx.save(); // arrows and marks of times left of the window stay out of the lanes' names
    ctx.beginPath();
    ctx.rect(gutter, 0, width - gutter, height);
    ctx.clip();
    const from = lowerBound(arrows, left - 1, (a) => a.t1);
    for (let i = from; i < arrows.length; i += 1) {
      const a = arrows[i];
      if (a.t1 > right + windowSec) break;
      if (a.t0 > right || a.t1 > now) continue; // a replay that seeks back draws up to now
      const dim = selected && a.saga !== selected;
      ctx.globalAlpha = dim ? 0.18 : 1;
      ctx.strokeStyle = palette[a.color];
      ctx.fillStyle = palette[a.color];
      ctx.lineWidth = selected && !dim ? 4 : 2.5;
      ctx.setLineDash(a.dash || (a.dashed ? [5, 4] : []));
      if (a.skip) continue;
      const x0 = x(a.t0);
      const x1 = x(a.t1);
      if (a.span) {
        const w = Math.max(3, x1 - x0);
        const top = y(a.from) - laneH * 0.18;
        if (a.hatch) { // a compensation's work: an outlined, not a filled, span
          ctx.lineWidth = 2;
          ctx.setLineDash([]);
          ctx.strokeRect(x0, top, w, laneH * 0.36);
        } else ctx.fillRect(x0, top, w, laneH * 0.36);
        if (a.end) endMark(ctx, a.end, x0 + w, top, font);
        continue;
      }
      const y0 = y(a.from);
      const y1 = y(a.to);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      const angle = Math.atan2(y1 - y0, x1 - x0);
      const head = font * 0.55;
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - head * Math.cos(angle - 0.45), y1 - head * Math.sin(angle - 0.45));
      ctx.lineTo(x1 - head * Math.cos(angle + 0.45), y1 - head * Math.sin(angle + 0.45));
      ctx.fill();
      if (a.end) endMark(ctx, a.end, x1 + font * 0.35, y1 - laneH * 0.2, font);
    }
    ctx.setLineDash([]);
    ctx.textAlign = "center";
    const fromMark = lowerBound(marks, left, (m) => m.t);
    for (let i = fromMark; i < marks.length && marks[i].t <= Math.min(right, now); i += 1) {
      const m = marks[i];
      ctx.globalAlpha = selected && m.saga && m.saga !== selected ? 0.25 : 1;
      ctx.fillStyle = palette[m.color];
      const small = m.glyph === "■";
      ctx.font = `bold ${font * (small ? 0.6 : 1.2)}px system-ui, sans-serif`;
      ctx.fillText(m.glyph, x(m.t), y(m.lane) - laneH * (small ? 0.12 : 0.28));
    }
    ctx.restore();
    ctx.globalAlpha = 1;
    ctx.textAlign = "left";
    if (rightEdge === null && now > 0) {
      ctx.fillStyle = palette["--pending"];
      ctx.fillRect(x(now), 0, 2, height - axis);
    }
    scrollbar.max = Math.max(windowSec, now);
    scrollbar.value = right;
    followButton.hidden = rightEdge === null;
    zoomLabel.textContent = `${windowSec} s window`;
  }

  function zoom(step) {
    // the next window out or in from the current one (a fitted window is between two)
    const i = step > 0 ? ZOOMS.findIndex((z) => z > windowSec)
      : ZOOMS.findLastIndex((z) => z < windowSec);
    zoomed = true;
    windowSec = i < 0 ? (step > 0 ? ZOOMS[ZOOMS.length - 1] : ZOOMS[0]) : ZOOMS[i];
    draw();
  }

  const canvas = el(`canvas.timeline-canvas#${prefix}timeline-canvas`, { role: "img",
    "aria-label": "space-time diagram of the run" });
  const scrollbar = el(`input.timeline-scroll#${prefix}timeline-scroll`, { type: "range", min: 0,
    step: 0.1, "aria-label": "scroll the timeline",
    oninput: () => { rightEdge = Math.max(windowSec, Number(scrollbar.value)); draw(); } });
  const followButton = el(`button.small#${prefix}timeline-follow`, { type: "button", hidden: true,
    onclick: () => { rightEdge = null; draw(); } }, "⤓ follow live");
  const zoomLabel = el("span.muted");
  root.dataset.view = "timeline";
  root.append(canvas, el("div.timeline-bar", {}, scrollbar,
    el("button.small", { type: "button", title: "zoom in", onclick: () => zoom(-1) }, "+"),
    el("button.small", { type: "button", title: "zoom out", onclick: () => zoom(1) }, "−"),
    zoomLabel, followButton),
  el("p.legend", {}, el("span.key.ok", {}, "—→ request"), el("span.key.fail", {}, "—→✗ failed"),
    el("span.key.comp", {}, "-·-→ compensation"), el("span.key", {}, "- -→ reply"),
    el("span.key.pending", {}, "→ published"),
    el("span", {}, "✖ crash ▲ restart ■ log write ◆ log replay ↻ redelivery ✉ outbox ? reply lost ⚠ invariant")));
  canvas.addEventListener("click", (event) => {
    const rect = canvas.getBoundingClientRect();
    const font = parseFloat(getComputedStyle(canvas).fontSize) || 16;
    const gutter = drawnGutter ?? font * 7.2;
    const right = rightEdge === null ? Math.max(now, windowSec) : rightEdge;
    const t = right - windowSec + ((event.clientX - rect.left - gutter) /
      (rect.width - gutter - font)) * windowSec;
    let best = null;
    for (const a of model.arrows) {
      const d = Math.min(Math.abs(a.t0 - t), Math.abs(a.t1 - t));
      if (a.saga && (!best || d < best.d)) best = { d, saga: a.saga };
    }
    if (best && best.d < windowSec / 40) store.select(best.saga, "timeline");
  });
  let drawnAs = null; // the render to mark as drawn
  const drawRendered = () => {
    draw();
    markDrawn(root, drawnAs.frame, drawnAs.state);
  };
  new ResizeObserver(() => {
    measure();
    draw();
  }).observe(canvas);

  return {
    reset() {
      model = new TimelineModel();
      now = 0;
      rightEdge = null;
      windowSec = WINDOW;
      zoomed = false;
      selected = null;
      lastState = null;
    },
    render({ state, events, from, selected: chosen, frame, restyled }) {
      if (restyled) {
        size = null; // the theme or the type size changed
        palette = null;
      }
      for (let i = from; i < events.length; i += 1) model.ingest(events[i]);
      const last = events[events.length - 1];
      if (!zoomed && last && last.kind === "run.finished") windowSec = fitWindow(last.t);
      now = state.t;
      lastState = state;
      selected = chosen;
      drawnAs = { frame, state };
      drawAfterLists(drawRendered); // its text reads the page's style: once the page is laid out
    },
    select({ saga, source }) {
      const s = saga && lastState && lastState.sagas.get(saga);
      if (s && source !== "timeline") rightEdge = Math.max(windowSec, s.started + windowSec * 0.7);
    },
  };
}
