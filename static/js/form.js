// The parameter form: preset and saga pickers, mode, scenario, a row per step of the saga and
// the mode's fault switches. Field errors (dotted names, from the server or a local check)
// appear next to their field. The fields are those of the picked saga (GET /api/params?saga=):
// picking another saga, or a preset of another saga, builds them again. "Edit…" opens the saga
// editor (saga_editor.js, loaded then), which hands a saga back on the bus (saga:use).

import {
  FAULTS, SCENARIO, TIMING, deepMerge, getPath, parsePlan, planExample, serviceFields, setPath,
  withSchema,
} from "./fields.js";
import { el, VOCABULARY } from "./util.js";
import { buildField as widget, errorSlot } from "./widgets.js";

async function getJSON(url, init = undefined) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The parameter schema of a saga nobody stored (the editor's draft): POST /api/params. */
const schemaOf = (definition) => getJSON("/api/params", { method: "POST",
  headers: { "Content-Type": "application/json" }, body: JSON.stringify({ saga: definition }) });

/** What a run keeps when the saga changes under it: the scenario and timing, not the steps'. */
const KEPT = ["mode", "bookings", "interarrival", "seed", "until", "network_delay",
  "compensation_delay", "max_in_flight"];

/** Build the form of `store`'s dashboard into `root` from the server's parameter schema and
 * presets (resolves when built): it starts runs (cmd:start) and shows their field errors. */
export async function createForm(root, store) {
  root.addEventListener("submit", (e) => e.preventDefault());  // Start runs it, not Enter
  const inputs = new Map(); // dotted name -> {spec, read(), write(v), row}
  let presets = {};
  let schema = { defaults: {}, fields: {} }; // GET /api/params: sim/params.py's facts
  let sagaName = VOCABULARY.default_saga.name; // the saga the fields are of (its name)
  let sagaOwn = null; // a preset's own definition (not a named saga), sent with the run
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

  /** The saga a preset runs: a name, or its own definition (null: the default saga). */
  const presetSaga = (preset) => (preset && preset.params.saga) || VOCABULARY.default_saga.name;

  async function choosePreset(name) {
    const preset = presets[name];
    const description = document.getElementById("preset-description");
    // the lesson's built-in experiment, where one measures it (/api/presets says which)
    const measured = ((preset && preset.experiments) || []).map((x) =>
      el("a.preset-experiment", { href: x.url }, `▸ In numbers: ${x.title}`));
    description.replaceChildren(preset ? preset.description : "", ...measured);
    const saga = presetSaga(preset);
    if (typeof saga === "object") {
      await useSaga(() => getJSON(`/api/params?preset=${encodeURIComponent(name)}`), saga,
        "the preset's own");
    } else if (saga !== sagaName || sagaOwn) await useSaga(named(saga));
    fill(deepMerge(schema.defaults, preset ? preset.params : {}));
  }

  const named = (saga) => () => getJSON(`/api/params?saga=${encodeURIComponent(saga)}`);

  /** Build the fields of a saga from the schema `load()` fetches; `own`: a definition of a
   * preset's or the editor's, sent whole with the run (`whose` says which in the picker). */
  async function useSaga(load, own = null, whose = "") {
    let next;
    try {
      next = await load();
    } catch (err) {
      formError.textContent = `could not load the saga's fields (${err.message})`;
      return;
    }
    schema = next;
    sagaName = schema.saga.name;
    sagaOwn = own;
    sagaSelect.value = own ? "" : sagaName;
    ownOption.hidden = !own;
    ownOption.textContent = own ? `${own.title || own.name} (${whose})` : "";
    if (own) sagaSelect.value = ownOption.value;
    buildFields();
    root.dataset.sagaName = sagaName;
  }

  /** Pick a saga in the saga picker: its fields with their defaults, no preset. */
  async function pickSaga(name) {
    if (name === ownOption.value) return;
    await useSaga(named(name));
    presetSelect.value = "";
    document.getElementById("preset-description").textContent = "";
    fill(schema.defaults);
  }

  /** Read the form into {preset, params} or return {errors} from the local checks. */
  function collect() {
    const errors = {};
    const params = {};
    for (const [name, { spec, read }] of inputs) {
      if (name === "preset") continue;
      let value = read();
      if (spec.kind === "plan") {
        try {
          value = parsePlan(value, schema.saga.steps.map((s) => s.name));
        } catch (err) { errors.plan = err.message; continue; }
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
    const saga = sagaOwn || sagaName;
    return Object.keys(errors).length ? { errors } : { body: { preset, saga, params } };
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
    loaded = await Promise.all([getJSON("/api/params"), getJSON("/api/presets"),
      getJSON("/api/sagas")]);
  } catch (err) {
    root.append(formError);
    formError.textContent = `could not load the parameter form (${err.message}); reload the page`;
    store.emit("form:ready", { presets: {} });
    return;
  }
  let sagas;
  [schema, presets, { sagas }] = loaded;
  const presetSelect = el("select#f-preset", { name: "preset",
    onchange: (e) => choosePreset(e.target.value) });
  const ownOption = el("option", { value: "(own)", hidden: true });
  const sagaSelect = el("select#f-saga", { name: "saga", onchange: (e) => pickSaga(e.target.value) },
    sagas.map((saga) => el("option", { value: saga.name, title: saga.description },
      `${saga.title || saga.name} (${saga.steps.length} steps)`)), ownOption);
  const fields = el("div.form-fields");

  /** The fields of the saga of `schema`, built again (the values: fill()). */
  function buildFields() {
    inputs.clear();
    const services = serviceFields(schema.saga).map(({ service, title, capacity, failure }) =>
      el("fieldset.service", { dataset: { step: service }, title }, el("legend", {}, service),
        capacity ? buildField(capacity) : el("p.muted.holds-nothing", {}, "holds nothing"),
        buildField(failure)));
    const open = (name) => fields.querySelector(`details.${name}`)?.open;
    const [faultsOpen, timingOpen, servicesOpen] = [open("faults"), open("timing"),
      open("services") ?? true];
    fields.replaceChildren(
      modeRow(),
      el("div.grid2", {}, buildField(SCENARIO[0]), buildField(SCENARIO[1])),
      seedRow(),
      buildField(SCENARIO.find((f) => f.name === "until")),
      buildField({ ...SCENARIO.find((f) => f.name === "plan"),
        help: `forced failures, e.g. ${planExample(schema.saga.steps.map((s) => s.name))}` }),
      el("details.services", { open: servicesOpen }, el("summary", {}, "Services"), services),
      el("details.faults", { open: faultsOpen }, el("summary", {}, "Faults & remedies"),
        FAULTS.map(buildField)),
      el("details.timing", { open: timingOpen }, el("summary", {}, "Timing"),
        TIMING.map(buildField)),
    );
  }

  root.append(
    el("div.field", {}, el("label", { for: "f-preset" }, "Preset"), presetSelect,
      el("p.preset-description#preset-description", { "aria-live": "polite" })),
    // the saga picker: not a parameter field of the schema (its errors: the form's own line)
    el("div.field.saga-picker", {}, el("label", { for: "f-saga" }, "Saga"),
      el("div.saga-choice", {}, sagaSelect, el("button.small#edit-saga", { type: "button",
        title: "make a saga, or change or copy this one (a table of its steps)",
        onclick: editSaga }, "✎ Edit…"))),
    fields,
    formError,
  );
  buildFields();
  sagaSelect.value = sagaName;
  root.dataset.sagaName = sagaName;
  presetSelect.append(el("option", { value: "" }, "(custom)"),
    ...Object.keys(presets).map((name) => el("option", { value: name }, name)));
  const first = presets.tutorial ? "tutorial" : Object.keys(presets)[0] || "";
  presetSelect.value = first;
  await choosePreset(first);

  store.on("ui:start", (options) => {
    const { errors, body } = collect();
    showErrors(errors || {});
    if (body) store.emit("cmd:start", { ...body, ...options });
  });
  store.on("form:errors", ({ errors }) => showErrors(errors));
  store.on("run:joined", async ({ run }) => {
    if (!run || !run.params) return;
    const saga = run.params.saga;
    const name = saga && typeof saga === "object" ? saga.name : saga;
    if (name && name !== sagaName && sagas.some((s) => s.name === name)) {
      await useSaga(named(name));
    }
    fill(run.params);
  });

  // The saga editor: opened on the picked saga; what it hands back becomes the form's saga.
  async function editSaga() {
    const { openSagaEditor } = await import("./saga_editor.js");
    await openSagaEditor(store, sagaOwn ? { definition: sagaOwn } : { name: sagaName });
  }
  store.on("saga:use", async ({ saga, name, start }) => {
    const kept = {};
    for (const key of KEPT) if (inputs.has(key)) setPath(kept, key, inputs.get(key).read());
    await (name ? useSaga(named(name)) : useSaga(() => schemaOf(saga), saga, "from the editor"));
    presetSelect.value = "";
    document.getElementById("preset-description").textContent = "";
    fill(deepMerge(schema.defaults, kept));
    if (start) store.emit("ui:start-request");
  });
  store.on("saga:saved", ({ saga }) => {
    sagas = [...sagas.filter((s) => s.name !== saga.name), saga];
    let option = [...sagaSelect.options].find((o) => o.value === saga.name);
    if (!option) {
      option = el("option", { value: saga.name });
      ownOption.before(option);
    }
    option.textContent = `${saga.title || saga.name} (${saga.steps.length} steps)`;
  });
  store.on("saga:deleted", ({ name }) => {
    sagas = sagas.filter((s) => s.name !== name);
    [...sagaSelect.options].find((o) => o.value === name)?.remove();
    // the fields stay; a run of them sends the definition itself, as a preset's own does
    if (sagaName === name && !sagaOwn) {
      sagaOwn = schema.saga;
      ownOption.textContent = `${schema.saga.title || name} (deleted: sent whole)`;
      ownOption.hidden = false;
      sagaSelect.value = ownOption.value;
    }
  });
  store.emit("form:ready", { presets });
}
