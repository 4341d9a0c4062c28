// A step-line chart on a canvas: levels over simulated time against round ticks, an HTML
// legend above it (names with counts: text the room reads and a screen reader speaks), a
// shaded span, a curtain and a clock line over it, and the levels under the pointer. Sizes and
// colours are kept, never read while drawing; the axes and lines are painted into a layer only
// when they change, so moving a replay's curtain costs a copy of that layer.

import { axisTop, highest, levelAt, stepColumns, tickLabel, ticks } from "./chart_scale.js";
import { el, fmtT, whenIdle } from "./util.js";

const DASHES = { solid: [], dash: [2.2, 1.6], dot: [0.5, 1.3], longdash: [5, 2.5] }; // × width
const X_TITLE = "simulated time (s)";

/** The plot's box inside a chart of width x height at type size `font`. */
function plotBox(width, height, font) {
  const left = font * 3.6;
  const top = font * 0.7;
  return { left, top, right: width - font * 1.1, bottom: height - font * 2.9 };
}

/** The scales of `model` in `box`: x(t), y(v), their ticks, and t at a canvas x. */
function scales(model, box, font) {
  const { xMax } = model;
  let high = 0;
  for (const s of model.series) high = Math.max(high, s.high ?? highest(s.ys));
  const yTop = axisTop(high);
  const w = box.right - box.left;
  const h = box.bottom - box.top;
  return {
    x: (t) => box.left + (t / xMax) * w,
    y: (v) => box.bottom - (v / yTop) * h,
    tAt: (px) => Math.min(xMax, Math.max(0, ((px - box.left) / w) * xMax)),
    xTicks: ticks(xMax, Math.max(2, Math.floor(w / (font * 5)))),
    yTicks: ticks(yTop, Math.max(2, Math.floor(h / (font * 2.2)))),
  };
}

/** A series as a step line, its changes cut to one per 2 px column (stepColumns). Miter
 * joins: a step's corners are square, and round joins took three times as long to raster. */
function stepLine(ctx, s, sc, box, xMax) {
  const columns = Math.max(1, Math.round((box.right - box.left) / 2));
  const { x, y } = stepColumns(s.xs, s.ys, xMax, columns);
  if (!x.length) return;
  ctx.beginPath();
  let px = sc.x(x[0]);
  ctx.moveTo(px, sc.y(y[0]));
  for (let i = 1; i < x.length; i += 1) {
    const next = sc.x(x[i]);
    if (next !== px) ctx.lineTo(next, sc.y(y[i - 1]));
    ctx.lineTo(next, sc.y(y[i]));
    px = next;
  }
  ctx.lineTo(sc.x(Math.max(s.until ?? x[x.length - 1], x[x.length - 1])), sc.y(y[y.length - 1]));
  ctx.globalAlpha = s.alpha ?? 1;
  ctx.strokeStyle = s.color;
  ctx.lineWidth = s.width;
  ctx.setLineDash((DASHES[s.dash] || []).map((d) => d * s.width));
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

/** Axes, grid, titles and lines of `model` (what only changes with the data). */
function paintBase(ctx, width, height, font, model, yTitle) {
  const box = plotBox(width, height, font);
  const sc = scales(model, box, font);
  const small = font * 0.85;
  ctx.font = `${small}px system-ui, sans-serif`;
  ctx.fillStyle = model.colors.muted;
  ctx.strokeStyle = model.colors.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of sc.yTicks.values) {
    const py = Math.round(sc.y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.left, py);
    ctx.lineTo(box.right, py);
    ctx.stroke();
    ctx.fillText(tickLabel(v, sc.yTicks.step), box.left - small * 0.4, py);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of sc.xTicks.values) {
    const px = Math.round(sc.x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, box.top);
    ctx.lineTo(px, box.bottom);
    ctx.stroke();
    ctx.fillText(tickLabel(t, sc.xTicks.step), px, box.bottom + small * 0.35);
  }
  ctx.fillStyle = model.colors.fg;
  ctx.fillText(X_TITLE, (box.left + box.right) / 2, box.bottom + small * 1.65);
  ctx.save();
  ctx.translate(small * 0.3, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top - 3, box.right - box.left, box.bottom - box.top + 6);
  ctx.clip();
  ctx.lineJoin = "miter";
  for (const s of model.series) stepLine(ctx, s, sc, box, model.xMax);
  ctx.restore();
  return { box, sc };
}

/** The span, curtain, clock and pointer's line over the plot. */
function paintOver(ctx, model, { box, sc }, hoverT) {
  const { span, curtain, clock, colors } = model;
  const h = box.bottom - box.top;
  if (span) {
    ctx.globalAlpha = 0.3;
    ctx.fillStyle = colors.select;
    ctx.fillRect(sc.x(span[0]), box.top, Math.max(2, sc.x(span[1]) - sc.x(span[0])), h);
  }
  if (curtain) {
    ctx.globalAlpha = 0.88;
    ctx.fillStyle = colors.panel;
    ctx.fillRect(sc.x(curtain[0]), box.top - 3, sc.x(curtain[1]) - sc.x(curtain[0]) + 3, h + 6);
  }
  ctx.globalAlpha = 1;
  if (clock !== null) {
    ctx.fillStyle = colors.clock;
    ctx.fillRect(sc.x(clock) - 1, box.top, 2, h);
  }
  if (hoverT !== null) {
    ctx.fillStyle = colors.fg;
    ctx.fillRect(Math.round(sc.x(hoverT)), box.top, 1, h);
  }
}

/** The legend drawn on a canvas (an exported picture has no page around it); returns its
 * height. */
function paintLegend(ctx, width, font, model, title) {
  ctx.fillStyle = model.colors.fg;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.font = `bold ${font * 1.1}px system-ui, sans-serif`;
  ctx.fillText(title, font, font);
  ctx.font = `${font * 0.9}px system-ui, sans-serif`;
  let x = font;
  let y = font * 2.6;
  for (const s of model.series.filter((one) => one.legend)) {
    const w = font * 2.4 + ctx.measureText(s.name).width + font;
    if (x + w > width && x > font) {
      x = font;
      y += font * 1.5;
    }
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width;
    ctx.setLineDash((DASHES[s.dash] || []).map((d) => d * s.width));
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + font * 2, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillText(s.name, x + font * 2.4, y);
    x += w;
  }
  return y + font;
}

/** A chart in `root` (a .chart element) whose value axis is titled `yTitle`: {canvas,
 * draw(model), restyle(), png(filename, title, model)}; `onResize` is called when its size
 * changes (the owner draws again). model: {xMax, series: [{name, label, xs, ys, until, high, color,
 * dash, width, alpha, legend, swatch}], span, curtain: [t0, t1] | null, clock: t | null,
 * colors: {fg, muted, grid, select, panel, clock, bg}, layer: a key that changes when the
 * axes or lines do}. */
export function createStepChart(root, { yTitle, label, onResize }) {
  const legend = el("ul.chart-legend");
  const canvas = el("canvas.chart-canvas", { role: "img", "aria-label": label });
  const tip = el("div.chart-tip", { hidden: true, "aria-hidden": "true" });
  root.append(legend, el("div.chart-plot", {}, canvas, tip));
  const layer = document.createElement("canvas");
  let size = null;
  let model = null;
  let painted = null; // {key, geometry} of the layer
  let hoverT = null;
  let legendShown = "";

  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    const first = !size;
    size = { width, height, font: parseFloat(getComputedStyle(canvas).fontSize) || 16 };
    painted = null;
    if (first && !model) whenIdle(prime);
    onResize();
  }).observe(canvas);

  /** Paint empty axes once, unseen, in idle time before a run: the first text a canvas draws in
   * a type size takes chromium 30-40 ms, which would otherwise land in the run's first frame. */
  function prime() {
    if (model || !size || !size.width) return;
    const colors = { fg: "#000", muted: "#000", grid: "#000" };
    paintBase(fit(layer, size.width, size.height, window.devicePixelRatio || 1), size.width,
      size.height, size.font, { xMax: 1, series: [], colors }, yTitle);
  }

  function fit(target, width, height, scale) {
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    if (target.width !== w) target.width = w;
    if (target.height !== h) target.height = h;
    const ctx = target.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    return ctx;
  }

  function showLegend() {
    const items = model.series.filter((s) => s.legend);
    const key = items.map((s) => s.name).join("\n");
    if (key === legendShown) return;
    legendShown = key;
    legend.replaceChildren(...items.map((s) => el("li", {},
      el(`span.swatch.${s.swatch}.dash-${s.dash}`), el("span.legend-name", {}, s.name))));
  }

  function showTip(geometry) {
    if (hoverT === null) {
      tip.hidden = true;
      return;
    }
    const shownUntil = model.curtain ? model.curtain[0] : model.xMax;
    const t = Math.min(hoverT, shownUntil);
    tip.replaceChildren(el("b", {}, `${fmtT(t)} s`), ...model.series.filter((s) => s.legend)
      .map((s) => el("span", {}, el(`span.swatch.${s.swatch}.dash-${s.dash}`),
        ` ${s.label} ${levelAt(s.xs, s.ys, t) ?? "–"}`)));
    const px = geometry.sc.x(hoverT);
    tip.hidden = false;
    tip.classList.toggle("flip", px > (geometry.box.left + geometry.box.right) / 2);
    tip.style.setProperty("--x", `${px}px`);
  }

  function paint() {
    if (!model || !size || !size.width || !canvas.isConnected) return;
    const dpr = window.devicePixelRatio || 1;
    const { width, height, font } = size;
    if (!painted || painted.key !== model.layer) {
      const base = fit(layer, width, height, dpr);
      base.clearRect(0, 0, width, height);
      const geometry = paintBase(base, width, height, font, model, yTitle);
      painted = { key: model.layer, geometry };
    }
    const ctx = fit(canvas, width, height, dpr);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(layer, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paintOver(ctx, model, painted.geometry, hoverT);
    showTip(painted.geometry);
    const shapes = ["span", "curtain", "clock"].filter((k) => model[k] !== null).join(" ");
    if (canvas.dataset.shapes !== shapes) canvas.dataset.shapes = shapes;
    const small = String(Math.round(font * 0.85 * 10) / 10);
    if (canvas.dataset.font !== small) canvas.dataset.font = small;
  }

  function hover(event) {
    if (!painted) return;
    const rect = canvas.getBoundingClientRect();
    hoverT = painted.geometry.sc.tAt(event.clientX - rect.left);
    paint();
  }
  canvas.addEventListener("pointermove", hover);
  canvas.addEventListener("pointerdown", hover);
  canvas.addEventListener("pointerleave", () => {
    hoverT = null;
    paint();
  });

  return {
    canvas,
    /** Show `model` (see above). */
    draw(next) {
      model = next;
      showLegend();
      paint();
    },
    /** Forget the layer (the theme or type size changed: colours and sizes are read again). */
    restyle() {
      size = size && { ...size, font: parseFloat(getComputedStyle(canvas).fontSize) || 16 };
      painted = null;
    },
    /** Save the chart as it shows now (or `shown`, a model), titled and with its legend, as a
     * PNG; resolves when the download has been handed to the browser (null: nothing to save). */
    png(filename, title, shown = model) {
      if (!shown) return Promise.resolve(null);
      const font = size ? size.font : 16;
      const width = Math.max(640, size ? size.width : 900);
      const height = Math.max(320, size ? size.height : 400);
      const picture = document.createElement("canvas");
      const probe = fit(picture, width, 10, 2);
      const top = paintLegend(probe, width, font, shown, title);
      const ctx = fit(picture, width, height + top, 2);
      ctx.fillStyle = shown.colors.bg;
      ctx.fillRect(0, 0, width, height + top);
      paintLegend(ctx, width, font, shown, title);
      ctx.translate(0, top);
      const geometry = paintBase(ctx, width, height, font, shown, yTitle);
      paintOver(ctx, shown, geometry, null);
      return new Promise((resolve) => picture.toBlob((blob) => {
        const href = URL.createObjectURL(blob);
        el("a", { href, download: `${filename}.png` }).click();
        setTimeout(() => URL.revokeObjectURL(href), 10_000);
        resolve(blob);
      }, "image/png"));
    },
  };
}
