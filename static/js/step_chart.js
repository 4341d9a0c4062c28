// A step-line chart on a canvas: levels over simulated time against round ticks, an HTML
// legend above it (names with counts: text the room reads and a screen reader speaks), a
// shaded span, a curtain and a clock line over it, and the levels under the pointer. Sizes and
// colours are kept, never read while drawing; the axes and lines are painted into a layer only
// when they change, so moving a replay's curtain costs a copy of that layer.

import { paintBase, paintLegend, paintOver } from "./chart_paint.js";
import { levelAt } from "./chart_scale.js";
import { el, fmtT, saveBlob, whenIdle } from "./util.js";

/** A chart in `root` (a .chart element) whose value axis is titled `yTitle`: {canvas,
 * draw(model), restyle(), png(filename, title, model)}; `onResize` is called when its size
 * changes (the owner draws again). model: {xMax, series: [{name, label, xs, ys, until, high,
 * color, dash, width, alpha, legend, swatch}], span, curtain: [t0, t1] | null, clock: t |
 * null, colors: {fg, muted, grid, select, panel, clock, bg}, layer: a key that changes when
 * the axes or lines do}. */
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
    if (!model || !size || !size.width || !size.height || !canvas.isConnected) return;
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
  const hideTip = () => {
    if (hoverT === null) return;
    hoverT = null;
    paint();
  };
  canvas.addEventListener("pointermove", hover);
  canvas.addEventListener("pointerdown", hover);
  // a finger lifted leaves the readout where it touched (on a phone it is read after the
  // finger is gone) until a touch elsewhere; a mouse leaving the plot hides it
  canvas.addEventListener("pointerleave", (event) => {
    if (event.pointerType !== "touch") hideTip();
  });
  canvas.addEventListener("pointercancel", hideTip); // the finger scrolled the page instead
  document.addEventListener("pointerdown", (event) => {
    if (event.target !== canvas) hideTip();
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
        saveBlob(blob, `${filename}.png`);
        resolve(blob);
      }, "image/png"));
    },
  };
}
