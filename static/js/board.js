// The saga board: a row per saga, a cell per step. Forward steps light up left to right;
// compensations run right to left in their own colour, numbered in the order they ran.

import { emit, on } from "./bus.js";
import { el, STEPS } from "./util.js";
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

let state = null;
let selected = null;
let list = null;
let counts = null;

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

function rowHtml(index) {
  const saga = state.sagas.get(state.order[index]);
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

function drawCounts() {
  const o = state.outcomes;
  const running = state.order.length - o.completed - o.compensated - o.stuck - o.flagged;
  counts.innerHTML = `<span>${state.order.length} sagas</span>` +
    `<span class="count badge-running">▶ ${running} running</span>` +
    `<span class="count badge-completed">✓ ${o.completed} completed</span>` +
    `<span class="count badge-compensated">↩ ${o.compensated} compensated</span>` +
    `<span class="count badge-stuck">◔ ${o.stuck} stuck</span>` +
    `<span class="count badge-flagged">⚠ ${o.flagged} need attention</span>`;
}

/** Build the board into `root`. */
export function initBoard(root) {
  counts = el("div.board-counts#board-counts");
  const head = el("div.board-head", { "aria-hidden": "true" }, el("span.sid", {}, "saga"),
    el("span.colhead", {}, "1 flight"), el("span.colhead", {}, "2 hotel"),
    el("span.colhead", {}, "3 car"), el("span.colhead.badgehead", {}, "outcome"));
  const scroller = el("div.board-scroll#board-rows", { tabindex: 0,
    "aria-label": "one row per saga: flight, hotel, car, outcome" });
  const live = el("button.small.follow#board-follow", { type: "button", hidden: true,
    onclick: () => list.follow() }, "⤓ follow live");
  const empty = el("p.empty#board-empty", {}, "No run yet: pick a preset, then press ",
    el("b", {}, "▶ Start"), " (or ", el("kbd", {}, "space"), ").");
  on("run:joined", () => { empty.hidden = true; });
  root.append(counts, empty, head, scroller, el("div.board-foot", {}, el("p.legend", {},
    el("span.fwd-ok.cell.mini", {}, "✓ forward →"),
    el("span.comp-done.cell.mini", {}, "↩ compensation ←, numbered in order"),
    el("span.fwd-failed.cell.mini", {}, "✗ failed")), live));
  const rowHeight = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 2.2);
  list = new VirtualList(scroller, rowHtml, { rowHeight });
  scroller.addEventListener("follow", (e) => { live.hidden = e.detail; });
  scroller.addEventListener("click", (e) => {
    const row = e.target.closest("[data-saga]");
    if (row) {
      emit("select", { saga: row.dataset.saga === selected ? null : row.dataset.saga,
        source: "board" });
    }
  });

  on("reset", () => { selected = null; list.clear(); });
  on("render", ({ state: s }) => {
    state = s;
    list.update(s.order.length);
    drawCounts();
  });
  on("select", ({ saga, source }) => {
    selected = saga;
    if (!state) return;
    if (source === "board") {
      list.draw();
      return;
    }
    const index = saga ? state.sagas.get(saga)?.index : undefined;
    if (index !== undefined) {
      list.reveal(index);
      live.hidden = false;
    } else list.draw();
  });
}
