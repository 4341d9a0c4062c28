// The transcript: the tutorial's console log rendered from trace events, filterable by saga,
// following the live edge unless the reader scrolls back. Virtualised: only visible lines exist.

import { Transcript } from "./transcript.js";
import { el, escapeHtml, lowerBound, markDrawn, whenIdle } from "./util.js";
import { VirtualList } from "./vlist.js";

/** The log of `store`'s run, built into `root` (element ids start with `prefix`):
 * {render, reset, select}, to mount on the store. */
export function createLog(root, store, { prefix = "" } = {}) {
  let lines = [];
  let shown = lines; // lines or the filtered subset
  let filter = "";
  let selected = null;
  let transcript = new Transcript();
  let known = new Set();
  let sagas = []; // every saga seen, in order: options of the filter, added when idle or asked
  let offered = 0; // how many of them are options already
  let filling = false;
  let upto = Infinity; // the last seq shown: a replay that seeks back shows only the lines so far

  /** How many of the shown lines belong to events up to `upto`. */
  const visible = () => (upto === Infinity ? shown.length
    : lowerBound(shown, upto + 1, (l) => l.seq));

  function rowHtml(i) {
    const l = shown[i];
    const hl = selected && l.saga === selected ? " hl" : "";
    if (!l.text) return '<div class="log-line blank"></div>';
    return `<div class="log-line ${l.cls}${hl}"${l.saga ? ` data-saga="${l.saga}"` : ""}>` +
      `${escapeHtml(l.text)}</div>`;
  }

  const select = el(`select#${prefix}log-filter`, { "aria-label": "filter the log by saga",
    onchange: () => {
      filter = select.value;
      shown = filter ? lines.filter((l) => l.saga === filter || l.saga === null) : lines;
      list.update(visible());
      list.follow();
    } },
  el("option", { value: "" }, "all sagas"));
  // Thousands of options cost layout on every frame they change: they are added in idle time,
  // or all at once when the reader reaches for the filter.
  const offer = (n) => {
    const end = Math.min(sagas.length, offered + n);
    if (end > offered) {
      select.append(...sagas.slice(offered, end).map((id) => el("option", { value: id }, id)));
      offered = end;
    }
  };
  const fill = (deadline) => {
    while (offered < sagas.length && deadline.timeRemaining() > 2) offer(250);
    filling = offered < sagas.length;
    if (filling) whenIdle(fill);
  };
  const later = () => {
    if (!filling && offered < sagas.length) {
      filling = true;
      whenIdle(fill);
    }
  };
  for (const type of ["focus", "pointerdown", "keydown"]) {
    select.addEventListener(type, () => offer(Infinity));
  }
  const live = el(`button.small#${prefix}log-follow`, { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const scroller = el(`div.log-scroll#${prefix}log`, { tabindex: 0, role: "log" });
  root.dataset.view = "log";
  root.append(el("div.log-bar", {}, el("label", { for: `${prefix}log-filter` }, "Show "), select,
    live), scroller);
  const lineHeight = parseFloat(getComputedStyle(document.documentElement).fontSize) * 1.45;
  const list = new VirtualList(scroller, rowHtml, { rowHeight: Math.round(lineHeight) });
  scroller.addEventListener("follow", (e) => { live.hidden = e.detail; });
  scroller.addEventListener("click", (e) => {
    const line = e.target.closest("[data-saga]");
    if (line) store.select(line.dataset.saga, "log");
  });

  return {
    reset() {
      lines = [];
      shown = lines;
      transcript = new Transcript();
      known = new Set();
      sagas = [];
      offered = 0;
      filter = "";
      upto = Infinity;
      select.length = 1;
      list.clear();
    },
    render({ state, events, from, selected: chosen, frame }) {
      upto = state.seq;
      selected = chosen;
      for (let i = from; i < events.length; i += 1) {
        const e = events[i];
        if (e.saga && !known.has(e.saga)) {
          known.add(e.saga);
          sagas.push(e.saga);
        }
        for (const l of transcript.lines(e)) {
          lines.push(l);
          if (filter && shown !== lines && (l.saga === filter || l.saga === null)) shown.push(l);
        }
      }
      later();
      list.update(visible());
      list.whenPainted(() => markDrawn(root, frame, state));
    },
    select({ saga, source }) {
      if (!saga || source === "log") return;
      selected = saga;
      const index = shown.findIndex((l) => l.saga === saga);
      if (index >= 0 && index < visible()) list.reveal(index);
    },
  };
}
