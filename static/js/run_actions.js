// Start a run from the run on this page: re-run it (same seed; an interrupted run offers
// this first) or "show the fix" (its preset's remedy on the same seed, opened side by side
// on the compare page). The twin menu starts its runs through `postRun` too.

import { el } from "./util.js";

/** POST `path` with `body`; on 201 keep the new run's control token and go to `next(data)`,
 * else report the server's field errors on the store. */
export async function postRun(store, path, body, next) {
  const response = await fetch(path, { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    store.emit("run:error", { message: Object.values(data.errors || {}).join("; ") ||
      `the run could not start (${response.status})` });
    return;
  }
  sessionStorage.setItem(`saga-lab:token:${data.id}`, data.control_token);
  location.assign(next(data));
}

/** The buttons for `store`'s run: {element, fill(run)} where `run` is the REST run object. */
export function createRunActions(store) {
  const rerun = el("button.small#btn-rerun", { type: "button", hidden: true,
    title: "the same parameters, seed and faults again",
    onclick: () => postRun(store, `/api/runs/${store.runId}/rerun`, { seed: "same" },
      (d) => d.url) }, "⟲ Re-run");
  const fix = el("button.small.fix#btn-fix", { type: "button", hidden: true,
    onclick: () => postRun(store, `/api/runs/${store.runId}/remedy`, {},
      (d) => d.compare_url) });
  return {
    element: el("span.run-actions", {}, rerun, fix),
    fill(run) {
      rerun.hidden = !run;
      rerun.classList.toggle("primary", Boolean(run && run.status === "interrupted"));
      fix.hidden = !(run && run.remedy);
      if (run && run.remedy) {
        fix.textContent = `✓ Show the fix: ${run.remedy}`;
        fix.title = `run ${run.remedy} on seed ${run.params.seed} and compare side by side`;
      }
    },
  };
}
