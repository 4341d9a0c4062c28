// Charts (Plotly): seats, rooms and cars available over simulated time as step lines against
// capacity, and saga outcomes over time. Redrawn with Plotly.react at most once per frame.

import { on } from "./bus.js";
import { cssVar, el, STEPS } from "./util.js";

const SERVICE_NAME = { flight: "seats", hotel: "rooms", car: "cars" };
const SERVICE_COLOR = { flight: "--svc-flight", hotel: "--svc-hotel", car: "--svc-car" };
const SERVICE_DASH = { flight: "solid", hotel: "dash", car: "dot" };
const OUTCOME_COLOR = { completed: "--ok", compensated: "--comp", stuck: "--warn",
  flagged: "--fail" };
const CONFIG = { displayModeBar: false, responsive: true };

let state = null;
let selected = null;
let inventoryDiv;
let outcomeDiv;
let readout;

function layout(yTitle) {
  const fg = cssVar("--fg");
  const grid = cssVar("--lane");
  const size = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const shapes = [];
  const saga = selected && state && state.sagas.get(selected);
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

function withNow(xs, ys) {
  if (!xs.length) return { x: [], y: [] };
  return { x: [...xs, state.t], y: [...ys, ys[ys.length - 1]] };
}

function inventoryTraces() {
  const traces = [];
  for (const s of STEPS) {
    const color = cssVar(SERVICE_COLOR[s]);
    const { x, y } = withNow(state.inventorySeries[s].x, state.inventorySeries[s].y);
    traces.push({ x, y, name: `${SERVICE_NAME[s]} ${state.inventory[s]}/${state.capacity[s]}`,
      mode: "lines", line: { shape: "hv", width: 4, color, dash: SERVICE_DASH[s] } });
    traces.push({ x: [0, Math.max(state.t, 1)], y: [state.capacity[s], state.capacity[s]],
      name: `${s} capacity`, mode: "lines", showlegend: false, hoverinfo: "skip",
      line: { width: 1.5, color, dash: "longdash" }, opacity: 0.6 });
  }
  return traces;
}

function outcomeTraces() {
  const series = state.outcomeSeries;
  return Object.entries(OUTCOME_COLOR).map(([outcome, color]) => {
    const { x, y } = series.x.length ? withNow([0, ...series.x], [0, ...series[outcome]])
      : { x: [0, state.t], y: [0, 0] };
    return { x, y, name: `${outcome} ${state.outcomes[outcome]}`, mode: "lines",
      line: { shape: "hv", width: 4, color: cssVar(color) } };
  });
}

function drawReadout() {
  readout.innerHTML = STEPS.map((s) =>
    `<span class="inv inv-${s}" data-service="${s}"><b>${SERVICE_NAME[s]}</b> ` +
    `<span class="inv-value">${state.inventory[s]}/${state.capacity[s]}</span></span>`).join("");
}

// Each chart redraws at most once per frame, and the two take turns, so a burst of events
// costs one Plotly.react per frame rather than two. A chart that took d ms to draw waits
// 3·d ms before its next redraw, so charts never take more than a quarter of the main thread.
const dirty = { inventory: false, outcomes: false };
const notBefore = { inventory: 0, outcomes: 0 };
let scheduled = false;
let turn = 0;

function drawChart(which) {
  const started = performance.now();
  if (which === "inventory") {
    window.Plotly.react(inventoryDiv, inventoryTraces(), layout("available"), CONFIG);
  } else window.Plotly.react(outcomeDiv, outcomeTraces(), layout("sagas"), CONFIG);
  const now = performance.now();
  notBefore[which] = now + 3 * (now - started);
}

function tick() {
  scheduled = false;
  if (!state || !window.Plotly) return;
  drawReadout();
  const order = turn ? ["outcomes", "inventory"] : ["inventory", "outcomes"];
  const now = performance.now();
  const which = order.find((k) => dirty[k] && now >= notBefore[k]);
  if (which) {
    dirty[which] = false;
    turn ^= 1;
    drawChart(which);
  }
  if (dirty.inventory || dirty.outcomes) {
    scheduled = true;
    requestAnimationFrame(tick);
  }
}

function draw() {
  dirty.inventory = true;
  dirty.outcomes = true;
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(tick);
  }
}

/** Build both charts and the inventory readout into `root`. */
export function initCharts(root) {
  readout = el("div.inventory-readout#inventory-readout", { "aria-live": "polite" });
  inventoryDiv = el("div.chart#chart-inventory");
  outcomeDiv = el("div.chart#chart-outcomes");
  root.append(readout, el("div.chart-row", {},
    el("div.chart-box", {}, el("h3", {}, "Inventory available over time"), inventoryDiv),
    el("div.chart-box", {}, el("h3", {}, "Saga outcomes over time"), outcomeDiv)));
  on("reset", () => {
    state = null;
    selected = null;
    readout.textContent = "";
    if (window.Plotly) for (const div of [inventoryDiv, outcomeDiv]) window.Plotly.purge(div);
  });
  on("render", ({ state: s }) => { state = s; draw(); });
  on("select", ({ saga }) => { selected = saga; draw(); });
  on("theme", () => draw());
}
