// The experiment factor `order` (docs/experiments.md): a level lists every step of the base's
// saga once, in the order it runs, a step as name:kind to give it another kind. What the form
// reads and writes, and how charts and tables name a level. No DOM: tests/js runs it in node.

export const ORDER = "order";
const MARKS = { pivot: " ◆", retriable: " ↻" };

/** "car:compensatable, hotel > flight:pivot" -> ["car:compensatable", "hotel", "flight:pivot"]
 * (commas, ">" or "→" between the steps). */
export function parseOrder(text) {
  return String(text).split(/[,>→]/).map((s) => s.replace(/\s+/g, "")).filter(Boolean);
}

/** A level as the form shows it: the steps by name, a kind only where it is not the saga's
 * own (`steps`: the saga's [{name, kind}], if known). */
export function orderText(level, steps = []) {
  const own = new Map(steps.map((s) => [s.name, s.kind]));
  return level.map((entry) => {
    const [name, kind] = entry.split(":");
    return kind && kind !== own.get(name) ? `${name}:${kind}` : name;
  }).join(", ");
}

/** A level as charts and tables name it: "car → hotel → flight ◆" (◆ the pivot, ↻ retriable;
 * a level stored as step:kind gives every step's kind). */
export function orderLabel(level) {
  if (!Array.isArray(level)) return String(level);
  return level.map((entry) => {
    const [name, kind] = entry.split(":");
    return name + (MARKS[kind] || "");
  }).join(" → ");
}

/** How a chart or table names a factor level: "retries = 1", or an order's label. */
export function levelLabel(param, level) {
  return param === ORDER ? orderLabel(level) : `${param} = ${level}`;
}

/** The levels an order factor starts with: the saga's own order, and its steps with the
 * likeliest failure first (the pessimistic order), each position keeping its kind, so that
 * the saga's rules still hold (travel: car, hotel, then flight as the pivot). */
export function defaultOrders(steps) {
  const own = steps.map((s) => s.name);
  const likeliest = steps.map((s, i) => ({ ...s, i }))
    .sort((a, b) => b.failure_rate - a.failure_rate || a.i - b.i)
    .map((s, position) => {
      const kind = steps[position].kind;
      return kind === s.kind ? s.name : `${s.name}:${kind}`;
    });
  const same = likeliest.every((entry, i) => entry === own[i]);
  return same ? [own] : [own, likeliest];
}
