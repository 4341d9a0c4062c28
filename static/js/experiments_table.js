// The experiment's points as a table: one row per (swept value, factor level); an order of
// the saga's steps as "car → hotel → flight ◆".

import { ORDER, orderLabel } from "./experiments_order.js";
import { el, fmtN } from "./util.js";

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const num = (x) => x.toFixed(2);

const COLUMNS = [
  ["runs", (p) => fmtN(p.runs)],
  ["success rate", (p) => pct(p.success_rate)],
  ["95% CI", (p) => `${pct(p.ci95[0])} – ${pct(p.ci95[1])}`],
  ["per-run mean", (p) => pct(p.per_run.mean)],
  ["completed", (p) => fmtN(p.completed)],
  ["compensated", (p) => fmtN(p.compensated)],
  ["stuck", (p) => fmtN(p.stuck), (p) => p.stuck > 0],
  ["flagged", (p) => fmtN(p.flagged), (p) => p.flagged > 0],
  ["violating runs", (p) => pct(p.violation_rate), (p) => p.violation_rate > 0],
  ["comp. per run (95% CI)", (p) => (p.compensations.per_run
    ? `${num(p.compensations.per_run.mean)} (${num(p.compensations.per_run.ci95[0])} – ` +
      `${num(p.compensations.per_run.ci95[1])})` : "–")],
  ["comp. performed / expected", (p) =>
    `${fmtN(p.compensations.performed)} / ${fmtN(p.compensations.expected)}`,
  (p) => p.compensations.performed !== p.compensations.expected],
  ["retries", (p) => fmtN(p.retries)],
  ["duplicates prevented", (p) => fmtN(p.duplicates_prevented)],
];

export function initExperimentTable(root, { on }) {
  on("exp:render", ({ spec, points }) => {
    if (!spec || !points.length) {
      root.replaceChildren();
      return;
    }
    const factor = spec.factor ? spec.factor.param : "level";
    const head = [spec.sweep.param, factor, ...COLUMNS.map(([name]) => name)];
    const rows = points.map((p) =>
      el("tr", { dataset: { index: String(p.index) } },
        el("td", {}, String(p.value)),
        spec.factor?.param === ORDER ? el("td.exp-order-cell", {}, orderLabel(p.level))
          : el("td", {}, p.level === null ? "–" : String(p.level)),
        COLUMNS.map(([, cell, bad]) => el(`td${bad && bad(p) ? ".bad" : ""}`, {}, cell(p)))));
    root.replaceChildren(el("table.exp-table#exp-points", {},
      el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)));
  });
}
