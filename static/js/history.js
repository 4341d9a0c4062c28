// The history page: local times, re-run, new seed, "compare with…" a twin, delete.

import { initTheme } from "./theme.js";

const errorBox = document.getElementById("history-error");

function showError(message) {
  errorBox.textContent = `⚠ ${message}`;
}

async function send(method, url, body) {
  const response = await fetch(url, { method, headers: { "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const errors = data.errors ? Object.entries(data.errors).map(([k, v]) => `${k}: ${v}`)
      : [data.error || `${response.status} ${response.statusText}`];
    throw new Error(errors.join("; "));
  }
  return data;
}

const TOKEN_KEY = (id) => `saga-lab:token:${id}`;

/** Remember the control token of a run this tab started (the dashboard reads it). */
function keep(started) {
  sessionStorage.setItem(TOKEN_KEY(started.id), started.control_token);
}

/** The token to delete run `id` with: this tab's control token for it, else one the user
 * pastes (the run's token from elsewhere, or the administrator token); null if none. */
function deleteToken(id, what) {
  const own = sessionStorage.getItem(TOKEN_KEY(id));
  if (own) {
    const sure = confirm(`Delete run ${id} (${what}) and all its events? This cannot be undone.`);
    return sure ? own : undefined;
  }
  const pasted = prompt(`Only the run's starter or an administrator may delete run ${id} ` +
    `(${what}), and this tab did not start it. Paste its control token or the administrator ` +
    "token to delete it and all its events:");
  if (pasted === null) return undefined;
  return pasted.trim() || null;
}

async function act(row, action, value) {
  const id = row.dataset.run;
  errorBox.textContent = "";
  try {
    if (action === "rerun-same" || action === "rerun-new") {
      const started = await send("POST", `/api/runs/${id}/rerun`,
        { seed: action === "rerun-same" ? "same" : "new" });
      keep(started);
      location.assign(started.url);
    } else if (action === "twin" && value) {
      const started = await send("POST", `/api/runs/${id}/twin`, { switch: value });
      keep(started);
      location.assign(started.compare_url);
    } else if (action === "delete") {
      const token = deleteToken(id, row.querySelector("b").textContent);
      if (token === undefined) return;
      if (token === null) {
        showError(`run ${id}: not deleted: deleting needs the run's control token, which only ` +
          "the browser tab that started it holds, or the administrator token");
        return;
      }
      await send("DELETE", `/api/runs/${id}`, { token });
      location.reload();
    }
  } catch (err) {
    showError(`run ${id}: ${err.message}`);
  }
}

for (const time of document.querySelectorAll("time[data-created]")) {
  const when = new Date(Number(time.dataset.created) * 1000);
  time.dateTime = when.toISOString();
  time.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
const table = document.getElementById("runs-table");
for (const button of document.querySelectorAll("button[data-action='delete']:not([disabled])")) {
  if (!sessionStorage.getItem(TOKEN_KEY(button.closest("tr").dataset.run))) {
    button.title = "this tab did not start this run: deleting it asks for its control token " +
      "or the administrator token";
  }
}
if (table) {
  table.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-action]");
    if (button) act(button.closest("tr"), button.dataset.action);
  });
  table.addEventListener("change", (e) => {
    const select = e.target.closest("select[data-action]");
    if (select && select.value) act(select.closest("tr"), "twin", select.value);
  });
}
initTheme(document.getElementById("theme-toggle"));
