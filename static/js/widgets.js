// Form widgets: one labelled input per field kind (number, rate slider + number, checkbox,
// choice, step set, booking id, failure plan), each with an error slot for its dotted name.
// A spec is fields.js's layout merged with the server's schema (withSchema).

import { formatPlan } from "./fields.js";
import { el } from "./util.js";

export function errorSlot(name) {
  return el("div.field-error", { dataset: { errorFor: name }, role: "alert" });
}

function numberInput(spec) {
  return el("input", { type: "number", name: spec.name, id: `f-${spec.name}`,
    min: spec.min, max: spec.max, step: spec.step ?? (spec.kind === "int" ? 1 : 0.01),
    placeholder: spec.placeholder || (spec.nullable ? "off" : "") });
}

/** One labelled input for a field spec; registers {spec, read, write, row} in `inputs`. */
export function buildField(spec, inputs) {
  const id = `f-${spec.name}`;
  let control;
  let read;
  let write;
  if (spec.kind === "bool") {
    control = el("input", { type: "checkbox", name: spec.name, id });
    read = () => control.checked;
    write = (v) => { control.checked = Boolean(v); };
  } else if (spec.kind === "choice") {
    control = el("select", { name: spec.name, id },
      spec.nullable ? el("option", { value: "" }, "off") : null,
      spec.choices.map((c) => el("option", { value: c }, c)));
    read = () => control.value || null;
    write = (v) => { control.value = v ?? ""; };
  } else if (spec.kind === "rate") {
    const range = { min: spec.min, max: spec.max, step: spec.step ?? 0.01 };
    const slider = el("input", { type: "range", ...range, id: `${id}-slider`,
      "aria-label": `${spec.label} slider` });
    const number = el("input", { type: "number", ...range, name: spec.name, id,
      class: "rate-number" });
    slider.addEventListener("input", () => { number.value = slider.value; });
    number.addEventListener("input", () => { slider.value = number.value; });
    control = el("span.rate", {}, slider, number);
    read = () => (number.value === "" ? NaN : Number(number.value));
    write = (v) => { number.value = v; slider.value = v; };
  } else if (spec.kind === "steps") {
    const boxes = (spec.choices || []).map((step) => el("input", { type: "checkbox",
      value: step, id: `${id}-${step}`, "aria-label": `${spec.label} ${step}` }));
    control = el("span.steps", { id }, boxes.map((b) =>
      el("label.check", { for: b.id }, b, b.value)));
    read = () => boxes.filter((b) => b.checked).map((b) => b.value);
    write = (v) => { for (const b of boxes) b.checked = (v || []).includes(b.value); };
  } else if (spec.kind === "saga" || spec.kind === "plan") {
    control = el("input", { type: "text", name: spec.name, id, spellcheck: false,
      placeholder: spec.kind === "saga" ? "off (e.g. BOOK002)" : "none" });
    read = () => control.value.trim();
    write = (v) => { control.value = spec.kind === "plan" ? formatPlan(v) : v ?? ""; };
  } else {
    control = numberInput(spec);
    read = () => (control.value === "" ? (spec.nullable ? null : NaN) : Number(control.value));
    write = (v) => { control.value = v ?? ""; };
  }
  const label = el("label", { for: id, title: spec.doc || null }, spec.label);
  const row = el("div.field", { dataset: { field: spec.name, mode: spec.mode || "" } },
    spec.kind === "bool" ? el("span.check", {}, control, label) : [label, control],
    spec.help ? el("small.help", {}, spec.help) : null, errorSlot(spec.name));
  inputs.set(spec.name, { spec, read, write, row });
  return row;
}
