// static/js/saga_draft.js: the saga editor's draft and what its table does to it.
import assert from "node:assert/strict";
import test from "node:test";
import {
  addStep, blankStep, copyOf, errorsBySlot, flowOf, freeName, MAX_STEPS, MIN_STEPS, moveStep,
  newDraft, readNumber, removeStep, sagaTokens, sameSaga, slotOf,
} from "../../static/js/saga_draft.js";

const names = (steps) => steps.map((s) => s.name);

test("a new draft has two compensatable steps and a name not taken", () => {
  const draft = newDraft(["my-saga", "my-saga-2"]);
  assert.equal(draft.name, "my-saga-3");
  assert.deepEqual(names(draft.steps), ["step_1", "step_2"]);
  assert.ok(draft.steps.every((s) => s.kind === "compensatable" && s.capacity === 10));
});

test("a step added after a pivot is retriable (only those may follow it)", () => {
  const steps = [blankStep([]), { ...blankStep([{ name: "step_1" }]), kind: "pivot" }];
  assert.equal(blankStep(steps).kind, "retriable");
  assert.equal(blankStep(steps.slice(0, 1)).kind, "compensatable");
  assert.equal(blankStep([{ name: "step_2" }]).name, "step_3"); // a name not taken
});

test("add and remove stop at the saga's limits", () => {
  let steps = newDraft().steps;
  assert.equal(removeStep(steps, 0), steps); // two is the least
  while (steps.length < MAX_STEPS) steps = addStep(steps);
  assert.equal(steps.length, MAX_STEPS);
  assert.equal(addStep(steps), steps);
  assert.equal(new Set(names(steps)).size, MAX_STEPS);
  assert.deepEqual(names(removeStep(steps, 1)).slice(0, 2), ["step_1", "step_3"]);
  assert.equal(MIN_STEPS, 2);
});

test("a step moves to its new place; out-of-range moves are clamped or ignored", () => {
  const steps = ["a", "b", "c", "d"].map((name) => ({ name }));
  assert.deepEqual(names(moveStep(steps, 3, 1)), ["a", "d", "b", "c"]);
  assert.deepEqual(names(moveStep(steps, 0, 2)), ["b", "c", "a", "d"]);
  assert.deepEqual(names(moveStep(steps, 1, 99)), ["a", "c", "d", "b"]);
  assert.equal(moveStep(steps, 0, -1), steps);
  assert.equal(moveStep(steps, 7, 0), steps);
  assert.deepEqual(names(steps), ["a", "b", "c", "d"]); // the original is untouched
});

test("a typed number is a number; anything else is left for the server's rule to name", () => {
  assert.equal(readNumber(" 12 "), 12);
  assert.equal(readNumber("0.25"), 0.25);
  assert.equal(readNumber("", true), null);
  assert.equal(readNumber(""), "");
  assert.equal(readNumber("ten"), "ten");
  assert.equal(readNumber("Infinity"), "Infinity");
});

test("a copy gets a free name and says it is a copy", () => {
  const copy = copyOf({ name: "travel", title: "Travel", steps: [{ name: "x" }] },
    ["travel", "travel-copy"]);
  assert.equal(copy.name, "travel-copy-2");
  assert.equal(copy.title, "Travel (copy)");
  assert.equal(freeName("x".repeat(40), ["x".repeat(40)]), `${"x".repeat(36)}-2`);
});

test("the server's messages go to their field, a step's row, or the editor's line", () => {
  assert.equal(slotOf("steps.3.kind"), "steps.3.kind");
  assert.equal(slotOf("steps.3"), "steps.3");
  assert.equal(slotOf("steps.3.words.done"), "steps.3");
  assert.equal(slotOf("steps.3.timeout"), "steps.3");
  assert.equal(slotOf("steps"), "steps");
  assert.equal(slotOf("name"), "name");
  assert.equal(slotOf("saga"), "saga");
  assert.equal(slotOf("colour"), "saga");
  assert.deepEqual(errorsBySlot({
    "steps.1.kind": "a retriable step must come after the pivot",
    "steps.1.words.done": "must be text of 1 to 60 printable characters",
    "steps.1.timeout": "is not a step field (...)",
    colour: "is not a saga field (...)",
    saga: "is not YAML (line 3): ...",
  }), {
    "steps.1.kind": ["a retriable step must come after the pivot"],
    "steps.1": ["words.done: must be text of 1 to 60 printable characters",
      "timeout: is not a step field (...)"],
    saga: ["colour: is not a saga field (...)", "is not YAML (line 3): ..."],
  });
});

test("the flow marks the pivot and the retriable steps, and what holds nothing", () => {
  const flow = flowOf([
    { name: "a", kind: "compensatable", capacity: 3 },
    { name: "b", kind: "pivot", capacity: null },
    { name: "c", kind: "retriable", capacity: null },
    { name: "", kind: "nonsense", capacity: 1 },
  ]);
  assert.deepEqual(flow.map((s) => [s.number, s.name, s.kind, s.mark, s.holds]), [
    [1, "a", "compensatable", "", true],
    [2, "b", "pivot", "◆", false],
    [3, "c", "retriable", "↻", false],
    [4, "step 4", "compensatable", "", true],
  ]);
});

test("tokens are kept per saga name in the storage given", () => {
  const data = new Map();
  const storage = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, v),
    removeItem: (k) => data.delete(k) };
  assert.equal(sagaTokens.get("x", storage), null);
  sagaTokens.set("x", "t0k", storage);
  assert.equal(sagaTokens.get("x", storage), "t0k");
  sagaTokens.drop("x", storage);
  assert.equal(sagaTokens.get("x", storage), null);
  assert.ok(sameSaga({ a: [1, 2] }, { a: [1, 2] }) && !sameSaga({ a: 1 }, { a: 2 }));
});
