// The parameter form: preset picker, mode, scenario, services and the mode's fault switches.
// Field errors (dotted names, from the server or a local check) appear next to their field.

import {
  FAULTS, SCENARIO, SERVICES, TIMING, deepMerge, getPath, parsePlan, setPath, withSchema,
} from "./fields.js";
import { el, STEPS, VOCABULARY } from "./util.js";
import { buildField as widget, errorSlot } from "./widgets.js";

async function getJSON(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The presets of runs this page can draw: those of the default saga's steps (the views draw
 * the default saga's board, lanes and charts; runs of other sagas are started from the
 * command line or the API until the views read each run's definition). */
function drawable(all) {
  const same = (saga) => typeof saga === "object" && saga.steps.length === STEPS.length
    && saga.steps.every((s) => STEPS.includes(s.name));
  return Object.fromEntries(Object.entries(all).filter(([, p]) => !p.params.saga
    || p.params.saga === VOCABULARY.default_saga.name || same(p.params.saga)));
}

/** Build the form of `store`'s dashboard into `root` from the server's parameter schema and
 * presets (resolves when built): it starts runs (cmd:start) and shows their field errors. */
export async function createForm(root, store) {
  root.addEventListener("submit", (e) => e.preventDefault());  // Start runs it, not Enter
  const inputs = new Map(); // dotted name -> {spec, read(), write(v), row}
  let presets = {};
  let schema = { defaults: {}, fields: {} }; // GET /api/params: sim/params.py's facts
  const buildField = (ui) => widget(withSchema(ui, schema.fields), inputs);

  function seedRow() {
    const row = buildField(SCENARIO.find((f) => f.name === "seed"));
    const button = el("button.small", { type: "button", id: "new-seed",
      onclick: () => inputs.get("seed").write(Math.floor(Math.random() * 2 ** 31)) }, "new seed");
    row.querySelector("input").after(button);
    return row;
  }

  function modeRow() {
    const radios = schema.fields.mode.choices.map((m) =>
      el("label.radio", {}, el("input", { type: "radio", name: "mode", value: m,
        onchange: showModeFields }), m));
    const row = el("div.field", { dataset: { field: "mode" } },
      el("span.label", {}, "Mode"), el("div.radios", {}, radios), errorSlot("mode"));
    inputs.set("mode", {
      spec: { name: "mode", kind: "choice" },
      read: () => row.querySelector("input:checked")?.value || schema.defaults.mode,
      write: (v) => { for (const r of row.querySelectorAll("input")) r.checked = r.value === v; },
      row,
    });
    return row;
  }

  function showModeFields() {
    const mode = inputs.get("mode").read();
    for (const { spec, row } of inputs.values()) row.hidden = Boolean(spec.mode && spec.mode !== mode);
  }

  function fill(params) {
    for (const [name, input] of inputs) {
      if (name === "preset") continue;
      const value = getPath(params, name);
      if (value !== undefined) input.write(value);
    }
    showModeFields();
  }

  function choosePreset(name) {
    const preset = presets[name];
    const description = document.getElementById("preset-description");
    description.textContent = preset ? preset.description : "";
    fill(deepMerge(schema.defaults, preset ? preset.params : {}));
  }

  /** Read the form into {preset, params} or return {errors} from the local checks. */
  function collect() {
    const errors = {};
    const params = {};
    for (const [name, { spec, read }] of inputs) {
      if (name === "preset") continue;
      let value = read();
      if (spec.kind === "plan") {
        try { value = parsePlan(value); } catch (err) { errors.plan = err.message; continue; }
      } else if (spec.kind === "saga") value = value || null;
      else if (["int", "float", "rate"].includes(spec.kind) && value !== null) {
        const lo = spec.min;
        const hi = spec.max;
        if (Number.isNaN(value)) { errors[name] = "is required"; continue; }
        if (value < lo || value > hi) { errors[name] = `must be from ${lo} to ${hi}`; continue; }
        if (spec.kind === "int" && !Number.isInteger(value)) {
          errors[name] = "must be a whole number"; continue;
        }
      }
      setPath(params, name, value);
    }
    const preset = document.getElementById("f-preset").value || undefined;
    return Object.keys(errors).length ? { errors } : { body: { preset, params } };
  }

  function showErrors(errors) {
    for (const slot of document.querySelectorAll(".field-error")) slot.textContent = "";
    for (const row of document.querySelectorAll(".field.invalid")) row.classList.remove("invalid");
    const general = [];
    for (const [name, message] of Object.entries(errors || {})) {
      const key = inputs.has(name) ? name : name.split(".")[0] === "plan" ? "plan" : null;
      const slot = key && document.querySelector(`[data-error-for="${key}"]`);
      if (slot) {
        slot.textContent += `${slot.textContent ? " " : ""}${name === key ? "" : `${name} `}${message}`;
        slot.closest(".field").classList.add("invalid");
        slot.closest("details")?.setAttribute("open", "");
      } else general.push(`${name}: ${message}`);
    }
    document.getElementById("form-error").textContent = general.join("; ");
  }

  const formError = el("p.form-error#form-error", { role: "alert" });
  let loaded;
  try {
    loaded = await Promise.all([getJSON("/api/params"), getJSON("/api/presets")]);
  } catch (err) {
    root.append(formError);
    formError.textContent = `could not load the parameter form (${err.message}); reload the page`;
    store.emit("form:ready", { presets: {} });
    return;
  }
  [schema, presets] = loaded;
  presets = drawable(presets);
  const presetSelect = el("select#f-preset", { name: "preset",
    onchange: (e) => choosePreset(e.target.value) });
  const services = SERVICES.map(({ service, capacity, failure }) =>
    el("fieldset.service", {}, el("legend", {}, service),
      buildField(capacity), buildField(failure)));
  root.append(
    el("div.field", {}, el("label", { for: "f-preset" }, "Preset"), presetSelect,
      el("p.preset-description#preset-description", { "aria-live": "polite" })),
    modeRow(),
    el("div.grid2", {}, buildField(SCENARIO[0]), buildField(SCENARIO[1])),
    seedRow(),
    buildField(SCENARIO.find((f) => f.name === "until")),
    buildField(SCENARIO.find((f) => f.name === "plan")),
    el("details.services", { open: true }, el("summary", {}, "Services"), services),
    el("details.faults", {}, el("summary", {}, "Faults & remedies"), FAULTS.map(buildField)),
    el("details.timing", {}, el("summary", {}, "Timing"), TIMING.map(buildField)),
    formError,
  );
  presetSelect.append(el("option", { value: "" }, "(custom)"),
    ...Object.keys(presets).map((name) => el("option", { value: name }, name)));
  const first = presets.tutorial ? "tutorial" : Object.keys(presets)[0] || "";
  presetSelect.value = first;
  choosePreset(first);

  store.on("ui:start", (options) => {
    const { errors, body } = collect();
    showErrors(errors || {});
    if (body) store.emit("cmd:start", { ...body, ...options });
  });
  store.on("form:errors", ({ errors }) => showErrors(errors));
  store.on("run:joined", ({ run }) => { if (run && run.params) fill(run.params); });
  store.emit("form:ready", { presets });
}
