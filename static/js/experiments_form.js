// The experiment setup form: base (preset, saga + parameters), sweep, second factor,
// replications and master seed; built-in experiments fill it in. The parameters offered to
// sweep are the base's saga's (its steps' failure rates and capacities); the second factor
// may be the order of its steps, one row per order. Submits `exp:submit`, shows `exp:errors`.

import { defaultOrders, ORDER } from "./experiments_order.js";
import { ordersField } from "./experiments_orders_field.js";
import { el, fmtN } from "./util.js";

const NUMERIC = new Set(["int", "float"]);

function field(name, label, input, hint) {
  return el("div.field", { dataset: { field: name } },
    el("label", { htmlFor: input.id }, label), input,
    hint ? el("small", {}, hint) : null, el("span.field-error"));
}

function select(id, options) {
  return el(`select#${id}`, {}, options.map(([value, text]) => el("option", { value }, text)));
}

const number = (id, step) => el(`input#${id}`, { type: "number", step, required: true });
/** A factor's choice in its picker: the order of the steps says what it is. */
const factorOption = (n) => [n, n === ORDER ? "order of the saga's steps" : n];

/** "orchestration, choreography" or "false, true" or "0, 1" -> typed levels. */
export function parseLevels(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    try { return JSON.parse(s); } catch { return s; }
  });
}

function defaultLevels(spec) {
  if (!spec) return "";
  if (spec.kind === "bool") return "false, true";
  if (spec.kind === "choice") return spec.choices.join(", ");
  if (spec.kind === "int") return `${spec.lo}, ${spec.lo + 1}`;
  return `${spec.lo}, ${spec.hi}`;
}

export async function initExperimentForm(form, { emit, on }) {
  let loaded = null; // a spec that arrived before the form was built
  const early = on("exp:spec", ({ spec }) => { loaded = spec; });
  const [first, presets, builtins, { sagas }] = await Promise.all(
    ["/api/experiment-fields", "/api/presets", "/api/experiment-presets", "/api/sagas"].map((u) =>
      fetch(u).then((r) => r.json())));
  let fields = first;
  const names = Object.keys(fields);
  const about = el("p.exp-about#exp-builtin-about");
  const $ = {
    builtin: select("exp-builtin", [["", "— set up your own —"],
      ...Object.entries(builtins).map(([k, b]) => [k, b.title])]),
    name: el("input#exp-name", { type: "text", maxLength: 120, placeholder: "optional" }),
    preset: select("exp-preset", [["", "defaults"], ...Object.keys(presets).map((p) => [p, p])]),
    saga: select("exp-saga", [["", "the preset's"],
      ...sagas.map((saga) => [saga.name, `${saga.title || saga.name} (${saga.steps.length} steps)`])]),
    params: el("textarea#exp-base-params", { rows: 3, spellcheck: false,
      placeholder: '{"bookings": 20}' }),
    sweep: select("exp-sweep-param", names.filter((n) => NUMERIC.has(fields[n].kind))
      .map((n) => [n, n])),
    from: number("exp-from", "any"), to: number("exp-to", "any"), step: number("exp-step", "any"),
    factor: select("exp-factor-param", [["", "none"], ...names.map(factorOption)]),
    levels: el("input#exp-levels", { type: "text", placeholder: "orchestration, choreography" }),
    reps: number("exp-reps", "1"), seed: number("exp-seed", "1"),
  };
  const orders = ordersField(() => count());
  const levelsField = field("factor.levels", "Levels (comma-separated)", $.levels);
  const runs = el("p.exp-runs#exp-runs");
  const formError = el("p.form-error#exp-form-error");
  form.replaceChildren(
    field("builtin", "Built-in experiment", $.builtin), about,
    field("name", "Name", $.name),
    el("fieldset", {}, el("legend", {}, "Base"), field("base.preset", "Preset", $.preset),
      field("base.params.saga", "Saga", $.saga),
      field("base.params", "Parameters (JSON, overrides the preset)", $.params)),
    el("fieldset", { dataset: { field: "sweep" } }, el("legend", {}, "Sweep"),
      field("sweep.param", "Parameter", $.sweep),
      el("div.exp-row", {}, field("sweep.from", "from", $.from), field("sweep.to", "to", $.to),
        field("sweep.step", "step", $.step)), el("span.field-error")),
    el("fieldset", {}, el("legend", {}, "Second factor (optional)"),
      field("factor.param", "Parameter", $.factor), levelsField, orders.node),
    el("div.exp-row.two", {}, field("replications", "Replications per point", $.reps),
      field("seed", "Master seed", $.seed)),
    runs, formError,
    el("button.primary#exp-run", { type: "submit" }, "Run experiment"));

  function fill(spec) {
    $.name.value = spec.name || "";
    $.preset.value = spec.base?.preset || "";
    const { saga, ...params } = spec.base?.params || {};
    $.saga.value = typeof saga === "string" ? saga : "";
    $.params.value = Object.keys(params).length ? JSON.stringify(params) : "";
    $.sweep.value = spec.sweep.param;
    $.from.value = spec.sweep.from; $.to.value = spec.sweep.to; $.step.value = spec.sweep.step;
    $.factor.value = spec.factor ? spec.factor.param : "";
    const ordering = spec.factor?.param === ORDER;
    $.levels.value = spec.factor && !ordering
      ? spec.factor.levels.map((v) => String(v)).join(", ") : "";
    if (ordering) orders.set(spec.factor.levels, fields[ORDER]?.steps);
    showFactor();
    $.reps.value = spec.replications; $.seed.value = spec.seed;
    count();
    const { sweep, factor } = spec;
    followSaga(ordering ? factor.levels : null).then(() => { // the spec's own choices, once
      $.sweep.value = sweep.param; // its saga's fields are offered
      $.factor.value = factor ? factor.param : "";
      showFactor();
    });
  }

  /** The levels' text field, or the rows of orders for the factor `order`. */
  function showFactor() {
    const ordering = $.factor.value === ORDER;
    levelsField.hidden = ordering;
    orders.node.hidden = !ordering;
  }

  function factorSpec() {
    if (!$.factor.value) return null;
    const ordering = $.factor.value === ORDER;
    return { param: $.factor.value, levels: ordering ? orders.read() : parseLevels($.levels.value) };
  }

  function read() {
    let params = {};
    const text = $.params.value.trim();
    if (text) {
      try { params = JSON.parse(text); } catch {
        return { error: { "base.params": "is not valid JSON" } };
      }
    }
    if ($.saga.value && params.saga === undefined) params = { ...params, saga: $.saga.value };
    return { spec: {
      name: $.name.value.trim() || null,
      base: { preset: $.preset.value || null, params },
      sweep: { param: $.sweep.value, from: Number($.from.value), to: Number($.to.value),
        step: Number($.step.value) },
      factor: factorSpec(),
      replications: Number($.reps.value), seed: Number($.seed.value),
    } };
  }

  function count() {
    const { spec } = read();
    if (!spec) return;
    const { from, to, step } = spec.sweep;
    const values = step > 0 && to >= from ? Math.floor((to - from) / step + 1e-9) + 1 : 0;
    const levels = spec.factor ? spec.factor.levels.length : 1;
    const total = values * levels * spec.replications;
    const what = spec.factor?.param === ORDER ? "order" : "level";
    runs.textContent = `${values} values × ${levels} ${what}${levels === 1 ? "" : "s"} × ` +
      `${fmtN(spec.replications)} replications = ${fmtN(total)} runs`;
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-field]").forEach((node) => {
      node.classList.remove("invalid");
      const slot = node.querySelector(":scope > .field-error");
      if (slot) slot.textContent = "";
    });
    const loose = [];
    for (const [key, message] of Object.entries(errors)) {
      const name = key.startsWith("base.params") ? "base.params" : key;
      const node = [...form.querySelectorAll(`[data-field="${name}"]`)]
        .find((n) => !n.hidden);
      const slot = node && node.querySelector(":scope > .field-error");
      if (!slot) { loose.push(`${key}: ${message}`); continue; }
      node.classList.add("invalid");
      slot.textContent = name === key ? message : `${key.slice(12)} ${message}`;
    }
    formError.textContent = loose.join("; ");
  }

  $.builtin.addEventListener("change", () => {
    const chosen = builtins[$.builtin.value];
    about.textContent = chosen ? chosen.description : "";
    if (chosen) fill({ ...chosen.spec, name: chosen.title });
  });
  /** The parameters the base's saga has, offered to sweep and as the second factor (a value
   * chosen that the saga still has stays chosen). */
  let asked = 0; // the latest choice's look-up: an older answer arriving later is dropped
  async function followSaga(levels = null) {
    const mine = ++asked;
    const query = $.saga.value ? `?saga=${encodeURIComponent($.saga.value)}`
      : $.preset.value ? `?preset=${encodeURIComponent($.preset.value)}` : "";
    const response = await fetch(`/api/experiment-fields${query}`);
    if (!response.ok || mine !== asked) return;
    const answer = await response.json();
    if (mine !== asked) return;
    fields = answer;
    const all = Object.keys(fields);
    const keep = (box, options) => {
      const was = box.value;
      box.replaceChildren(...options.map(([value, text]) => el("option", { value }, text)));
      if (options.some(([value]) => value === was)) box.value = was;
    };
    keep($.sweep, all.filter((n) => NUMERIC.has(fields[n].kind)).map((n) => [n, n]));
    keep($.factor, [["", "none"], ...all.map(factorOption)]);
    const steps = fields[ORDER]?.steps || [];
    const names = (list) => list.map((s) => s.name).join(",");
    if (levels) orders.set(levels, steps); // a spec's orders, shown in its saga's terms
    else if (names(steps) !== names(orders.steps)) orders.set(defaultOrders(steps), steps);
    count();
    form.dataset.sagaName = $.saga.value || (presets[$.preset.value]?.params.saga?.name
      ?? presets[$.preset.value]?.params.saga) || "";
  }
  $.saga.addEventListener("change", () => followSaga());
  $.preset.addEventListener("change", () => followSaga());
  $.factor.addEventListener("change", () => {
    if ($.factor.value === ORDER) {
      orders.set(defaultOrders(fields[ORDER].steps), fields[ORDER].steps);
    } else {
      $.levels.value = defaultLevels(fields[$.factor.value]);
    }
    showFactor();
    count();
  });
  form.addEventListener("input", count);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { spec, error } = read();
    if (error) showErrors(error);
    else emit("exp:submit", spec);
  });
  on("exp:errors", ({ errors }) => showErrors(errors));
  early();
  on("exp:spec", ({ spec }) => { if (spec) fill(spec); });
  // /experiments?builtin=NAME opens with that built-in experiment filled in (a lesson's link)
  const linked = new URLSearchParams(location.search).get("builtin");
  if (!loaded && builtins[linked]) {
    $.builtin.value = linked;
    about.textContent = builtins[linked].description;
    fill({ ...builtins[linked].spec, name: builtins[linked].title });
  } else {
    fill(loaded || builtins["orchestration-vs-choreography"]?.spec ||
      Object.values(builtins)[0].spec);
  }
}
