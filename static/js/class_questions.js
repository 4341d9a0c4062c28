// Ready-made questions for the moment a run paused: the choices come from the model (the
// saga's booked steps, the ways a saga can end), and each carries the rule by which the
// trace settles it (docs/protocol.md, "Classes"). Pure: it reads the state.js state only.

import { VOCABULARY } from "./util.js";

// how a saga can end; "flagged" only where an undo can fail (see outcome())
const ENDINGS = VOCABULARY.outcomes.filter((o) => o !== "flagged");
const LIVE = new Set(["running", "compensating"]);

/** The saga a question should be about: the paused-at event's, else the latest one running. */
export function focusSaga(state, event) {
  if (event && event.saga && state.sagas.has(event.saga)) return event.saga;
  for (let i = state.order.length - 1; i >= 0; i -= 1) {
    if (LIVE.has(state.sagas.get(state.order[i]).outcome)) return state.order[i];
  }
  return null;
}

function firstUndo(state, id, saga, event) {
  // what can be undone: a compensatable step that committed (a pivot or retriable one never is)
  const booked = state.saga.steps.filter((s) => s.kind === "compensatable")
    .map((s) => s.name).filter((s) => saga.steps[s].fwd === "ok" && !saga.steps[s].comp);
  const choices = [...booked.reverse(), "nothing"];
  if (choices.length < 2 && event && event.step) choices.unshift(event.step);
  const who = state.mode === "orchestration" ? "the orchestrator" : "the services";
  return { question: `What will ${who} undo first for ${id}?`, choices,
    rule: { rule: "first_undo", saga: id } };
}

function nextBooked(state, id, saga) {
  const step = state.saga.names.find((s) => saga.steps[s].fwd !== "ok");
  if (!step) return null;
  const unit = state.saga.byName[step].unit;
  return { question: `Will the ${unit} be booked for ${id}?`, choices: ["yes", "no"],
    rule: { rule: "step_booked", saga: id, step } };
}

function undoSucceeds(id, step) {
  return { question: `Will undoing the ${step} of ${id} succeed on the first try?`,
    choices: ["yes", "no"], rule: { rule: "undo_succeeds", saga: id, step } };
}

function outcome(state, id) {
  const flaggable = Number(state.params && state.params.compensation_failure_rate) > 0;
  return { question: `How will ${id} end?`,
    choices: flaggable ? [...ENDINGS, "flagged"] : ENDINGS,
    rule: { rule: "saga_outcome", saga: id } };
}

function doubleBooked(id) {
  return { question: `Will ${id} end up holding two of the same booking?`,
    choices: ["yes", "no"], rule: { rule: "double_booked", saga: id } };
}

/** Questions for a run paused at `event` (a breakpoint's event, or null for a plain pause). */
export function suggestions(state, event) {
  const id = focusSaga(state, event);
  const saga = id && state.sagas.get(id);
  if (!saga || !LIVE.has(saga.outcome) && !(event && event.saga === id)) return [];
  const kind = event ? event.kind : "";
  const undoing = saga.outcome === "compensating" || kind === "step.failed";
  const out = [];
  if (kind === "compensation.started" && event.step) out.push(undoSucceeds(id, event.step));
  if (undoing && kind !== "compensation.started" && !saga.compCount) {
    out.push(firstUndo(state, id, saga, event));
  }
  if (!undoing || state.params && state.params.retries > 0 && kind === "step.failed") {
    const booked = nextBooked(state, id, saga);
    if (booked) out.push(booked);
  }
  out.push(outcome(state, id));
  if (kind === "actor.crashed" || kind === "invariant.violated") out.push(doubleBooked(id));
  return out;
}

/** A free-text question: the choices one a line (blank lines dropped). */
export function ownQuestion(question, choicesText) {
  const choices = choicesText.split("\n").map((c) => c.trim()).filter(Boolean);
  return { question: question.trim(), choices, rule: null };
}
