// Wires the experiments page: the link feeds experiment state onto the bus; the form,
// progress, charts, table and list render from it.

import { createBus } from "./bus.js";
import { initExperimentCharts } from "./experiments_charts.js";
import { initExperimentForm } from "./experiments_form.js";
import { linkExperiments } from "./experiments_link.js";
import { initExperimentList, initExperimentProgress } from "./experiments_progress.js";
import { initExperimentTable } from "./experiments_table.js";
import { initTheme } from "./theme.js";
import { perFrame } from "./util.js";

const $ = (id) => document.getElementById(id);
const isLive = (status) => status === "queued" || status === "running";
const bus = createBus();
const { emit, on } = bus;

/** The experiment on show: its spec, status, progress and points by index. */
let shown = null;

const render = perFrame(() => {
  if (!shown) return;
  const points = [...shown.points.values()].sort((a, b) => a.index - b.index);
  emit("exp:render", { ...shown, points });
  document.body.dataset.status = shown.status;
  document.body.dataset.points = String(points.length);
});

on("exp:reset", ({ id }) => {
  shown = { id, spec: null, status: "queued", progress: null, points: new Map(), error: null };
  render();
});

on("exp:loaded", ({ experiment, controller }) => {
  const first = !shown || shown.id !== experiment.id || !shown.spec;
  if (!shown || shown.id !== experiment.id) shown = { id: experiment.id, points: new Map() };
  // an experiment that ended stays ended: a snapshot taken before its end (a join's answer
  // overtaken by the end's message) does not bring "running" back
  const stale = isLive(experiment.status) && shown.status && !isLive(shown.status);
  Object.assign(shown, { name: experiment.name, spec: experiment.spec, controller },
    stale ? {} : { status: experiment.status, progress: experiment.progress,
      error: experiment.error });
  for (const point of experiment.points) shown.points.set(point.index, point);
  if (first) emit("exp:spec", { spec: experiment.spec });
  render();
});

on("exp:point", ({ point }) => {
  if (!shown) return;
  shown.points.set(point.index, point);
  render();
});

on("exp:status", (msg) => {
  if (!shown || (isLive(msg.status) && !isLive(shown.status))) return;
  Object.assign(shown, { status: msg.status, progress: msg.progress, error: msg.error });
  render();
});

initTheme($("theme-toggle"), () => render());
initExperimentForm($("exp-form"), bus);
initExperimentProgress($("exp-progress"), $("exp-empty"), bus);
initExperimentCharts($("exp-charts"), $("exp-order-key"), bus);
initExperimentTable($("exp-table"), bus);
initExperimentList($("exp-list"), bus);
linkExperiments(document.body.dataset.experimentId, bus);
