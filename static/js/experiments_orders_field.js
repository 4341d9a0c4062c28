// The experiment form's orders of the saga's steps (the factor `order`): one row per order,
// each with its own error slot (`factor.levels.N`, where the server names a bad order), rows
// added and removed, and the saga's steps with their kinds as the hint.

import { orderLabel, orderText, parseOrder } from "./experiments_order.js";
import { el } from "./util.js";

const MAX_ORDERS = 12; // sim/batch/plan.py's max_levels

/** The widget: `node` to place, `set(levels, steps)` to fill, `read()` the levels typed. */
export function ordersField(onChange) {
  const rows = el("ol.exp-orders#exp-orders");
  const hint = el("small.exp-orders-hint#exp-orders-hint");
  const add = el("button.small#exp-order-add", { type: "button" }, "+ Add an order");
  const node = el("div.field.exp-orders-field", { dataset: { field: "factor.levels" } },
    el("span.label", {}, "Orders of the saga's steps"), rows, add, hint,
    el("span.field-error"));
  let steps = [];

  /** What an order's text says, in the board's marks: "car → hotel → flight ◆". */
  function preview(text) {
    const own = new Map(steps.map((s) => [s.name, s.kind]));
    const entries = parseOrder(text).map((e) => (e.includes(":") ? e : `${e}:${own.get(e)}`));
    return entries.length ? orderLabel(entries) : "";
  }

  function row(text) {
    const i = rows.children.length;
    const input = el(`textarea#exp-order-${i}`, { rows: 2, spellcheck: false,
      "aria-label": `order ${i + 1}` });
    input.value = text;
    const shown = el("small.exp-order-preview", { "aria-hidden": "true" }, preview(text));
    input.addEventListener("input", () => { shown.textContent = preview(input.value); });
    const remove = el("button.small.exp-order-remove", { type: "button",
      "aria-label": `remove order ${i + 1}`, onclick: () => {
        item.remove();
        renumber();
        onChange();
      } }, "×");
    const item = el("li.field", { dataset: { field: `factor.levels.${i}` } },
      el("div.exp-order-row", {}, input, remove), shown, el("span.field-error"));
    rows.append(item);
  }

  /** Rows keep ids, labels and error fields in step with their positions after a removal. */
  function renumber() {
    [...rows.children].forEach((item, i) => {
      item.dataset.field = `factor.levels.${i}`;
      item.querySelector("textarea").id = `exp-order-${i}`;
      item.querySelector("textarea").setAttribute("aria-label", `order ${i + 1}`);
      item.querySelector("button").setAttribute("aria-label", `remove order ${i + 1}`);
    });
    add.disabled = rows.children.length >= MAX_ORDERS;
  }

  add.addEventListener("click", () => {
    const last = rows.lastElementChild?.querySelector("textarea").value;
    row(last ?? steps.map((s) => s.name).join(", "));
    renumber();
    rows.lastElementChild.querySelector("textarea").focus();
    onChange();
  });

  return {
    node,
    /** Show these levels (stored step:kind or as typed) of a saga with these steps. */
    set(levels, sagaSteps) {
      steps = sagaSteps || [];
      rows.replaceChildren();
      for (const level of levels) row(Array.isArray(level) ? orderText(level, steps) : level);
      renumber();
      hint.textContent = steps.length
        ? `The saga's order: ${orderLabel(steps.map((s) => `${s.name}:${s.kind}`))} ` +
          "(◆ pivot, ↻ retriable). List every step once; write name:kind to give a step " +
          `another kind, e.g. ${steps[steps.length - 1].name}:compensatable.`
        : "";
    },
    read: () => [...rows.querySelectorAll("textarea")].map((input) => parseOrder(input.value)),
    get steps() { return steps; },
  };
}
