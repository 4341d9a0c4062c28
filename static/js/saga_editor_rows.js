// The saga editor's table of steps: one row per step (name, service, unit, capacity or "holds
// nothing", failure rate, kind), moved with ↑/↓ or dragged by its handle, removed with ✕; and
// the flow strip above it (the steps in order with the pivot ◆ and retriable ↻ marked). Every
// change goes to `onChange(steps, structural)`; the editor owns the draft and the checking.

import { flowOf, KINDS, MAX_STEPS, MIN_STEPS, moveStep, readNumber } from "./saga_draft.js";
import { el } from "./util.js";

const KIND_HELP = {
  compensatable: "undone if a later step fails",
  pivot: "the go/no-go point: never undone, nothing before it is undone once it commits",
  retriable: "after the pivot: tried again until it succeeds, never undone",
};

/** A slot for the server's message about `field` (saga_draft.js slotOf names them). */
export function messageSlot(field) {
  return el("div.field-error", { dataset: { errorFor: field }, role: "alert" });
}

/** The flow strip: the steps as the run will take them. */
export function drawFlow(root, steps) {
  root.replaceChildren(...flowOf(steps).map((s) => el(`li.flow-step.kind-${s.kind}`,
    { title: `${s.kind}: ${KIND_HELP[s.kind]}` },
    el("span.flow-number", {}, s.mark ? `${s.mark}${s.number}` : String(s.number)),
    el("span.flow-name", {}, s.name), s.holds ? null : el("small", {}, "holds nothing"))));
}

function labelled(control, label) {
  return el("label.cell", {}, el("span.cell-label", {}, label), control);
}

/** One step's row; `change(patch, structural)` after a change, `move(to)`, `remove()`. */
function stepRow(step, index, count, { change, move, remove, drag }) {
  const n = index + 1;
  const at = (field) => `steps.${index}.${field}`;
  const text = (field, label, attrs = {}) => {
    const input = el("input", { type: "text", value: step[field] ?? "", spellcheck: false,
      "aria-label": `step ${n} ${label}`, dataset: { field: at(field) }, ...attrs,
      oninput: () => change({ [field]: input.value }) });
    return el("div.step-cell", { dataset: { cell: field } }, labelled(input, label),
      messageSlot(at(field)));
  };
  let lastCapacity = step.capacity ?? 10;
  const capacity = el("input", { type: "number", min: 0, step: 1, value: step.capacity ?? "",
    disabled: step.capacity === null, "aria-label": `step ${n} capacity`,
    dataset: { field: at("capacity") },
    oninput: () => change({ capacity: readNumber(capacity.value) }) });
  const nothing = el("input", { type: "checkbox", checked: step.capacity === null,
    "aria-label": `step ${n} holds nothing`,
    onchange: () => {
      if (nothing.checked) lastCapacity = readNumber(capacity.value) || lastCapacity;
      change({ capacity: nothing.checked ? null : lastCapacity }, true,
        `[data-step="${index}"] .holds-nothing input`);
    } });
  const rate = el("input", { type: "number", min: 0, max: 1, step: 0.01,
    value: step.failure_rate ?? "", "aria-label": `step ${n} failure rate`,
    dataset: { field: at("failure_rate") },
    oninput: () => change({ failure_rate: readNumber(rate.value) }) });
  const kind = el("select", { "aria-label": `step ${n} kind`, dataset: { field: at("kind") },
    onchange: () => change({ kind: kind.value }) },
  KINDS.map((k) => el("option", { value: k, title: KIND_HELP[k] }, k)),
  KINDS.includes(step.kind) ? null : el("option", { value: step.kind ?? "" }, String(step.kind)));
  kind.value = step.kind ?? "";
  const button = (label, aria, onclick, disabled) => el("button.small", { type: "button",
    "aria-label": aria, title: aria, onclick, disabled, dataset: { action: aria.split(" ")[0] } },
  label);
  const handle = el("span.drag-handle", { draggable: "true", title: "drag to move this step",
    "aria-hidden": "true", ondragstart: (e) => drag.start(e, index) }, "⠿");
  return el("li.step-row", { dataset: { step: index },
    ondragover: (e) => drag.over(e, index), ondragleave: (e) => drag.leave(e),
    ondrop: (e) => drag.drop(e, index) },
  el("div.step-number", {}, handle, el("span", {}, String(n))),
  text("name", "name", { maxlength: 20 }),
  text("service", "service", { maxlength: 32 }),
  text("unit", "unit", { maxlength: 20 }),
  el("div.step-cell", { dataset: { cell: "capacity" } }, labelled(capacity, "capacity"),
    el("label.check.holds-nothing", {}, nothing, "holds nothing"), messageSlot(at("capacity"))),
  el("div.step-cell", { dataset: { cell: "failure_rate" } }, labelled(rate, "failure rate"),
    messageSlot(at("failure_rate"))),
  el("div.step-cell", { dataset: { cell: "kind" } }, labelled(kind, "kind"),
    messageSlot(at("kind"))),
  el("div.step-actions", {},
    button("↑", `move step ${n} up`, () => move(index - 1), index === 0),
    button("↓", `move step ${n} down`, () => move(index + 1), index === count - 1),
    button("✕", `remove step ${n}`, remove, count <= MIN_STEPS)),
  messageSlot(`steps.${index}`));
}

/** Draw the rows of `steps` into `list`; `onChange(steps, structural, focus?)` after a change. */
export function drawRows(list, steps, onChange) {
  let dragged = null;
  const drag = {
    start(e, index) {
      dragged = index;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", String(index));
    },
    over(e, index) {
      if (dragged === null) return;
      e.preventDefault();
      e.currentTarget.classList.toggle("drop-here", index !== dragged);
    },
    leave(e) { e.currentTarget.classList.remove("drop-here"); },
    drop(e, index) {
      e.preventDefault();
      const from = dragged ?? Number(e.dataTransfer.getData("text/plain"));
      dragged = null;
      onChange(moveStep(steps, from, index), true);
    },
  };
  list.replaceChildren(...steps.map((step, i) => stepRow(step, i, steps.length, {
    change: (patch, structural = false, focus = null) => {
      steps = steps.map((s, j) => (j === i ? { ...s, ...patch } : s));
      onChange(steps, structural, focus);
    },
    move: (to) => {
      const at = Math.max(0, Math.min(steps.length - 1, to));
      const way = to < i ? "up" : "down"; // the same button in the row's new place keeps focus
      onChange(moveStep(steps, i, to), true,
        `[data-step="${at}"] button[aria-label="move step ${at + 1} ${way}"]`);
    },
    remove: () => onChange(steps.filter((_, j) => j !== i), true),
    drag,
  })));
  list.dataset.count = steps.length;
  list.closest(".saga-editor")?.querySelector("[data-action='add-step']")
    ?.toggleAttribute("disabled", steps.length >= MAX_STEPS);
}
