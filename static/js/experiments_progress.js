// Progress of the experiment on show (status, runs/s, time left, cancel, CSV) and the list
// of stored experiments.

import { el, fmtN } from "./util.js";

const LIVE = new Set(["queued", "running"]);

/** One line that says what an experiment varies, e.g. "services.car.failure_rate 0–0.6 × mode". */
export function describe(spec) {
  if (!spec) return "";
  const s = spec.sweep;
  const factor = spec.factor ? ` × ${spec.factor.param}` : "";
  return `${s.param} ${s.from}–${s.to} step ${s.step}${factor}, ${fmtN(spec.replications)} reps`;
}

function seconds(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The bar's filled part; its width set through the CSSOM (the page's CSP refuses a style
 * attribute, which left the bar empty). */
function fill(share) {
  const span = el("span");
  span.style.width = `${share.toFixed(1)}%`;
  return span;
}

export function initExperimentProgress(root, empty, { emit, on }) {
  // One Cancel button for the page's life, placed before the numbers that change every frame,
  // so it stays attached and still while a pointer (or a test) aims at it.
  const cancel = el("button.small#exp-cancel", { type: "button", onclick: () => emit("exp:cancel") },
    "Cancel");
  on("exp:render", (exp) => {
    empty.hidden = true;
    const p = exp.progress || {};
    const share = p.runs_total ? (100 * p.runs_done) / p.runs_total : 0;
    const live = LIVE.has(exp.status);
    root.replaceChildren(
      el("div.exp-head", {},
        el("p.exp-title", {}, exp.name || describe(exp.spec) || `experiment ${exp.id}`),
        el(`span.exp-status.${exp.status}#exp-status`, {}, exp.status),
        live && exp.controller ? cancel : null,
        el("span.exp-numbers#exp-numbers", {},
          `points ${fmtN(p.points_done || 0)}/${fmtN(p.points_total || 0)} · `,
          `runs ${fmtN(p.runs_done || 0)}/${fmtN(p.runs_total || 0)} · `,
          `${fmtN(Math.round(p.runs_per_second || 0))} runs/s · `,
          live ? `${seconds(p.eta_seconds)} left` : `${seconds(p.elapsed)} in all`),
        exp.points.length
          ? el("a#exp-csv", { href: `/api/experiments/${exp.id}.csv`, download: "" }, "CSV")
          : null,
        el("div.exp-bar", { role: "progressbar", "aria-valuenow": Math.round(share),
          "aria-valuemin": 0, "aria-valuemax": 100 }, fill(share)),
        exp.error ? el("p.exp-error", {}, exp.error) : null),
    );
  });
  on("exp:error", ({ message }) => {
    root.replaceChildren(el("p.exp-error", {}, message));
  });
}

export function initExperimentList(root, { emit, on }) {
  let currentId = document.body.dataset.experimentId || null;
  async function refresh() {
    const reply = await fetch("/api/experiments");
    if (!reply.ok) return;
    const items = await reply.json();
    if (!items.length) {
      root.replaceChildren(el("p.muted", {}, "No experiments yet."));
      return;
    }
    const rows = items.map((x) =>
      el(`tr${x.id === currentId ? ".current" : ""}`, {},
        el("td", {}, el("a", { href: `/experiments/${x.id}`, onclick: (e) => {
          e.preventDefault();
          emit("exp:open", { id: x.id });
        } }, x.name || describe(x.spec))),
        el("td", {}, new Date(x.created * 1000).toLocaleString()),
        el(`td.exp-status.${x.status}`, {}, x.status),
        el("td", {}, `${fmtN(x.progress.runs_done)}/${fmtN(x.progress.runs_total)}`)));
    root.replaceChildren(el("table.exp-table#exp-history", {},
      el("thead", {}, el("tr", {}, ["what", "created", "status", "runs"].map((h) =>
        el("th", {}, h)))),
      el("tbody", {}, rows)));
  }
  on("exp:list-changed", refresh);
  on("exp:reset", ({ id }) => {
    currentId = id;
    refresh();
  });
  refresh();
}
