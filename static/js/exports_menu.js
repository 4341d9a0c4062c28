// The export menu of a run: events (JSON Lines, CSV), summary, transcript, the questions a
// class was asked about it, each chart as PNG, and the run's permalink.

import { el } from "./util.js";

function files(id) {
  return [
    ["events.jsonl", `/api/runs/${id}/events`, `${id}.jsonl`],
    ["events.csv", `/api/runs/${id}/events.csv`, `${id}.csv`],
    ["summary.json", `/api/runs/${id}/summary.json`, `${id}-summary.json`],
    ["transcript.txt", `/api/runs/${id}/transcript.txt`, `${id}.txt`],
    ["polls.json", `/api/runs/${id}/polls`, `${id}-polls.json`],
  ];
}

/** The menu element; `runId()` names the run shown when the menu opens; `charts` is the run's
 * charts view ({charts: name -> element, png(name, filename)}). */
export function createExports(runId, charts) {
  const list = el("div.export-list#export-list");
  const fill = () => {
    const id = runId();
    list.replaceChildren(
      ...files(id).map(([label, href, name]) =>
        el("a.export-link", { href, download: name, dataset: { export: label } }, label)),
      ...Object.keys(charts.charts).map((what) => el("button.small.export-link",
        { type: "button", dataset: { export: `${what}.png` },
          onclick: () => charts.png(what, `${id}-${what}`) },
        `${what} chart .png`)),
      el("a.export-link#permalink", { href: `/runs/${id}`, dataset: { export: "permalink" } },
        "permalink"),
    );
  };
  const menu = el("details.export-menu#export-menu", { ontoggle: () => {
    if (menu.open) fill();
  } }, el("summary", {}, "⇩ Export"), list);
  return menu;
}
