// Trace events -> the tutorial's console log, line for line: a small interpreter of the
// TRANSCRIPT table of sim/trace/vocabulary.py (served as ./vocabulary.js), the table
// sim/trace/transcript.py renders too; tests/test_transcript_drift.py compares the two.

import { fmtT } from "./util.js";
import VOCABULARY from "./vocabulary.js";

const { tables: TABLES, memory: MEMORY, kinds: KINDS } = VOCABULARY.transcript;
const FILTERS = {
  words: (v) => String(v).replaceAll("_", " "),
  list: (v) => v.slice(0, 5).join(", "),
};
const ENV_NAMES = new Set(["at", "items", "key", ...Object.keys(MEMORY)]);
const missing = (v) => v === undefined || v === null;
const isMap = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** A getter (record, env) for a name: loop variable, env value, table or record field. */
function name(n, names) {
  if (names.has(n)) return (rec, env) => env[n];
  if (Object.hasOwn(TABLES, n)) return () => TABLES[n];
  return (rec) => rec[n];
}

/** A getter for `name.key.$name...` (undefined when a key is missing). */
function path(text, names) {
  const [first, ...rest] = text.trim().split(".");
  const get = name(first, names);
  const keys = rest.map((k) => (k.startsWith("$") ? name(k.slice(1), names) : () => k));
  return (rec, env) => keys.reduce((v, key) => {
    const k = key(rec, env);
    return isMap(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  }, get(rec, env));
}

/** A getter for `alt ?? alt | filter`, each alt a sum `path + path`. */
function expr(text, names) {
  const [alts, ...filters] = text.split(" | ");
  const sums = alts.split("??").map((alt) => alt.split(" + ").map((p) => path(p, names)));
  const funcs = filters.map((f) => FILTERS[f.trim()] || ((v) => TABLES[f.trim()][v]));
  return (rec, env) => {
    let v;
    for (const terms of sums) {
      v = terms.length === 1 ? terms[0](rec, env)
        : terms.reduce((sum, term) => sum + term(rec, env), 0);
      if (!missing(v)) break;
    }
    for (const f of funcs) v = missing(v) ? undefined : f(v);
    return v;
  };
}

/** The template as a function of (record, env); a missing value prints as nothing. */
function template(text, names) {
  const parts = text.split(/\{([^{}]+)\}/); // literal, expr, literal, ..., literal
  const getters = parts.map((p, i) => (i % 2 ? expr(p, names) : () => p));
  return (rec, env) => getters.map((g) => {
    const v = g(rec, env);
    return missing(v) ? "" : String(v);
  }).join("");
}

/** `path`, `path=value`, `path!=value` or `path>number`; a leading `!` negates. */
function condition(cond, names) {
  if (cond.startsWith("!")) {
    const test = condition(cond.slice(1), names);
    return (rec, env) => !test(rec, env);
  }
  for (const op of ["!=", "=", ">"]) {
    const at = cond.indexOf(op);
    if (at < 0) continue;
    const get = path(cond.slice(0, at), names);
    const right = cond.slice(at + op.length);
    if (op === ">") return (rec, env) => (get(rec, env) || 0) > Number(right);
    return (rec, env) => (String(get(rec, env)) === right) === (op === "=");
  }
  const get = path(cond, names);
  return (rec, env) => Boolean(get(rec, env));
}

function when(conds, names) {
  const tests = (conds || []).map((c) => condition(c, names));
  return (rec, env) => tests.every((t) => t(rec, env));
}

/** One line spec as a function pushing its [text, cls] lines: none, one, or one per step. */
function line(spec) {
  if (spec.set) {
    const get = path(spec.to, ENV_NAMES);
    return (rec, env) => { env[spec.set] = get(rec, env); };
  }
  const names = spec.each ? new Set([...ENV_NAMES, spec.each]) : ENV_NAMES;
  const text = template(spec.text, names);
  const test = when(spec.when, names);
  const join = spec.join && {
    ...spec.join, over: path(spec.join.over, ENV_NAMES), test: when(spec.join.when, ENV_NAMES),
    text: template(spec.join.text, ENV_NAMES),
  };
  return (rec, env, out) => {
    if (join) {
      const items = Object.entries(join.over(rec, env) || {}).filter(([key, item]) => {
        env.key = key;
        return join.test(item, env);
      }).map(([key, item]) => { env.key = key; return join.text(item, env); });
      if (!items.length) return;
      env.items = items.join(join.sep);
    }
    for (const value of spec.each ? VOCABULARY.steps : [null]) {
      if (spec.each) env[spec.each] = value;
      if (test(rec, env)) out.push([text(rec, env), spec.cls || ""]);
    }
  };
}

const RULES = Object.fromEntries(Object.entries(KINDS).map(([kind, specs]) => {
  const lines = specs.map(line);
  return [kind, (rec, env) => {
    const out = [];
    for (const emit of lines) emit(rec, env, out);
    return out;
  }];
}));

/** Renders one event at a time; remembers the run's mode like the Python renderer does. */
export class Transcript {
  constructor() {
    this.env = { ...MEMORY };
  }

  /** The lines of one event: [{text, saga, cls, seq}] (blank lines have text ""). */
  lines(e) {
    const rule = RULES[e.kind];
    if (!rule) return [];
    this.env.at = `[${fmtT(e.t)}]`;
    return rule(e, this.env).map(([text, cls]) => ({ text, cls, saga: e.saga || null,
      seq: e.seq }));
  }
}

/** The whole transcript of a trace as plain text lines (for tests and downloads). */
export function render(events) {
  const t = new Transcript();
  return events.flatMap((e) => t.lines(e).map((l) => l.text));
}
