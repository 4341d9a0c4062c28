// The saga board: a row per saga, a cell per step. Forward steps light up left to right;
// compensations run right to left in their own colour, numbered in the order they ran.

import { cellView, LEGEND, sagaNote } from "./cells.js";
import { el, escapeHtml, markDrawn, STEPS } from "./util.js";
import { VirtualList } from "./vlist.js";

export const BADGE = {
  running: ["▶", "running"], compensating: ["↩", "compensating"],
  completed: ["✓", "completed"], compensated: ["↩", "compensated"],
  stuck: ["◔", "stuck"], flagged: ["⚠", "attention"],
};

const TITLE = {
  running: "forward steps in progress", compensating: "undoing its completed steps",
  completed: "every step booked", compensated: "failed; its completed steps were undone",
  stuck: "the run ended before this saga did",
  flagged: "a compensation kept failing: needs manual intervention",
};

function cellHtml(step, saga) {
  const v = cellView(step, saga, saga.ended !== null);
  const rank = v.rank ? `<sup>${v.rank}</sup>` : "";
  const extras = v.extras.map((x) => ` <b class="x ${x.cls}">${x.text}</b>`).join("");
  const tag = v.tag ? ` <span class="tag">${v.tag}</span>` : "";
  const size = v.word.length + v.extras.reduce((n, x) => n + x.text.length + 1, 0) +
    (v.tag ? v.tag.length + 1 : 0);
  const long = size > 11 ? " long" : ""; // wraps onto two lines rather than being cut
  return `<span class="cell ${v.cls.join(" ")}${long}" data-step="${step}" ` +
    `title="${escapeHtml(v.title)}">` +
    `${v.icon}${rank} <span class="w">${v.word}</span>${extras}${tag}</span>`;
}

function rowHtml(saga, selected, state) {
  const [icon, word] = BADGE[saga.outcome];
  const related = selected && saga.related.includes(selected);
  const cls = `saga-row outcome-${saga.outcome}${saga.id === selected ? " selected" : ""}` +
    (related ? " related" : "") + (saga.violations.length ? " violated" : "");
  const note = sagaNote(saga, state);
  const noteHtml = note
    ? `<span class="note note-${note.kind}" title="${escapeHtml(note.title)}">${note.text}</span>`
    : "";
  const warn = saga.violations.length
    ? `<span class="violation" title="${saga.violations.join(", ")}">⚠ ${saga.violations[0]}` +
      "</span>" : "";
  return `<div class="${cls}" data-saga="${saga.id}">` +
    `<span class="sid">${saga.id}</span>` +
    STEPS.map((step) => cellHtml(step, saga)).join("") +
    `<span class="badge badge-${saga.outcome}${note ? ` has-note note-${note.kind}` : ""}" ` +
    `title="${TITLE[saga.outcome]}"><span class="bw">${icon} ${word}` +
    `${saga.timedOut ? " ◷" : ""}</span>${noteHtml}` +
    `</span>${warn}</div>`;
}

function countsHtml(state) {
  const o = state.outcomes;
  const running = state.order.length - o.completed - o.compensated - o.stuck - o.flagged;
  return `<span>${state.order.length} sagas</span>` +
    `<span class="count badge-running">▶ ${running} running</span>` +
    `<span class="count badge-completed">✓ ${o.completed} completed</span>` +
    `<span class="count badge-compensated">↩ ${o.compensated} compensated</span>` +
    `<span class="count badge-stuck">◔ ${o.stuck} stuck</span>` +
    `<span class="count badge-flagged">⚠ ${o.flagged} need attention</span>`;
}

/** The legend: every style a cell or a badge can have, each with what it means. */
function legend(prefix, open) {
  const items = LEGEND.map(([cls, text, meaning]) => el("span.legend-item", { title: meaning },
    el(`span.cell.mini.${cls.split(" ").join(".")}`, {}, text), el("span.meaning", {}, meaning)));
  items.push(el("span.legend-item", {}, el("span.note.note-waiting.mini", {}, "❚❚ waits: orchestrator"),
    el("span.meaning", {}, "the saga waits for a crashed actor")),
  el("span.legend-item", {}, el("span.note.note-idle.mini", {}, "idle 9.7 s"),
    el("span.meaning", {}, "nothing has happened to it for that long")),
  el("span.legend-item", {}, el("span.related-key.mini", {}, "BOOK001"),
    el("span.meaning", {}, "the saga related to the selected one (it held the unit)")));
  return el(`details.board-legend#${prefix}board-legend`, { open },
    el("summary", {}, "What the cells mean"), el("div.legend", {}, items));
}

/** The board of `store`'s run, built into `root` (element ids start with `prefix`; the
 * legend open if `legendOpen`: by default where there is room for it, a projector, and one
 * click away on a laptop): {render, reset, select}, to mount on the store. */
export function createBoard(root, store,
  { prefix = "", legendOpen = window.innerWidth >= 1600 } = {}) {
  let state = null;
  let selected = null;
  const counts = el(`div.board-counts#${prefix}board-counts`);
  const head = el("div.board-head", { "aria-hidden": "true" }, el("span.sid", {}, "saga"),
    ...[["1 flight", "flt"], ["2 hotel", "htl"], ["3 car", "car"]].map(([long, short]) =>
      el("span.colhead", {}, el("span.long", {}, long), el("span.short", {}, short))),
    el("span.colhead.badgehead", {}, "outcome"));
  const scroller = el(`div.board-scroll#${prefix}board-rows`, { tabindex: 0,
    "aria-label": "one row per saga: flight, hotel, car, outcome" });
  const live = el(`button.small.follow#${prefix}board-follow`, { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const empty = el(`p.empty#${prefix}board-empty`, {}, "No run yet: pick a preset, then press ",
    el("b", {}, "▶ Start"), " (or ", el("kbd", {}, "space"), ").");
  store.on("run:joined", () => { empty.hidden = true; });
  root.dataset.view = "board";
  root.append(counts, empty, head, scroller, el("div.board-foot", {}, legend(prefix, legendOpen),
    live));
  const rowHeight = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.2);
  const list = new VirtualList(scroller,
    (index) => rowHtml(state.sagas.get(state.order[index]), selected, state), { rowHeight });
  scroller.addEventListener("follow", (e) => { live.hidden = e.detail; });
  // The rows' box is as tall as the sagas the run will start (a lesson's 5 leave no empty box
  // above the timeline on a projector), up to its usual height; set once per run, so that it
  // does not move the page below as sagas start or a replay seeks.
  let planned = null;
  const fitRows = (bookings) => {
    if ((bookings || null) === planned) return;
    planned = bookings || null;
    if (planned) scroller.style.setProperty("--rows-height", `${planned * rowHeight + 2}px`);
    else scroller.style.removeProperty("--rows-height");
  };
  scroller.addEventListener("click", (e) => {
    const row = e.target.closest("[data-saga]");
    if (row) store.select(row.dataset.saga === selected ? null : row.dataset.saga, "board");
  });

  return {
    reset() {
      state = null;
      selected = null;
      list.clear();
    },
    render({ state: s, selected: chosen, frame }) {
      state = s;
      selected = chosen;
      fitRows(s.params && s.params.bookings);
      list.update(s.order.length);
      counts.innerHTML = countsHtml(s);
      list.whenPainted(() => markDrawn(root, frame, s));
    },
    select({ saga, source }) {
      if (!state || source === "board" || !saga) return;
      const index = state.sagas.get(saga)?.index;
      if (index !== undefined) {
        selected = saga;
        list.reveal(index);
        live.hidden = false;
      }
    },
  };
}
