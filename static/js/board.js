// The saga board: a row per saga, a cell per step. Forward steps light up left to right;
// compensations run right to left in their own colour, numbered in the order they ran.

import { cellView, legendFor, sagaNote } from "./cells.js";
import { sagaOf } from "./saga.js";
import { el, escapeHtml, markDrawn } from "./util.js";
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

/** What a saga's outcome badge means, with the reason it is not moving, if any. */
function badgeTitle(saga, note) {
  const why = saga.violations.length ? `; fails: ${[...new Set(saga.violations)].join(", ")}` : "";
  return `${TITLE[saga.outcome]}${note ? `; ${note.title}` : ""}${why}`;
}

/** The cause a cell (a step, or "outcome": the badge) tells, in words: what its tooltip says,
 * shown as text under the board when the cell is tapped or focused (a touch screen and a
 * keyboard have no tooltips). */
export function causeText(state, sagaId, part) {
  const saga = state && state.sagas.get(sagaId);
  if (!saga) return "";
  const text = part === "outcome" ? badgeTitle(saga, sagaNote(saga, state))
    : state.saga.byName[part]
      ? cellView(part, saga, saga.ended !== null, state.saga.byName[part]).title : "";
  return text ? `${sagaId} · ${text}` : "";
}

/** The first saga on the board that a failing check names (the evidence that appeared
 * first, as a rule), which the board keeps in view while it follows the run, or null. */
export function namedByChecks(state) {
  let first = null;
  for (const inv of Object.values(state.invariants)) {
    if (inv.ok) continue;
    for (const id of inv.sagas) {
      const saga = id && state.sagas.get(id);
      if (saga && (!first || saga.index < first.index)) first = saga;
    }
  }
  return first ? first.id : null;
}

function cellHtml(step, saga, def) {
  const v = cellView(step, saga, saga.ended !== null, def);
  const rank = v.rank ? `<sup>${v.rank}</sup>` : "";
  const extras = v.extras.map((x) => ` <b class="x ${x.cls}">${x.text}</b>`).join("");
  const tag = v.tag ? ` <span class="tag">${v.tag}</span>` : "";
  const size = v.word.length + v.extras.reduce((n, x) => n + x.text.length + 1, 0) +
    (v.tag ? v.tag.length + 1 : 0);
  // wraps onto two lines where the cells are narrow rather than being cut ("✓ booked ×2")
  // (a very long one, "✗ no room: held by BOOK001", wraps on a wide board too)
  const long = size > 16 ? " long longer" : size > 8 ? " long" : "";
  return `<span class="cell ${v.cls.join(" ")}${long}" data-step="${step}" tabindex="0" ` +
    `title="${escapeHtml(v.title)}">` +
    `${v.icon}${rank} <span class="w">${v.word}</span>${extras}${tag}</span>`;
}

/** A note as its icon and its words (a narrow board shows the icon; the cause line the rest). */
function noteWords(note) {
  const [icon, words] = note.kind === "waiting" ? [note.text.split(" ")[0],
    note.text.slice(note.text.indexOf(" "))] : ["…", ` ${note.text}`];
  return `<span class="nicon">${icon}</span><span class="nword">${escapeHtml(words)}</span>`;
}

function rowHtml(saga, selected, state) {
  const [icon, word] = BADGE[saga.outcome];
  const related = selected && saga.related.includes(selected);
  const cls = `saga-row outcome-${saga.outcome}${saga.id === selected ? " selected" : ""}` +
    (related ? " related" : "") + (saga.violations.length ? " violated" : "");
  const note = sagaNote(saga, state);
  const noteHtml = note
    ? `<span class="note note-${note.kind}">${noteWords(note)}</span>`
    : "";
  const warn = saga.violations.length
    ? `<span class="violation" title="${saga.violations.join(", ")}">⚠ ${saga.violations[0]}` +
      "</span>" : "";
  return `<div class="${cls}" data-saga="${saga.id}">` +
    `<span class="sid">${saga.id}</span>` +
    state.saga.steps.map((def) => cellHtml(def.name, saga, def)).join("") +
    `<span class="badge badge-${saga.outcome}${note ? ` has-note note-${note.kind}` : ""}" ` +
    `data-step="outcome" tabindex="0" title="${escapeHtml(badgeTitle(saga, note))}">` +
    `<span class="bw">${icon}<span class="bword"> ${word}</span>` +
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

/** The marks of the kinds of step in a saga's heads, for the legend: [mark, meaning]. */
const KIND_MEANING = {
  pivot: "pivot: the go/no-go step; once it commits nothing is undone",
  retriable: "retriable: after the pivot, retried until it succeeds, never undone",
};

/** A step's name that may wrap after its underscores ("authorize_" / "card"). */
function breakable(name) {
  return name.split("_").flatMap((part, i) => (i ? ["_", el("wbr"), part] : [part]));
}

/** The head of each step's column: "2 hotel" (long), "htl" (short), with its kind's mark. */
function headCells(sagaModel) {
  return sagaModel.steps.map((step) => {
    const mark = step.mark ? `${step.mark} ` : "";
    return el("span.colhead", { dataset: { step: step.name, kind: step.kind },
      title: `${step.number} ${step.name}: ${step.service}` +
        (KIND_MEANING[step.kind] ? ` (${KIND_MEANING[step.kind]})` : "") },
    el("span.long", {}, `${mark}${step.number} `, ...breakable(step.name)),
    el("span.short", {}, step.mark ? el("span.kmark", {}, step.mark) : "", step.words.short));
  });
}

/** The legend's items: every style a cell or a badge can have, each with what it means. */
function legendItems(sagaModel, params) {
  const items = legendFor(sagaModel, params).map(([cls, text, meaning]) =>
    el("span.legend-item", { title: meaning },
      el(`span.cell.mini.${cls.split(" ").join(".")}`, {}, text),
      el("span.meaning", {}, meaning)));
  const kinds = [...new Set(sagaModel.steps.map((s) => s.kind))].filter((k) => KIND_MEANING[k]);
  items.push(...kinds.map((kind) => el("span.legend-item", { dataset: { kind } },
    el("span.kind-mark.mini", {}, sagaModel.steps.find((s) => s.kind === kind).mark),
    el("span.meaning", {}, KIND_MEANING[kind]))));
  items.push(el("span.legend-item", {}, el("span.note.note-waiting.mini", {}, "❚❚ waits: orchestrator"),
    el("span.meaning", {}, "the saga waits for a crashed actor")),
  el("span.legend-item", {}, el("span.note.note-idle.mini", {}, "idle 9.7 s"),
    el("span.meaning", {}, "nothing has happened to it for that long")),
  el("span.legend-item", {}, el("span.related-key.mini", {}, "BOOK001"),
    el("span.meaning", {}, "the saga related to the selected one (it held the unit)")));
  return items;
}

/** The board of `store`'s run, built into `root` (element ids start with `prefix`; the
 * legend open if `legendOpen`: by default one click away, so that on a projector too the
 * timeline's lanes stay on the first screen; a cell's cause is in the line under the rows):
 * {render, reset, select}, to mount on the store. */
export function createBoard(root, store, { prefix = "", legendOpen = false } = {}) {
  let state = null;
  let selected = null;
  const counts = el(`div.board-counts#${prefix}board-counts`);
  const head = el("div.board-head", { "aria-hidden": "true" });
  const scroller = el(`div.board-scroll#${prefix}board-rows`, { tabindex: 0, role: "region" });
  const legendBox = el("div.legend");
  let drawnSaga = null; // the saga model the head, the legend and the columns were drawn for
  let drawnLocks = null;
  /** The head, the legend and the number of columns for the run's saga (once per saga). */
  const drawSaga = (sagaModel, params) => {
    const locks = Boolean(params && params.semantic_lock);
    if (sagaModel === drawnSaga && locks === drawnLocks) return;
    drawnSaga = sagaModel;
    drawnLocks = locks;
    root.style.setProperty("--steps", String(sagaModel.steps.length));
    root.dataset.sagaName = sagaModel.name;
    root.dataset.steps = String(sagaModel.steps.length);
    root.classList.toggle("many-steps", sagaModel.steps.length > 4); // long cells wrap
    head.replaceChildren(el("span.sid", {}, "saga"), ...headCells(sagaModel),
      el("span.colhead.badgehead", {}, "outcome"));
    scroller.setAttribute("aria-label",
      `one row per saga: ${sagaModel.names.map((n) => n.replaceAll("_", " ")).join(", ")}, outcome`);
    legendBox.replaceChildren(...legendItems(sagaModel, params));
    fitHeads();
  };
  // the long heads ("4 authorize_card") where every one fits its column, else the short ones
  const fitHeads = () => {
    head.classList.remove("short-heads");
    const cut = [...head.querySelectorAll(".colhead[data-step]")]
      .some((cell) => cell.scrollWidth > cell.clientWidth + 1);
    head.classList.toggle("short-heads", cut);
  };
  new ResizeObserver(() => fitHeads()).observe(head);
  // the cause of the cell last tapped or focused, in words (aria-live: read out as it changes)
  const cause = el(`p.board-cause#${prefix}board-cause`, { "aria-live": "polite" });
  let shown = null; // {saga, part} of that cell
  let refocus = false; // the cell had the focus: give it back when its row is drawn again
  const live = el(`button.small.follow#${prefix}board-follow`, { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const empty = el(`p.empty#${prefix}board-empty`, {}, "No run yet: pick a preset, then press ",
    el("b", {}, "▶ Start"), " (or ", el("kbd", {}, "space"), ").");
  store.on("run:joined", () => { empty.hidden = true; });
  root.dataset.view = "board";
  root.append(counts, empty, head, scroller, cause,
    el("div.board-foot", {}, el(`details.board-legend#${prefix}board-legend`, { open: legendOpen },
      el("summary", {}, "What the cells mean"), legendBox), live));
  drawSaga(sagaOf(null), null);
  const rowHeightNow = () =>
    Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.2);
  let rowHeight = rowHeightNow();
  const list = new VirtualList(scroller,
    (index) => rowHtml(state.sagas.get(state.order[index]), selected, state), { rowHeight });
  let readerScrolled = false; // the reader scrolled the rows: no saga is kept in view then
  scroller.addEventListener("follow", (e) => {
    live.hidden = e.detail;
    readerScrolled = true;
  });
  // The rows' box is as tall as the sagas the run will start (a lesson's 5 leave no empty box
  // above the timeline on a projector), up to its usual height; set once per run, so that it
  // does not move the page below as sagas start or a replay seeks.
  let planned = null;
  const fitRows = (bookings, restyled) => {
    if ((bookings || null) === planned && !restyled) return;
    planned = bookings || null;
    if (planned) scroller.style.setProperty("--rows-height", `${planned * rowHeight + 2}px`);
    else scroller.style.removeProperty("--rows-height");
  };
  const tell = () => {
    const text = shown ? causeText(state, shown.saga, shown.part) : "";
    if (cause.textContent !== text) cause.textContent = text;
    cause.dataset.saga = shown ? shown.saga : "";
    cause.dataset.part = shown ? shown.part : "";
  };
  const point = (target) => {
    const part = target.closest("[data-step]");
    const row = target.closest("[data-saga]");
    if (!part || !row) return;
    shown = { saga: row.dataset.saga, part: part.dataset.step };
    tell();
  };
  scroller.addEventListener("click", (e) => {
    const row = e.target.closest("[data-saga]");
    point(e.target);
    if (row) store.select(row.dataset.saga === selected ? null : row.dataset.saga, "board");
  });
  scroller.addEventListener("focusin", (e) => {
    refocus = true;
    point(e.target);
  });
  scroller.addEventListener("focusout", (e) => {
    if (!scroller.contains(e.relatedTarget) && e.relatedTarget !== null) refocus = false;
  });
  // a row drawn again while one of its cells had the focus: the new cell takes it back
  const giveFocusBack = () => {
    if (!refocus || !shown || scroller.contains(document.activeElement)) return;
    const again = scroller.querySelector(
      `[data-saga="${shown.saga}"] [data-step="${shown.part}"]`);
    if (again && document.activeElement === document.body) again.focus({ preventScroll: true });
  };

  return {
    reset() {
      state = null;
      selected = null;
      shown = null;
      refocus = false;
      readerScrolled = false;
      list.clear();
      tell();
    },
    render({ state: s, selected: chosen, frame, restyled }) {
      state = s;
      selected = chosen;
      drawSaga(s.saga, s.params);
      if (restyled && rowHeightNow() !== rowHeight) { // the type size changed (presenter view)
        rowHeight = rowHeightNow();
        list.setRowHeight(rowHeight);
      }
      fitRows(s.params && s.params.bookings, restyled);
      // the saga the failing checks name stays in view while the board follows the run
      const named = chosen || readerScrolled ? null : namedByChecks(s);
      list.pinRow(named ? s.sagas.get(named).index : null);
      list.update(s.order.length);
      counts.innerHTML = countsHtml(s);
      cause.hidden = s.order.length === 0; // no cell to tap yet
      tell();
      list.whenPainted(() => {
        giveFocusBack();
        markDrawn(root, frame, s);
      });
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
