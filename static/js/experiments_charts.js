// Plotly charts of an experiment: success rate with 95% CIs (a line per factor level),
// stacked outcomes, invariant violation rate, compensations performed per run (95% CIs)
// against expected. A factor level is named by levelLabel ("retries = 1", "car → hotel → flight ◆").

import { levelLabel, ORDER, orderLabel } from "./experiments_order.js";
import { el } from "./util.js";
import { loadPlotly } from "./plotly_loader.js";

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F"];
const OUTCOMES = [
  ["completed", "--ok"], ["compensated", "--comp"], ["stuck", "--fail"],
  ["flagged", "--warn"], ["not_started", "--muted"],
];

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Points grouped by factor level, in level order, each group sorted by swept value. */
function byLevel(points) {
  const groups = new Map();
  for (const p of points) {
    const key = JSON.stringify(p.level);
    if (!groups.has(key)) groups.set(key, { level: p.level, points: [] });
    groups.get(key).points.push(p);
  }
  for (const g of groups.values()) g.points.sort((a, b) => a.value - b.value);
  return [...groups.values()];
}

/** Plotly layout in the page's colours; `xRange` stays put while points arrive. */
function layout(xTitle, xRange, yTitle, extra = {}) {
  const fg = css("--fg");
  const grid = css("--lane");
  return {
    margin: { l: 56, r: 12, t: 34, b: 48 },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: fg, size: 13 },
    xaxis: { title: { text: xTitle }, gridcolor: grid, zeroline: false, range: xRange },
    yaxis: { title: { text: yTitle }, gridcolor: grid, zeroline: false },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    ...extra,
  };
}

/** Orders longer than this are "order 1", "order 2" in the charts, spelled out in the key. */
const LONG_ORDER = 36;

/** How the charts name each group's level: levelLabel, or "order N" when an order's steps
 * would not fit a legend (the key above the charts then lists them). */
function namer(named, groups) {
  const long = named === ORDER && groups.some((g) => orderLabel(g.level).length > LONG_ORDER);
  const names = new Map(groups.map((g, i) =>
    [g, long ? `order ${i + 1}` : levelLabel(named, g.level)]));
  return { long, name: (g) => names.get(g) };
}

function withCi(group, i, named, y, ci, hover) {
  const label = named ? named.name(group) : "all";
  return {
    x: group.points.map((p) => p.value), y: group.points.map(y),
    error_y: { type: "data", symmetric: false, visible: true, thickness: 1.5,
      array: group.points.map((p) => ci(p)[1] - y(p)),
      arrayminus: group.points.map((p) => y(p) - ci(p)[0]) },
    mode: "lines+markers", name: label,
    line: { color: PALETTE[i % PALETTE.length], width: 3 }, showlegend: Boolean(named),
    text: hover ? group.points.map(hover) : undefined,
  };
}

function outcomeTraces(groups, width) {
  const present = OUTCOMES.filter(([k]) => groups.some((g) => g.points.some((p) => p[k] > 0)));
  return groups.flatMap((g, i) => present.map(([key, colour]) => ({
    type: "bar", name: key, legendgroup: key, showlegend: i === 0,
    x: g.points.map((p) => p.value), y: g.points.map((p) => (p.sagas ? p[key] / p.sagas : 0)),
    marker: { color: css(colour) }, xaxis: `x${i + 1}`, yaxis: `y${i + 1}`, width,
  })));
}

function draw(root, key, exp) {
  const { spec, points } = exp;
  const groups = byLevel(points);
  const named = spec.factor ? namer(spec.factor.param, groups) : null;
  key.hidden = !named?.long;
  key.replaceChildren(...(named?.long ? groups.map((g, i) => el("li", {},
    el("b", { dataset: { colour: String(i % PALETTE.length) } }, `${named.name(g)}: `),
    orderLabel(g.level))) : []));
  const x = spec.sweep.param;
  const { from, to, step } = spec.sweep;
  const xRange = [from - step / 2, to + step / 2]; // the swept range, half a step either side
  const Plotly = window.Plotly;
  const config = { displaylogo: false, responsive: true };

  Plotly.react("chart-success",
    groups.map((g, i) => withCi(g, i, named, (p) => p.success_rate, (p) => p.ci95)),
    layout(x, xRange, "success rate", { yaxis: { range: [0, 1.02], title: { text: "success rate" },
      gridcolor: css("--lane"), tickformat: ".0%" } }), config);

  const cols = Math.max(1, groups.length);
  // side by side panels too narrow for the swept parameter's name under each (a phone): one
  // name under them all, and smaller panel titles
  const cramped = cols > 1 && root.clientWidth / cols < 260;
  const axes = {};
  groups.forEach((g, i) => {
    const lane = css("--lane");
    axes[`xaxis${i ? i + 1 : ""}`] = { title: { text: cramped ? "" : x }, gridcolor: lane,
      range: xRange };
    axes[`yaxis${i ? i + 1 : ""}`] = { range: [0, 1], tickformat: ".0%", gridcolor: css("--lane") };
  });
  Plotly.react("chart-outcomes", outcomeTraces(groups, 0.8 * step), layout(x, xRange, "share of sagas", {
    ...axes, barmode: "stack", grid: { rows: 1, columns: cols, pattern: "independent" },
    annotations: [...(named ? groups.map((g, i) => ({
      text: named.name(g), showarrow: false, xref: `x${i ? i + 1 : ""} domain`,
      yref: "paper", x: 0.5, y: 1.0, yanchor: "bottom", font: { size: cramped ? 10 : 13 } }))
      : []), ...(cramped ? [{ text: x, showarrow: false, xref: "paper", yref: "paper",
      x: 0.5, y: -0.16, yanchor: "top", font: { size: 13 } }] : [])],
    margin: { l: 56, r: 12, t: named ? 58 : 34, b: 48 },
    legend: { orientation: "h", x: 0, y: 1.14, yanchor: "bottom" },
  }), config);

  const checks = (p) => Object.entries(p.violations).map(([k, n]) => `${k}: ${n} runs`)
    .join("<br>") || "no violations";
  Plotly.react("chart-violations",
    groups.map((g, i) => ({ ...withCi(g, i, named, (p) => p.violation_rate,
      (p) => p.violation_ci95, checks), hovertemplate: "%{y:.1%}<br>%{text}" })),
    layout(x, xRange, "runs with a violation", { yaxis: { range: [0, 1.02], tickformat: ".0%",
      title: { text: "runs with a violation" }, gridcolor: css("--lane") } }), config);

  Plotly.react("chart-compensations", groups.flatMap((g, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const label = named ? `, ${named.name(g)}` : "";
    const xs = g.points.map((p) => p.value);
    const perRun = (key) => g.points.map((p) => (p.runs ? p.compensations[key] / p.runs : 0));
    // the interval of the mean per run (points stored before it was kept have none)
    const interval = g.points.every((p) => p.compensations.per_run) ? {
      type: "data", symmetric: false, visible: true, thickness: 1.5,
      array: g.points.map((p) => p.compensations.per_run.ci95[1] - p.compensations.per_run.mean),
      arrayminus: g.points.map((p) => p.compensations.per_run.mean - p.compensations.per_run.ci95[0]),
    } : undefined;
    return [
      { x: xs, y: perRun("performed"), mode: "lines+markers", name: `performed${label}`,
        line: { color: colour, width: 3 }, error_y: interval },
      { x: xs, y: perRun("expected"), mode: "lines+markers", name: `expected${label}`,
        line: { color: colour, width: 2, dash: "dot" }, marker: { symbol: "x", size: 9 } },
    ];
  }), layout(x, xRange, "compensations per run"), config);
}

/** Draw each render with points into `root`; Plotly loads with an experiment's first point. */
export function initExperimentCharts(root, key, { on }) {
  let latest = null;
  const hasPoints = () => Boolean(latest.spec && latest.points.length);
  const show = () => {
    const ready = hasPoints() && Boolean(window.Plotly);
    root.hidden = !ready;
    if (ready) draw(root, key, latest);
    else key.hidden = true;
  };
  on("exp:render", (exp) => {
    latest = exp;
    if (hasPoints() && !window.Plotly) loadPlotly().then(show);
    show();
  });
}
