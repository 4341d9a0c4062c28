// "Compare with…": start the twin of the run on this page (same seed, one switch flipped)
// and open both side by side on the compare page.

import { el } from "./util.js";

/** The select element for `store`'s run; `mode()` is the run's mode; errors go to the store. */
export function createTwinMenu(store, mode) {
  const runId = () => store.runId;
  const select = el("select.small#twin-select", { "aria-label": "compare with a twin run" },
    el("option", { value: "" }, "compare with…"));
  let switches = null;
  const fill = async () => {
    if (!switches) switches = await (await fetch("/api/switches")).json();
    select.length = 1;
    for (const [name, { label, modes }] of Object.entries(switches)) {
      if (modes.includes(mode())) select.append(el("option", { value: name }, label));
    }
  };
  select.addEventListener("change", async () => {
    if (!select.value) return;
    const response = await fetch(`/api/runs/${runId()}/twin`, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ switch: select.value }) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      store.emit("run:error", { message: Object.values(data.errors || {}).join("; ") ||
        `the twin run could not start (${response.status})` });
      select.value = "";
      return;
    }
    sessionStorage.setItem(`saga-lab:token:${data.id}`, data.control_token);
    location.assign(data.compare_url);
  });
  return { select, fill };
}
