// Charts (Plotly): seats, rooms and cars available over simulated time as step lines against
// capacity, and saga outcomes over time; above them a readout of the inventory now.

import { cssVar, el, markDrawn, STEPS } from "./util.js";

const SERVICE_NAME = { flight: "seats", hotel: "rooms", car: "cars" };
const SERVICE_COLOR = { flight: "--svc-flight", hotel: "--svc-hotel", car: "--svc-car" };
const SERVICE_DASH = { flight: "solid", hotel: "dash", car: "dot" };
const OUTCOME_COLOR = { completed: "--ok", compensated: "--comp", stuck: "--warn",
  flagged: "--fail" };
const CONFIG = { displayModeBar: false, responsive: true };
const MAX_POINTS = 1600; // per series: a chart is at most ~1,000 px wide

let plotly = null; // the page's one load of plotly.min.js (it defines window.Plotly)

/** Load Plotly when the page is idle (its parse takes a long task): board and timeline first. */
export function loadPlotly() {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      if (window.Plotly) { resolve(); return; }
      const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
      idle(() => {
        const script = el("script", { src: new URL("../vendor/plotly.min.js", import.meta.url).href });
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      }, { timeout: 2000 });
    });
  }
  return plotly;
}

/** A series thinned to about MAX_POINTS points: per slice the first, lowest, highest and last
 * points, so the step line keeps its envelope and its level at every slice's end. */
export function thin(xs, ys) {
  const n = xs.length;
  if (n <= MAX_POINTS) return { x: xs, y: ys };
  const per = Math.ceil(n / (MAX_POINTS / 4));
  const x = [];
  const y = [];
  for (let start = 0; start < n; start += per) {
    const end = Math.min(n, start + per);
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i += 1) {
      if (ys[i] < ys[lo]) lo = i;
      if (ys[i] > ys[hi]) hi = i;
    }
    for (const i of new Set([start, Math.min(lo, hi), Math.max(lo, hi), end - 1])) {
      x.push(xs[i]);
      y.push(ys[i]);
    }
  }
  return { x, y };
}

function layout(yTitle, state, selected) {
  const fg = cssVar("--fg");
  const grid = cssVar("--lane");
  const size = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const shapes = [];
  const saga = selected && state.sagas.get(selected);
  if (saga) {
    shapes.push({ type: "rect", xref: "x", yref: "paper", x0: saga.started,
      x1: saga.ended ?? state.t, y0: 0, y1: 1, fillcolor: cssVar("--select"), opacity: 0.25,
      line: { width: 0 } });
  }
  return {
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { size: size * 0.85, color: fg, family: "system-ui, sans-serif" },
    margin: { l: size * 3.2, r: size, t: size * 2.2, b: size * 2.8 },
    xaxis: { title: { text: "simulated time (s)" }, gridcolor: grid, zeroline: false,
      rangemode: "tozero" },
    yaxis: { title: { text: yTitle }, gridcolor: grid, rangemode: "tozero", zeroline: false },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    showlegend: true,
    shapes,
    uirevision: "keep",
  };
}

function withNow(xs, ys, t) {
  if (!xs.length) return { x: [], y: [] };
  const { x, y } = thin(xs, ys);
  return { x: [...x, t], y: [...y, ys[ys.length - 1]] };
}

function inventoryTraces(state) {
  const traces = [];
  for (const s of STEPS) {
    const color = cssVar(SERVICE_COLOR[s]);
    const { x, y } = withNow(state.inventorySeries[s].x, state.inventorySeries[s].y, state.t);
    traces.push({ x, y, name: `${SERVICE_NAME[s]} ${state.inventory[s]}/${state.capacity[s]}`,
      mode: "lines", line: { shape: "hv", width: 4, color, dash: SERVICE_DASH[s] } });
    traces.push({ x: [0, Math.max(state.t, 1)], y: [state.capacity[s], state.capacity[s]],
      name: `${s} capacity`, mode: "lines", showlegend: false, hoverinfo: "skip",
      line: { width: 1.5, color, dash: "longdash" }, opacity: 0.6 });
  }
  return traces;
}

function outcomeTraces(state) {
  const series = state.outcomeSeries;
  return Object.entries(OUTCOME_COLOR).map(([outcome, color]) => {
    const { x, y } = series.x.length
      ? withNow([0, ...series.x], [0, ...series[outcome]], state.t)
      : { x: [0, state.t], y: [0, 0] };
    return { x, y, name: `${outcome} ${state.outcomes[outcome]}`, mode: "lines",
      line: { shape: "hv", width: 4, color: cssVar(color) } };
  });
}

function readoutHtml(state) {
  return STEPS.map((s) =>
    `<span class="inv inv-${s}" data-service="${s}"><b>${SERVICE_NAME[s]}</b> ` +
    `<span class="inv-value">${state.inventory[s]}/${state.capacity[s]}</span></span>`).join("");
}

const CHARTS = {
  inventory: { traces: inventoryTraces, title: "available" },
  outcomes: { traces: outcomeTraces, title: "sagas" },
};

/** Both charts and the inventory readout of `store`'s run, built into `root` (element ids
 * start with `prefix`): {render, reset, charts}, to mount on the store. The charts redraw at
 * most once per frame, after it is painted, taking turns, and a chart that took d ms waits
 * 3·d ms before its next redraw, so they never take more than a quarter of the main thread. */
export function createCharts(root, store, { prefix = "" } = {}) {
  const readout = el(`div.inventory-readout#${prefix}inventory-readout`, { "aria-live": "polite" });
  const divs = { inventory: el(`div.chart#${prefix}chart-inventory`),
    outcomes: el(`div.chart#${prefix}chart-outcomes`) };
  root.dataset.view = "charts";
  root.append(readout, el("div.chart-row", {},
    el("div.chart-box", {}, el("h3", {}, "Inventory available over time"), divs.inventory),
    el("div.chart-box", {}, el("h3", {}, "Saga outcomes over time"), divs.outcomes)));
  let latest = null; // the last render: {state, selected, frame}
  const drawn = { inventory: 0, outcomes: 0 }; // the frame each chart shows
  const notBefore = { inventory: 0, outcomes: 0 };
  let scheduled = false;
  let turn = 0;

  function drawChart(which) {
    const started = performance.now();
    const { state, selected, frame } = latest;
    const { traces, title } = CHARTS[which];
    window.Plotly.react(divs[which], traces(state), layout(title, state, selected), CONFIG);
    const now = performance.now();
    notBefore[which] = now + 3 * (now - started);
    drawn[which] = frame;
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => setTimeout(tick, 0)); // after the frame that drew the board
  }

  function tick() {
    scheduled = false;
    if (!latest || latest.catchingUp) return; // board and timeline first: charts once it is in
    if (!window.Plotly) {
      loadPlotly().then(schedule);
      return;
    }
    const order = turn ? ["outcomes", "inventory"] : ["inventory", "outcomes"];
    const now = performance.now();
    const stale = order.filter((k) => drawn[k] !== latest.frame);
    const which = stale.find((k) => now >= notBefore[k]);
    if (which) {
      turn ^= 1;
      drawChart(which);
    }
    if (drawn.inventory === latest.frame && drawn.outcomes === latest.frame) {
      markDrawn(root, latest.frame, latest.state);
    } else schedule();
  }

  return {
    charts: divs,
    reset() {
      latest = null;
      readout.textContent = "";
      if (window.Plotly) for (const div of Object.values(divs)) window.Plotly.purge(div);
    },
    render({ state, selected, frame, catchingUp }) {
      latest = { state, selected, frame, catchingUp };
      readout.innerHTML = readoutHtml(state);
      schedule();
    },
  };
}
