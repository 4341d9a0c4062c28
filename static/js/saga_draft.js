// The saga editor's draft: a definition as the editor's table holds it, and what the table does
// to it (add, remove, move a step; read a typed number), with no DOM. The rules are the
// server's (POST /api/sagas/check answers sim/saga/rules.py's messages); nothing here repeats
// them, except the step count the buttons stop at.

import { VOCABULARY } from "./util.js";

/** The step count a saga may have (docs/sagas.md); the add and remove buttons stop there. */
export const MIN_STEPS = 2;
export const MAX_STEPS = 8;
export const KINDS = VOCABULARY.step_kinds; // sim/saga/definition.py, in a saga's order
/** The fields of a step the table edits, in its columns' order (words ride along unseen). */
export const STEP_FIELDS = ["name", "service", "unit", "capacity", "failure_rate", "kind"];

/** A step the table adds at the end: a name not taken yet, holding ten units; compensatable,
 * or retriable once the saga has a pivot (only retriable steps may follow it). */
export function blankStep(steps) {
  const taken = new Set(steps.map((s) => s.name));
  let n = steps.length + 1;
  while (taken.has(`step_${n}`)) n += 1;
  const afterPivot = steps.some((s) => s.kind === "pivot");
  return { name: `step_${n}`, service: `Service ${n}`, unit: "unit", capacity: 10,
    failure_rate: 0.1, kind: afterPivot ? "retriable" : "compensatable" };
}

/** A new saga to start from: two compensatable steps. */
export function newDraft(taken = []) {
  const first = blankStep([]);
  return { name: freeName("my-saga", taken), title: "My saga", description: "",
    steps: [first, blankStep([first])] };
}

/** `name`, or `name-2`, `name-3`… the first not in `taken` (names the saga picker knows). */
export function freeName(name, taken) {
  const used = new Set(taken);
  if (!used.has(name)) return name;
  const base = name.slice(0, 36);
  let n = 2;
  while (used.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/** A copy of a saga to edit under a name of its own (a built-in, or one this browser cannot
 * change): the same steps, a free name, "(copy)" in the title. */
export function copyOf(definition, taken) {
  const copy = structuredClone(definition);
  copy.name = freeName(`${definition.name}-copy`.slice(0, 40), taken);
  copy.title = `${definition.title || definition.name} (copy)`.slice(0, 80);
  return copy;
}

export function addStep(steps) {
  return steps.length >= MAX_STEPS ? steps : [...steps, blankStep(steps)];
}

export function removeStep(steps, index) {
  return steps.length <= MIN_STEPS ? steps : steps.filter((_, i) => i !== index);
}

/** The steps with the one at `from` moved to `to` (both clamped to the list). */
export function moveStep(steps, from, to) {
  const target = Math.max(0, Math.min(steps.length - 1, to));
  if (from === target || from < 0 || from >= steps.length) return steps;
  const out = [...steps];
  const [step] = out.splice(from, 1);
  out.splice(target, 0, step);
  return out;
}

/** A typed number as the definition takes it: a number, null for an empty box where null is
 * allowed, else the text itself, so that the server's rule names what is wrong with it. */
export function readNumber(text, nullable = false) {
  const trimmed = String(text).trim();
  if (trimmed === "") return nullable ? null : "";
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** Where the editor shows a message of the server's: the field's own slot (`steps.3.kind`), a
 * step's row for the rest of a step (`steps.3`, `steps.3.words.done`), else the editor's line. */
export function slotOf(field) {
  const parts = field.split(".");
  if (parts[0] === "steps" && parts.length >= 2 && /^\d+$/.test(parts[1])) {
    if (parts.length === 3 && STEP_FIELDS.includes(parts[2])) return field;
    return `steps.${parts[1]}`;
  }
  return ["name", "title", "description", "steps"].includes(field) ? field : "saga";
}

/** The server's errors by the slot that shows them: {slot: [message, ...]} (a step's other
 * fields keep their names in front: "words.done: must be text…"). */
export function errorsBySlot(errors) {
  const out = {};
  for (const [field, message] of Object.entries(errors || {})) {
    const slot = slotOf(field);
    let prefix = "";
    if (slot === "saga" && field !== "saga") prefix = `${field}: `;
    else if (slot !== field && slot !== "saga") prefix = `${field.slice(slot.length + 1)}: `;
    (out[slot] ??= []).push(`${prefix}${message}`);
  }
  return out;
}

/** The flow the editor draws above its table: each step's number, name and kind mark, and
 * the phase it is in (undone on failure; the go/no-go point; retried until it succeeds). */
export function flowOf(steps) {
  const marks = { pivot: "◆", retriable: "↻" };
  return steps.map((step, i) => ({ number: i + 1, name: String(step.name || `step ${i + 1}`),
    kind: KINDS.includes(step.kind) ? step.kind : "compensatable",
    mark: marks[step.kind] || "", holds: step.capacity !== null && step.capacity !== "" }));
}

/** Whether two definitions are the same saga (the draft against what was saved). */
export function sameSaga(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The token that lets this browser change or delete a stored saga (POST /api/sagas answered
 * it), kept in localStorage: an instructor edits the saga again another day. */
export const sagaTokens = {
  key: (name) => `sagalab.saga-token.${name}`,
  get(name, storage = globalThis.localStorage) { return storage?.getItem(this.key(name)) ?? null; },
  set(name, token, storage = globalThis.localStorage) { storage?.setItem(this.key(name), token); },
  drop(name, storage = globalThis.localStorage) { storage?.removeItem(this.key(name)); },
};
