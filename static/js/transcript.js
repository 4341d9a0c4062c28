// Trace events -> the tutorial's console log, line for line: a small interpreter of the
// TRANSCRIPT table of sim/trace/vocabulary.py (served as ./vocabulary.js), the table
// sim/trace/transcript.py renders too; tests/test_transcript_drift.py compares the two.

import { fmtT } from "./util.js";
import VOCABULARY from "./vocabulary.js";

const { tables: TABLES, memory: MEMORY, kinds: KINDS } = VOCABULARY.transcript;
const FILTERS = {
  words: (v) => String(v).replaceAll("_", " "),
  list: (v) => v.slice(0, 5).join(", "),
  count: (v) => (isMapValue(v) ? Object.keys(v).length : undefined),
};
const ENV_NAMES = new Set(["at", "items", "key", ...Object.keys(MEMORY)]);
const missing = (v) => v === undefined || v === null;
function isMapValue(v) { return typeof v === "object" && v !== null && !Array.isArray(v); }
const isMap = isMapValue;
/** A table lookup; a value not in the table passes unchanged. */
const lookup = (table) => (v) => (Object.hasOwn(table, v) ? table[v] : v);

/** What a `set` line with `by` remembers: items by a key, each with its 1-based number. */
export function indexBy(items, key) {
  return Object.fromEntries(items.map((item, i) => [item[key], { ...item, number: i + 1 }]));
}

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
  if (!rest.length) return get;
  const keys = rest.map((k) => (k.startsWith("$") ? name(k.slice(1), names) : () => k));
  return (rec, env) => {
    let v = get(rec, env);
    for (const key of keys) {
      const k = key(rec, env);
      v = isMap(v) && Object.hasOwn(v, k) ? v[k] : undefined;
    }
    return v;
  };
}

/** A getter for `alt ?? alt | filter`, each alt a sum `path + path`. */
function expr(text, names) {
  const [alts, ...filters] = text.split(" | ");
  const sums = alts.split("??").map((alt) => alt.split(" + ").map((p) => path(p, names)));
  const funcs = filters.map((f) => f.trim()).map((f) => FILTERS[f] || lookup(TABLES[f]));
  if (sums.length === 1 && sums[0].length === 1 && funcs.length <= 1) { // the common case
    const [[get]] = sums;
    const [f] = funcs;
    return f ? (rec, env) => { const v = get(rec, env); return missing(v) ? v : f(v); } : get;
  }
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
  const literals = parts.filter((p, i) => i % 2 === 0);
  const getters = parts.filter((p, i) => i % 2).map((p) => expr(p, names));
  return (rec, env) => {
    let out = literals[0];
    for (let i = 0; i < getters.length; i += 1) {
      const v = getters[i](rec, env);
      out += (missing(v) ? "" : v) + literals[i + 1];
    }
    return out;
  };
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
  if (tests.length <= 1) return tests[0] || (() => true);
  return (rec, env) => tests.every((t) => t(rec, env));
}

/** Joins the texts of a mapping's entries into env.items; false when there are none. */
function joiner(join) {
  const over = path(join.over, ENV_NAMES);
  const test = when(join.when, ENV_NAMES);
  const text = template(join.text, ENV_NAMES);
  return (rec, env) => {
    const items = [];
    for (const [key, item] of Object.entries(over(rec, env) || {})) {
      env.key = key;
      if (test(item, env)) items.push(text(item, env));
    }
    env.items = items.join(join.sep);
    return items.length > 0;
  };
}

/** One line spec as a function adding its lines to `out`: none, one, or one per step. */
function line(spec) {
  if (spec.set) {
    const get = path(spec.to, ENV_NAMES);
    return (rec, env) => {
      const v = get(rec, env);
      if (!missing(v)) env[spec.set] = spec.by ? indexBy(v, spec.by) : v;
    };
  }
  const { each, cls = "" } = spec;
  const over = each ? path(spec.over, ENV_NAMES) : null;
  const names = each ? new Set([...ENV_NAMES, each]) : ENV_NAMES;
  const text = template(spec.text, names);
  const test = when(spec.when, names);
  const items = spec.join ? joiner(spec.join) : () => true;
  if (each) {
    return (rec, env, out) => {
      if (!items(rec, env)) return;
      for (const value of Object.keys(over(rec, env) || {})) {
        env[each] = value;
        if (test(rec, env)) out.push({ text: text(rec, env), cls });
      }
    };
  }
  return (rec, env, out) => {
    if (items(rec, env) && test(rec, env)) out.push({ text: text(rec, env), cls });
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
    const out = rule(e, this.env);
    for (const l of out) {
      l.saga = e.saga || null;
      l.seq = e.seq;
    }
    return out;
  }
}

/** The whole transcript of a trace as plain text lines (for tests and downloads). */
export function render(events) {
  const t = new Transcript();
  return events.flatMap((e) => t.lines(e).map((l) => l.text));
}
