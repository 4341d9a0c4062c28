// Charts (Plotly): seats, rooms and cars available over simulated time as step lines against
// capacity, and saga outcomes over time; above them a readout of the inventory now.

import { loadPlotly } from "./plotly_loader.js";
import { cssVar, el, markDrawn, STEPS, whenIdle } from "./util.js";

const SERVICE_NAME = { flight: "seats", hotel: "rooms", car: "cars" };
const SERVICE_COLOR = { flight: "--svc-flight", hotel: "--svc-hotel", car: "--svc-car" };
const SERVICE_DASH = { flight: "solid", hotel: "dash", car: "dot" };
const OUTCOME_COLOR = { completed: "--ok", compensated: "--comp", stuck: "--warn",
  flagged: "--fail" };
const CONFIG = { displayModeBar: false, responsive: true };
const MAX_POINTS = 1600; // per series: a chart is at most ~1,000 px wide

const NEAR = "300px 0px"; // the charts load as they come within this much of the viewport

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

/** The shapes over a chart: the selected saga's span and, in a replay at time state.t before
 * the run's end (`end`), a curtain over what has not happened yet and a line at the clock. */
export function shapesFor(state, selected, end, colors) {
  const shapes = [];
  const saga = selected && state.sagas.get(selected);
  if (saga) {
    shapes.push({ type: "rect", xref: "x", yref: "paper", x0: saga.started,
      x1: saga.ended ?? state.t, y0: 0, y1: 1, fillcolor: colors.select, opacity: 0.25,
      line: { width: 0 } });
  }
  if (end !== null && state.t < end) {
    shapes.push({ type: "rect", xref: "x", yref: "paper", x0: state.t, x1: end, y0: 0, y1: 1,
      fillcolor: colors.panel, opacity: 0.88, layer: "above", line: { width: 0 } });
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: state.t, x1: state.t, y0: 0,
      y1: 1, layer: "above", line: { width: 2, color: colors.clock } });
  }
  return shapes;
}

function layout(yTitle, shapes) {
  const fg = cssVar("--fg");
  const grid = cssVar("--lane");
  const size = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
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

/** The legend's names of the inventory chart's traces at `state` (one per trace). */
export function inventoryNames(state) {
  return STEPS.flatMap((s) => [`${SERVICE_NAME[s]} ${state.inventory[s]}/${state.capacity[s]}`,
    `${s} capacity`]);
}

/** The legend's names of the outcome chart's traces at `state`. */
export function outcomeNames(state) {
  return Object.keys(OUTCOME_COLOR).map((outcome) => `${outcome} ${state.outcomes[outcome]}`);
}

function inventoryTraces(state, names) {
  const traces = [];
  STEPS.forEach((s, i) => {
    const color = cssVar(SERVICE_COLOR[s]);
    const { x, y } = withNow(state.inventorySeries[s].x, state.inventorySeries[s].y, state.t);
    traces.push({ x, y, name: names[2 * i], mode: "lines",
      line: { shape: "hv", width: 4, color, dash: SERVICE_DASH[s] } });
    traces.push({ x: [0, Math.max(state.t, 1)], y: [state.capacity[s], state.capacity[s]],
      name: names[2 * i + 1], mode: "lines", showlegend: false, hoverinfo: "skip",
      line: { width: 1.5, color, dash: "longdash" }, opacity: 0.6 });
  });
  return traces;
}

function outcomeTraces(state, names) {
  const series = state.outcomeSeries;
  return Object.entries(OUTCOME_COLOR).map(([outcome, color], i) => {
    const { x, y } = series.x.length
      ? withNow([0, ...series.x], [0, ...series[outcome]], state.t)
      : { x: [0, state.t], y: [0, 0] };
    return { x, y, name: names[i], mode: "lines",
      line: { shape: "hv", width: 4, color: cssVar(color) } };
  });
}

function readoutHtml(state) {
  return STEPS.map((s) =>
    `<span class="inv inv-${s}" data-service="${s}"><b>${SERVICE_NAME[s]}</b> ` +
    `<span class="inv-value">${state.inventory[s]}/${state.capacity[s]}</span></span>`).join("");
}

const CHARTS = {
  inventory: { traces: inventoryTraces, names: inventoryNames, title: "available" },
  outcomes: { traces: outcomeTraces, names: outcomeNames, title: "sagas" },
};
const NAMES_AFTER_MS = 200; // a replay's legend counts follow once seeking pauses this long

/** Both charts and the inventory readout of `store`'s run, built into `root` (element ids
 * start with `prefix`): {render, reset, charts}, to mount on the store. Live, the charts
 * redraw at most once per frame, after it is painted, taking turns, and a chart that took d ms
 * waits 3·d ms before its next redraw, so they never take more than a quarter of the main
 * thread. A replay draws the whole run once; a seek then moves a curtain over what has not
 * happened yet (a shape: about a millisecond), and the legend's counts follow when seeking
 * pauses. Plotly (a third of a megabyte) loads only when the charts come near the viewport or
 * show() asks for them; until then `root` is marked data-deferred and draws nothing. */
export function createCharts(root, store, { prefix = "" } = {}) {
  const readout = el(`div.inventory-readout#${prefix}inventory-readout`, { "aria-live": "polite" });
  const divs = { inventory: el(`div.chart#${prefix}chart-inventory`),
    outcomes: el(`div.chart#${prefix}chart-outcomes`) };
  root.dataset.view = "charts";
  root.append(readout, el("div.chart-row", {},
    el("div.chart-box", {}, el("h3", {}, "Inventory available over time"), divs.inventory),
    el("div.chart-box", {}, el("h3", {}, "Saga outcomes over time"), divs.outcomes)));
  let latest = null; // the last render: {state, full, replay, selected, frame, catchingUp}
  const blank = () => ({ inventory: null, outcomes: null });
  let drawn = { inventory: 0, outcomes: 0 }; // the frame each chart shows
  const notBefore = { inventory: 0, outcomes: 0 };
  let base = blank(); // the finished run's state each chart draws whole (a replay's base)
  let shown = blank(); // what each chart shows now: {shapes, names} as JSON
  let colors = null;
  let scheduled = false;
  let turn = 0;
  const waiting = []; // show()'s callers, told once both charts show the latest render
  let wanted = false; // the charts have come into view (or show() asked): Plotly loads
  root.dataset.deferred = "true";
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) want();
  }, { rootMargin: NEAR });
  observer.observe(root);

  function want() {
    if (wanted) return;
    wanted = true;
    observer.disconnect();
    delete root.dataset.deferred;
    loadPlotly().then(() => {
      prime();
      schedule();
    }, () => {
      for (const div of Object.values(divs)) {
        div.textContent = "⚠ the charts could not load: reload the page";
        div.style.visibility = "";
      }
    });
  }

  /** Draw both charts empty (and hidden) in idle time before a run, so that the run's first
   * draw is an update rather than Plotly building a chart from nothing. */
  function prime() {
    for (const [which, div] of Object.entries(divs)) {
      whenIdle(() => {
        if (div.data || latest) return;
        div.style.visibility = "hidden";
        window.Plotly.newPlot(div, [], layout(CHARTS[which].title, []), CONFIG);
      });
    }
  }

  const shapes = (which) => {
    const { state, replay, full, selected } = latest;
    return shapesFor(state, selected, replay ? full.t : null, colors);
  };

  /** Draw `which` whole from the latest render (a live state, or a replay's base). */
  function drawChart(which) {
    const started = performance.now();
    const { state, full, replay } = latest;
    const { traces, names, title } = CHARTS[which];
    colors = { select: cssVar("--select"), panel: cssVar("--panel"), clock: cssVar("--pending") };
    const drawnShapes = shapes(which);
    const drawnNames = names(state);
    window.Plotly.react(divs[which], traces(replay ? full : state, drawnNames),
      layout(title, drawnShapes), CONFIG);
    divs[which].style.visibility = "";
    base[which] = state.finished || replay ? (replay ? full : state) : null;
    shown[which] = { shapes: JSON.stringify(drawnShapes), names: JSON.stringify(drawnNames) };
    const now = performance.now();
    notBefore[which] = now + 3 * (now - started);
    drawn[which] = latest.frame;
  }

  /** A replay whose base `which` shows: move the curtain now; true if the names are current. */
  function seekChart(which) {
    const next = shapes(which);
    const key = JSON.stringify(next);
    if (key !== shown[which].shapes) {
      window.Plotly.relayout(divs[which], { shapes: next });
      shown[which].shapes = key;
    }
    return JSON.stringify(CHARTS[which].names(latest.state)) === shown[which].names;
  }

  function nameChart(which) {
    const names = CHARTS[which].names(latest.state);
    window.Plotly.restyle(divs[which], { name: names });
    shown[which].names = JSON.stringify(names);
    drawn[which] = latest.frame;
  }

  const onBase = (which) => latest.replay && base[which] === latest.full && shown[which];

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => setTimeout(tick, 0)); // after the frame that drew the board
  }

  function tick() {
    scheduled = false;
    // board and timeline first: charts once the run is in, and Plotly once they are seen
    if (!latest || latest.catchingUp || !wanted || !window.Plotly) return;
    const order = turn ? ["outcomes", "inventory"] : ["inventory", "outcomes"];
    const now = performance.now();
    const stale = order.filter((k) => drawn[k] !== latest.frame);
    // a replay's seek moves each curtain (cheap, both now); names and whole draws take turns
    const moved = stale.filter((k) => onBase(k) && seekChart(k));
    for (const k of moved) drawn[k] = latest.frame;
    const which = stale.find((k) => !moved.includes(k) && now >= notBefore[k]);
    if (which) {
      turn ^= 1;
      if (onBase(which)) nameChart(which);
      else drawChart(which);
    }
    if (drawn.inventory === latest.frame && drawn.outcomes === latest.frame) {
      markDrawn(root, latest.frame, latest.state);
      for (const resolve of waiting.splice(0)) resolve();
    } else schedule();
  }

  return {
    charts: divs,
    /** Load Plotly now (an action needs the charts); resolves once both show the run. */
    show() {
      want();
      return new Promise((resolve) => {
        waiting.push(resolve);
        schedule();
      });
    },
    reset() {
      latest = null;
      base = blank();
      shown = blank();
      readout.textContent = "";
      // hidden until the new run's first draw replaces it: no Plotly work at Start
      for (const div of Object.values(divs)) div.style.visibility = "hidden";
    },
    render({ state, latest: full, selected, frame, catchingUp, restyled }) {
      const replay = Boolean(full && full.finished && state !== full);
      latest = { state, full, replay, selected, frame, catchingUp };
      readout.innerHTML = readoutHtml(state);
      if (restyled) base = blank(); // colours or type size changed: draw whole again
      if (replay) { // the legend's counts wait until seeking pauses
        const due = performance.now() + NAMES_AFTER_MS;
        for (const which of Object.keys(divs)) {
          if (onBase(which)) notBefore[which] = Math.max(notBefore[which], due);
        }
      }
      schedule();
    },
  };
}
