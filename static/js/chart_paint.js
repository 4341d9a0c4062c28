// Painting a step-line chart on a 2D context: axes with round ticks, grid and titles, the lines
// (their changes cut to the plot's columns), the shapes over them, and a legend for a picture
// with no page around it. Pure drawing: sizes, colours and data come in, nothing is read.

import { axisTop, highest, stepColumns, tickLabel, ticks } from "./chart_scale.js";

const DASHES = { solid: [], dash: [2.2, 1.6], dot: [0.5, 1.3], longdash: [5, 2.5] }; // × width
const X_TITLE = "simulated time (s)";

/** The plot's box inside a chart of width x height at type size `font`, whose widest value
 * label is `labels` px wide (the rotated axis title to its left). */
function plotBox(width, height, font, labels = 0) {
  const left = Math.max(font * 3.6, font * 0.85 * 2.1 + labels);
  const top = font * 0.7;
  return { left, top, right: width - font * 1.1, bottom: height - font * 2.9 };
}

/** The top of `model`'s value axis: room above its highest level (a series' `high`, or read
 * from its levels when it has none). */
function valueTop(model) {
  let high = 0;
  for (const s of model.series) high = Math.max(high, s.high ?? highest(s.ys));
  return axisTop(high);
}

/** The scales of `model` in `box` with the value axis up to `yTop`: x(t), y(v), their ticks,
 * and t at a canvas x. */
function scales(model, box, font, yTop) {
  const { xMax } = model;
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
export function paintBase(ctx, width, height, font, model, yTitle) {
  const small = font * 0.85;
  ctx.font = `${small}px system-ui, sans-serif`;
  const yTop = valueTop(model);
  const { yTicks } = scales(model, plotBox(width, height, font), font, yTop); // as high as box
  let labels = 0;
  for (const v of yTicks.values) {
    labels = Math.max(labels, ctx.measureText(tickLabel(v, yTicks.step)).width);
  }
  const box = plotBox(width, height, font, labels);
  const sc = scales(model, box, font, yTop);
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
export function paintOver(ctx, model, { box, sc }, hoverT) {
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
export function paintLegend(ctx, width, font, model, title) {
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
