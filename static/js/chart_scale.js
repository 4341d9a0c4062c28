// The arithmetic of a step-line chart, apart from any canvas: round tick values, their labels,
// a series' level at a time, and long series cut to what a chart's columns can show.

/** The round step (1, 2 or 5 times a power of ten) that cuts `span` into at most `most` parts. */
export function niceStep(span, most) {
  if (!(span > 0) || !(most >= 1)) return 1;
  const raw = span / most;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9));
  return step;
}

/** Tick values from 0 to `top` (inclusive when it falls on a step), at most about `most`. */
export function ticks(top, most) {
  const step = niceStep(top, most);
  const out = [];
  for (let i = 0; i * step <= top * (1 + 1e-9); i += 1) {
    out.push(Number((i * step).toPrecision(12)));
  }
  return { step, values: out };
}

/** A tick's label: thousands separated, as many decimals as the step needs. */
export function tickLabel(value, step) {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals,
    maximumFractionDigits: decimals });
}

/** The top of a value axis whose highest value is `high`: a little room above it (never 0). */
export function axisTop(high) {
  return high > 0 ? high * 1.06 : 1;
}

/** The level of a step series (xs ascending) at time t: its last y at or before t, or null
 * before its first point. */
export function levelAt(xs, ys, t) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo ? ys[lo - 1] : null;
}

/** A step series (xs ascending from 0) drawn in `count` columns over [0, xMax]: where it has
 * more than two points per column, each column's changes become its first point's time with
 * the first, lowest, highest and last levels in turn (repeats dropped), so the line keeps its
 * envelope and its level at every column's end; fewer points are kept as they are. */
export function stepColumns(xs, ys, xMax, count) {
  const n = xs.length;
  if (n <= 2 * count || !(xMax > 0)) return { x: xs, y: ys };
  const per = xMax / count;
  const x = [];
  const y = [];
  const push = (t, v) => {
    if (x.length && x[x.length - 1] === t && y[y.length - 1] === v) return;
    x.push(t);
    y.push(v);
  };
  for (let i = 0; i < n;) {
    const end = (Math.floor(xs[i] / per) + 1) * per;
    let lo = ys[i];
    let hi = ys[i];
    let j = i;
    while (j + 1 < n && xs[j + 1] < end) {
      j += 1;
      if (ys[j] < lo) lo = ys[j];
      if (ys[j] > hi) hi = ys[j];
    }
    for (const v of [ys[i], lo, hi, ys[j]]) push(xs[i], v);
    i = j + 1;
  }
  return { x, y };
}

/** The highest value of a series (0 for none). */
export function highest(ys) {
  let top = 0;
  for (const v of ys) if (v > top) top = v;
  return top;
}
