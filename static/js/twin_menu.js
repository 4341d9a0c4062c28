// "Compare with…": start the twin of the run on this page (same seed, one switch flipped)
// and open both side by side on the compare page.

import { postRun } from "./run_actions.js";
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
  select.addEventListener("change", () => {
    if (!select.value) return;
    const chosen = select.value;
    select.value = "";
    postRun(store, `/api/runs/${runId()}/twin`, { switch: chosen }, (d) => d.compare_url);
  });
  return { select, fill };
}
