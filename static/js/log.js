// The transcript: the tutorial's console log rendered from trace events, filterable by saga,
// following the live edge unless the reader scrolls back. Virtualised: only visible lines exist.

import { emit, on } from "./bus.js";
import { Transcript } from "./transcript.js";
import { el, escapeHtml } from "./util.js";
import { VirtualList } from "./vlist.js";

let lines = [];
let shown = lines; // lines or the filtered subset
let filter = "";
let selected = null;
let transcript = new Transcript();
let list;
let select;
let known = new Set();

function rowHtml(i) {
  const l = shown[i];
  const hl = selected && l.saga === selected ? " hl" : "";
  if (!l.text) return '<div class="log-line blank"></div>';
  return `<div class="log-line ${l.cls}${hl}"${l.saga ? ` data-saga="${l.saga}"` : ""}>` +
    `${escapeHtml(l.text)}</div>`;
}

function applyFilter() {
  shown = filter ? lines.filter((l) => l.saga === filter || l.saga === null)
    : lines;
  list.update(shown.length);
}

/** Build the log into `root`. */
export function initLog(root) {
  select = el("select#log-filter", { "aria-label": "filter the log by saga",
    onchange: () => { filter = select.value; list.follow(); applyFilter(); } },
  el("option", { value: "" }, "all sagas"));
  const live = el("button.small#log-follow", { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const scroller = el("div.log-scroll#log", { tabindex: 0, role: "log" });
  root.append(el("div.log-bar", {}, el("label", { for: "log-filter" }, "Show "), select, live),
    scroller);
  const lineHeight = parseFloat(getComputedStyle(document.documentElement).fontSize) * 1.45;
  list = new VirtualList(scroller, rowHtml, { rowHeight: Math.round(lineHeight) });
  scroller.addEventListener("follow", (e) => { live.hidden = e.detail; });
  scroller.addEventListener("click", (e) => {
    const line = e.target.closest("[data-saga]");
    if (line) emit("select", { saga: line.dataset.saga, source: "log" });
  });

  on("reset", () => {
    lines = [];
    shown = lines;
    transcript = new Transcript();
    known = new Set();
    filter = "";
    select.length = 1;
    list.clear();
  });
  on("render", ({ events, from }) => {
    const fresh = [];
    for (let i = from; i < events.length; i += 1) {
      const e = events[i];
      if (e.saga && !known.has(e.saga)) {
        known.add(e.saga);
        select.append(el("option", { value: e.saga }, e.saga));
      }
      for (const l of transcript.lines(e)) fresh.push(l);
    }
    for (const l of fresh) lines.push(l);
    if (filter) for (const l of fresh) { if (l.saga === filter || l.saga === null) shown.push(l); }
    list.update(shown.length);
  });
  on("select", ({ saga, source }) => {
    selected = saga;
    if (saga && source !== "log") {
      const index = shown.findIndex((l) => l.saga === saga);
      if (index >= 0) list.reveal(index);
    } else list.draw();
  });
}
