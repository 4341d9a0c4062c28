// Charts: the units of every step that holds some (the tutorial's seats, rooms and cars)
// available over simulated time as step lines against capacity, and saga outcomes over time,
// on canvases (step_chart.js); above them a readout of the inventory now.

import { createStepChart } from "./step_chart.js";
import { cssVar, el, markDrawn } from "./util.js";

/** The line patterns of the inventory lines, by their index (not by colour alone). */
const SERVICE_DASH = ["solid", "dash", "dot", "longdash"];
/** The colours of the inventory lines, by index (saga.css: the tutorial's three first). */
const SERVICE_COLORS = 8;
const svcVar = (i) => `--svc-${i % SERVICE_COLORS}`;
/** The outcome lines differ by pattern too (not by colour alone), in the legend as well. */
const OUTCOME_DASH = { completed: "solid", compensated: "dash", stuck: "dot", flagged: "longdash" };
const OUTCOMES = ["completed", "compensated", "stuck", "flagged"];
const OUTCOME_COLOR = { completed: "--ok", compensated: "--comp", stuck: "--warn",
  flagged: "--fail" };
const PALETTE = ["--fg", "--muted", "--lane", "--select", "--panel", "--pending", "--bg",
  ...Array.from({ length: SERVICE_COLORS }, (_, i) => svcVar(i)), ...Object.values(OUTCOME_COLOR)];
const NEAR = "300px 0px"; // the charts draw while they are within this much of the viewport

/** The shapes over a chart: the selected saga's span and, in a replay at time state.t before
 * the run's end (`end`), a curtain over what has not happened yet and a line at the clock. */
export function shapesFor(state, selected, end) {
  const saga = selected && state.sagas.get(selected);
  const ahead = end !== null && state.t < end;
  return { span: saga ? [saga.started, saga.ended ?? state.t] : null,
    curtain: ahead ? [state.t, end] : null, clock: ahead ? state.t : null };
}

/** The steps of `state`'s saga that hold units: one inventory line each. */
function holding(state) {
  return state.saga.holding.map((name) => state.saga.byName[name]);
}

/** The legend's names of the inventory chart's lines at `state` (one per step that holds
 * units, named with its unit: "seats 7/10"). */
export function inventoryNames(state) {
  return holding(state).map((s) =>
    `${s.words.units} ${state.inventory[s.name]}/${state.capacity[s.name]}`);
}

/** The legend's names of the outcome chart's lines at `state`. */
export function outcomeNames(state) {
  return OUTCOMES.map((outcome) => `${outcome} ${state.outcomes[outcome]}`);
}

/** The inventory chart's lines: `data`'s levels drawn to `until`, named at `state`. */
export function inventoryLines(data, state, until, palette) {
  const names = inventoryNames(state);
  return holding(state).flatMap((step, i) => {
    const s = step.name;
    const { x, y } = data.inventorySeries[s] || { x: [], y: [] };
    const color = palette[svcVar(i)];
    const capacity = data.capacity[s];
    return [
      { name: names[i], label: step.words.units, xs: x, ys: y, until, color, width: 3.5,
        dash: SERVICE_DASH[i % SERVICE_DASH.length], legend: true,
        swatch: `svc-${i % SERVICE_COLORS}` }, // its high: read when painted
      { name: `${s} capacity`, xs: [0], ys: [capacity], until: Math.max(until, 1), color,
        width: 1.5, dash: "longdash", alpha: 0.6, legend: false, high: capacity },
    ];
  });
}

/** The outcome chart's lines: sagas ended each way so far, from 0 at time 0. */
export function outcomeLines(data, state, until, palette) {
  const names = outcomeNames(state);
  const series = data.outcomeSeries;
  return OUTCOMES.map((outcome, i) => {
    const ys = [0, ...series[outcome]];
    return { name: names[i], label: outcome, xs: [0, ...series.x], ys, until, width: 3.5,
      color: palette[OUTCOME_COLOR[outcome]], dash: OUTCOME_DASH[outcome] || "solid",
      legend: true,
      swatch: `out-${outcome}`, high: ys[ys.length - 1] };
  });
}

function readoutHtml(state) {
  return holding(state).map((step, i) =>
    `<span class="inv inv-svc-${i % SERVICE_COLORS}" data-service="${step.name}">` +
    `<b>${step.words.units}</b> <span class="inv-value">${state.inventory[step.name]}/` +
    `${state.capacity[step.name]}</span></span>`).join("");
}

const CHARTS = {
  inventory: { lines: inventoryLines, y: "available", title: "Inventory available over time" },
  outcomes: { lines: outcomeLines, y: "sagas", title: "Saga outcomes over time" },
};

/** Both charts and the inventory readout of `store`'s run, built into `root` (element ids
 * start with `prefix`): {render, reset, charts, png}, to mount on the store. They draw once per
 * frame after it is painted (board and timeline first), not while a run is caught up on, and
 * only while they are near the viewport: out of it, `root` is marked data-deferred. A replay
 * draws the whole run with a curtain over what has not happened yet. */
export function createCharts(root, store, { prefix = "" } = {}) {
  const readout = el(`div.inventory-readout#${prefix}inventory-readout`, { "aria-live": "polite" });
  const boxes = {};
  const charts = {};
  for (const [which, { y, title }] of Object.entries(CHARTS)) {
    boxes[which] = el(`div.chart#${prefix}chart-${which}`, { dataset: { empty: "true" } });
    charts[which] = createStepChart(boxes[which], { yTitle: y,
      label: `${title}: the legend above gives the levels now`, onResize: () => schedule() });
  }
  root.dataset.view = "charts";
  root.append(readout, el("div.chart-row", {}, ...Object.keys(CHARTS).map((which) =>
    el("div.chart-box", {}, el("h3", {}, CHARTS[which].title), boxes[which]))));
  let latest = null; // the last render: {state, full, replay, selected, frame, catchingUp}
  let palette = null;
  let near = false;
  let scheduled = false;
  let run = 0; // counts resets: a new run's lines are never taken for the last one's
  root.dataset.deferred = "true";
  new IntersectionObserver((entries) => {
    near = entries[entries.length - 1].isIntersecting;
    if (near) {
      delete root.dataset.deferred;
      schedule();
    } else root.dataset.deferred = "true";
  }, { rootMargin: NEAR }).observe(root);

  /** What chart `which` shows of the latest render (null before a run). */
  function model(which) {
    if (!latest) return null;
    const { state, full, replay, selected } = latest;
    if (!palette) palette = Object.fromEntries(PALETTE.map((v) => [v, cssVar(v)]));
    const data = replay ? full : state;
    const until = data.t;
    return {
      xMax: Math.max(until, 1),
      series: CHARTS[which].lines(data, state, until, palette),
      ...shapesFor(state, selected, replay ? full.t : null),
      colors: { fg: palette["--fg"], muted: palette["--muted"], grid: palette["--lane"],
        select: palette["--select"], panel: palette["--panel"], clock: palette["--pending"],
        bg: palette["--bg"] },
      layer: `${run}|${data.seq}|${until}`,
    };
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => setTimeout(tick, 0)); // after the frame that drew the board
  }

  function tick() {
    scheduled = false;
    if (!latest || latest.catchingUp || !near) return;
    for (const which of Object.keys(CHARTS)) {
      charts[which].draw(model(which));
      delete boxes[which].dataset.empty;
    }
    markDrawn(root, latest.frame, latest.state);
  }

  return {
    charts: boxes,
    /** Save chart `which` as it shows the latest render, as `filename`.png. */
    png(which, filename) {
      return charts[which].png(filename, CHARTS[which].title, model(which));
    },
    reset() {
      latest = null;
      run += 1;
      readout.textContent = "";
      for (const box of Object.values(boxes)) box.dataset.empty = "true";
    },
    render({ state, latest: full, selected, frame, catchingUp, restyled }) {
      const replay = Boolean(full && full.finished && state !== full);
      latest = { state, full, replay, selected, frame, catchingUp };
      readout.innerHTML = readoutHtml(state);
      if (restyled) { // colours or type size changed
        palette = null;
        for (const chart of Object.values(charts)) chart.restyle();
      }
      schedule();
    },
  };
}
