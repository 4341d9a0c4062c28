// The saga board: a row per saga, a cell per step. Forward steps light up left to right;
// compensations run right to left in their own colour, numbered in the order they ran.

import { el, markDrawn, STEPS } from "./util.js";
import { VirtualList } from "./vlist.js";

const FWD = {
  idle: ["·", "waiting"], pending: ["⋯", "booking"], ok: ["✓", "booked"],
  failed: ["✗", "failed"], retry: ["↻", "retrying"], lost: ["?", "reply lost"],
};
const COMP = {
  pending: ["↩", "undoing"], done: ["↩", "undone"], noop: ["↩", "nothing"],
  failed: ["⚠", "failed"], skipped: ["—", "no undo"],
};
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

function cellHtml(step, s, ended) {
  if (s.comp) {
    const [icon, word] = COMP[s.comp];
    const rank = s.compRank ? `<sup>${s.compRank}</sup>` : "";
    return `<span class="cell comp comp-${s.comp}" title="${step}: compensation ${word}` +
      ` (#${s.compRank})">${icon}${rank} <span class="w">${word}</span></span>`;
  }
  if (ended && s.fwd === "idle") {
    return `<span class="cell fwd fwd-idle not-run" title="${step}: never ran">– ` +
      '<span class="w">not run</span></span>';
  }
  if (ended && s.fwd === "pending") {
    return `<span class="cell fwd fwd-lost" title="${step}: the request never got an answer">` +
      '◔ <span class="w">no answer</span></span>';
  }
  const [icon, word] = FWD[s.fwd];
  const attempt = s.attempt > 1 ? ` <small>#${s.attempt}</small>` : "";
  return `<span class="cell fwd fwd-${s.fwd}" title="${step}: ${word}">${icon} ` +
    `<span class="w">${word}</span>${attempt}</span>`;
}

function rowHtml(saga, selected) {
  const [icon, word] = BADGE[saga.outcome];
  const cls = `saga-row outcome-${saga.outcome}${saga.id === selected ? " selected" : ""}` +
    (saga.violations.length ? " violated" : "");
  const warn = saga.violations.length
    ? `<span class="violation" title="${saga.violations.join(", ")}">⚠ ${saga.violations[0]}` +
      "</span>" : "";
  return `<div class="${cls}" data-saga="${saga.id}">` +
    `<span class="sid">${saga.id}</span>` +
    STEPS.map((step) => cellHtml(step, saga.steps[step], saga.ended !== null)).join("") +
    `<span class="badge badge-${saga.outcome}" title="${TITLE[saga.outcome]}">${icon} ${word}` +
    `${saga.timedOut ? " ◷" : ""}` +
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

/** The board of `store`'s run, built into `root` (element ids start with `prefix`):
 * {render, reset, select}, to mount on the store. */
export function createBoard(root, store, { prefix = "" } = {}) {
  let state = null;
  let selected = null;
  const counts = el(`div.board-counts#${prefix}board-counts`);
  const head = el("div.board-head", { "aria-hidden": "true" }, el("span.sid", {}, "saga"),
    el("span.colhead", {}, "1 flight"), el("span.colhead", {}, "2 hotel"),
    el("span.colhead", {}, "3 car"), el("span.colhead.badgehead", {}, "outcome"));
  const scroller = el(`div.board-scroll#${prefix}board-rows`, { tabindex: 0,
    "aria-label": "one row per saga: flight, hotel, car, outcome" });
  const live = el(`button.small.follow#${prefix}board-follow`, { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const empty = el(`p.empty#${prefix}board-empty`, {}, "No run yet: pick a preset, then press ",
    el("b", {}, "▶ Start"), " (or ", el("kbd", {}, "space"), ").");
  store.on("run:joined", () => { empty.hidden = true; });
  root.dataset.view = "board";
  root.append(counts, empty, head, scroller, el("div.board-foot", {}, el("p.legend", {},
    el("span.fwd-ok.cell.mini", {}, "✓ forward →"),
    el("span.comp-done.cell.mini", {}, "↩ compensation ←, numbered in order"),
    el("span.fwd-failed.cell.mini", {}, "✗ failed")), live));
  const rowHeight = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.2);
  const list = new VirtualList(scroller,
    (index) => rowHtml(state.sagas.get(state.order[index]), selected), { rowHeight });
  scroller.addEventListener("follow", (e) => { live.hidden = e.detail; });
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
      list.update(s.order.length);
      counts.innerHTML = countsHtml(s);
      markDrawn(root, frame, s);
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
