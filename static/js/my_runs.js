// "Your live runs": the runs this browser started that are still live, each with Open and
// Stop, shown under the controls when the server refuses a start at the live-run limit (a
// student who started runs in other tabs or before a reload finds and stops them here).

import { el } from "./util.js";

const KEY = "saga-lab:my-runs";
const KEEP = 30; // the latest runs remembered

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

/** Remember a run this browser started, with its control token (to stop it later). */
export function rememberRun(id, token) {
  const runs = remembered().filter((r) => r.id !== id);
  runs.push({ id, token });
  localStorage.setItem(KEY, JSON.stringify(runs.slice(-KEEP)));
}

/** The remembered runs that are live now, as their REST records with the token. */
async function liveRuns() {
  const found = await Promise.all(remembered().map(async ({ id, token }) => {
    const response = await fetch(`/api/runs/${id}`).catch(() => null);
    const run = response && response.ok ? await response.json() : null;
    return run && run.live ? { ...run, token } : null;
  }));
  return found.filter(Boolean);
}

/** The list, built under the controls (`root`); `socket` stops a run with its token. It opens
 * when `store` says a start was refused for the limit and closes when a start succeeds. */
export function initMyRuns(root, store, socket) {
  const box = el("div.my-runs#my-runs", { hidden: true, role: "region",
    "aria-label": "your live runs" });
  root.append(box);
  let reason = "";

  async function draw() {
    const runs = await liveRuns();
    const items = runs.map((run) => el("li", { dataset: { run: run.id } },
      el("a", { href: run.url || `/runs/${run.id}` }, `${run.preset || "custom"} · ${run.id}`),
      ` ${run.status}, t=${Number(run.t || 0).toFixed(1)} `,
      el("button.small", { type: "button", dataset: { stop: run.id }, onclick: () => stop(run) },
        "■ Stop")));
    box.replaceChildren(el("p.control-error", {}, `⚠ ${reason}`),
      items.length ? el("p", {}, "Your live runs in this browser:") : el("p.muted", {},
        "No live run was started in this browser: the others are someone else's on this " +
        "address, or wait for one to finish."),
      items.length ? el("ul", {}, items) : null,
      el("button.small", { type: "button", onclick: () => { box.hidden = true; } }, "Close"));
    box.hidden = false;
    box.dataset.runs = String(runs.length);
    box.querySelector("button")?.focus();
  }

  function stop(run) {
    socket.emit("control_run", { run_id: run.id, token: run.token, action: "stop" }, () => draw());
  }

  store.on("run:refused", ({ message }) => {
    reason = message;
    draw();
  });
  store.on("run:joined", ({ runId, started }) => {
    if (started) box.hidden = true;
    if (runId) box.dataset.latest = runId;
  });
}
