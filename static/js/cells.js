// What a board cell and a saga's badge say about their cause: units held, leaks, no-op undos,
// failure reasons, retries, lost replies, the saga holding a refused unit, a down actor the
// saga waits on, a long idle. Pure functions of the run state (state.js), so node tests them.

import { sagaOf } from "./saga.js";
import { downActors } from "./state.js";

const DEFAULT = sagaOf(null);
export const IDLE_AFTER = 3; // simulated seconds without news before a saga shows as idle
const ENDED_HOLDING = ["compensated", "stuck", "flagged"];

// why a step failed, from its words (an error word that only repeats the sold-out one, as the
// tutorial's hotel and car do, says no more than "refused")
const FAILED = {
  sold_out: (def) => `no ${def.unit}`,
  error: (def) => (def.words.error !== def.words.sold_out ? def.words.error : "refused"),
  unavailable: () => "service down",
};
const NOOP = { not_found: "found nothing", already_canceled: "already undone" };

function tries(n) {
  return n > 1 ? ` after ${n} tries` : "";
}

/** The cell of `step` in `saga`: {cls: [classes], icon, word, extras: [{text, cls}], tag,
 * title}. The word stays short; units held twice, tries and lost replies are extras. `def`:
 * the step as the run's saga defines it (saga.js; by default the default saga's). */
export function cellView(step, saga, ended, def = DEFAULT.byName[step]) {
  const s = saga.steps[step];
  const view = s.comp ? compView(step, s) : fwdView(step, s, ended, def);
  view.extras = [];
  const leaked = s.held > 0 && ENDED_HOLDING.includes(saga.outcome);
  if (s.held > 1) {
    view.cls.push("held-multi");
    view.extras.push({ text: `×${s.held}`, cls: "x-multi" });
    view.title += `; it holds ${s.held} ${def.words.units} (one per booking: a double booking)`;
  }
  if (s.retries > 0 && !s.comp) {
    view.extras.push({ text: `↻${s.retries + 1}`, cls: "x-tries" });
  }
  if (leaked) {
    view.cls.push("leak");
    view.tag = saga.outcome === "stuck" ? "still held" : "leaked";
    view.title += `; the ${def.unit} was never given back`;
  }
  if (s.lost) {
    view.cls.push("had-lost");
    view.extras.push({ text: `?${s.lost > 1 ? s.lost : ""}`, cls: "x-lost" });
    view.title += `; ${s.lost} repl${s.lost > 1 ? "ies" : "y"} lost`;
  }
  return view;
}

function fwdView(step, s, ended, def) {
  const attempts = s.retries + 1;
  if (s.fwd === "ok") {
    const again = s.booked === 0 ? " (the repeat was answered with the first booking)" : "";
    return { cls: ["fwd", "fwd-ok"], icon: "✓", word: "booked", tag: null,
      title: `${step}: booked${attempts > 1 ? ` on try ${attempts}` : ""}${again}` };
  }
  if (s.fwd === "failed") {
    const why = (FAILED[s.reason] || (() => "failed"))(def);
    const word = s.heldBy ? `no ${def.unit}: held by ${s.heldBy}` : why;
    const title = s.heldBy
      ? `${step}: refused the last ${def.unit}, which ${s.heldBy} held while it was being undone`
      : `${step}: ${why}${s.reason === "sold_out" ? " left" : ""}${tries(attempts)}`;
    return { cls: ["fwd", "fwd-failed", `why-${s.reason || "error"}`], icon: "✗", word, tag: null,
      title };
  }
  if (s.fwd === "waiting") {
    return { cls: ["fwd", "fwd-waiting"], icon: "⧗", word: `waits for ${s.waitingFor}`, tag: null,
      title: `${step}: the last ${def.unit} is pending for ${s.waitingFor}: waiting for it to ` +
        "end (semantic lock)" };
  }
  if (s.fwd === "lost") {
    return { cls: ["fwd", "fwd-lost"], icon: "?", word: "reply lost", tag: null,
      title: `${step}: the service committed but its reply never arrived` };
  }
  if (s.fwd === "retry") {
    return { cls: ["fwd", "fwd-retry"], icon: "↻", word: `try ${attempts}`, tag: null,
      title: `${step}: trying again (${s.reason || "failed"})` };
  }
  if (ended && s.fwd === "idle") {
    return { cls: ["fwd", "fwd-idle", "not-run"], icon: "–", word: "not run", tag: null,
      title: `${step}: never ran` };
  }
  if (ended && s.fwd === "pending") {
    return { cls: ["fwd", "fwd-lost"], icon: "◔", word: "no answer", tag: null,
      title: `${step}: the request never got an answer` };
  }
  if (s.fwd === "pending") {
    return { cls: ["fwd", "fwd-pending"], icon: "⋯", word: "booking", tag: null,
      title: `${step}: requested` };
  }
  return { cls: ["fwd", "fwd-idle"], icon: "·", word: "waiting", tag: null,
    title: `${step}: not yet` };
}

function compView(step, s) {
  const rank = s.compRank;
  const base = ["comp", `comp-${s.comp}`];
  if (s.comp === "noop") {
    const word = NOOP[s.compReason] || "nothing to undo";
    return { cls: base, icon: "∅", word, tag: null, rank,
      title: `${step}: the undo ran but ${word} (#${rank})` };
  }
  const words = { pending: "undoing", done: "undone", failed: "undo failed", skipped: "no undo" };
  const icons = { pending: "↩", done: "↩", failed: "⚠", skipped: "—" };
  return { cls: base, icon: icons[s.comp], word: words[s.comp], tag: null, rank,
    title: `${step}: compensation ${words[s.comp]} (#${rank})` };
}

/** Why a saga that has not ended is not moving: {kind: "waiting"|"idle", text, title} or null. */
export function sagaNote(saga, state) {
  if (saga.ended !== null) return null;
  const down = waitingOn(saga, state);
  if (down) {
    const back = down.restartAt !== null ? `; back in ${Math.max(0, down.restartAt - state.t).toFixed(1)} s` : "";
    return { kind: "waiting", text: `❚❚ waits: ${down.actor}`,
      title: `${saga.id} waits for the ${down.actor}, which crashed at ${down.from}${back}` };
  }
  const idle = state.t - saga.last;
  if (idle >= IDLE_AFTER) {
    return { kind: "idle", text: `idle ${idle.toFixed(1)} s`,
      title: `nothing has happened to ${saga.id} for ${idle.toFixed(1)} simulated seconds` };
  }
  return null;
}

/** The down actor a running saga waits on (orchestration: the orchestrator; choreography: the
 * service whose answer it needs next), or null. */
function waitingOn(saga, state) {
  const down = downActors(state);
  if (!down.length) return null;
  if (state.mode === "orchestration") return down.find((d) => d.actor === "orchestrator") || null;
  const steps = Object.keys(saga.steps);
  const next = saga.outcome === "compensating"
    ? steps.filter((k) => saga.steps[k].held > 0)
    : [steps.find((k) => saga.steps[k].fwd !== "ok")];
  return down.find((d) => next.includes(d.actor)) || null;
}

/** Every style a cell of `sagaModel`'s board can have, for the legend: [classes, sample text,
 * meaning]. */
export function legendFor(sagaModel, params) {
  const units = sagaModel.holding.map((name) => sagaModel.byName[name].unit);
  const noUnit = units.length ? `no ${units.join("/")} left, ` : "";
  const locks = Boolean(params && params.semantic_lock);
  return LEGEND.filter(([cls]) => locks || cls !== "fwd fwd-waiting")
    .map(([cls, text, meaning]) => [cls, text, meaning.replace("{no unit}", noUnit)]);
}

const LEGEND = [
  ["fwd fwd-ok", "✓ booked", "forward step done, one unit held"],
  ["fwd fwd-ok held-multi", "✓ booked ×2", "the saga holds two units of this step"],
  ["fwd fwd-ok leak", "✓ booked", "leaked / still held: the unit was never given back"],
  ["fwd fwd-pending", "⋯ booking", "request on its way"],
  ["fwd fwd-ok", "✓ booked ↻2", "↻2: on the second try (↻ also after a failed step)"],
  ["fwd fwd-retry", "↻ try 2", "trying again"],
  ["fwd fwd-lost", "? reply lost", "the service committed, the reply never arrived (? on a cell)"],
  ["fwd fwd-failed", "✗ refused", "failed: refused, {no unit}or service down"],
  ["fwd fwd-waiting", "⧗ waits for BOOK001",
    "semantic lock: the last unit is pending for that saga; the step waits for it to end"],
  ["comp comp-done", "↩ undone", "compensated, numbered in the order the undos ran"],
  ["comp comp-noop", "∅ found nothing", "the undo ran but had nothing to release"],
  ["comp comp-failed", "⚠ undo failed", "the compensation failed"],
];
