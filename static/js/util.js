// Small shared helpers: DOM building, number formatting, animation-frame throttling, and the
// words every view shares, from the server's vocabulary (sim/trace/vocabulary.py).

import VOCABULARY from "./vocabulary.js";

export { VOCABULARY };
/** The media query of the pages' one-column layout (saga.css, history.css). */
export const ONE_COLUMN = "(max-width: 1100px)";
/** Run states: live (pending, running, paused) and ended (finished, stopped, interrupted, failed). */
export const LIVE_STATES = new Set(VOCABULARY.run_states.live);
export const ENDED_STATES = new Set(VOCABULARY.run_states.ended);

/** The mode of a run from its parameters (the default mode when they do not say). */
export function runMode(params) {
  return (params && params.mode) || VOCABULARY.modes[0];
}

/** Build an element: el("div.card#x", {title: "t", onclick: fn}, child, "text", ...). */
export function el(spec, attrs = {}, ...children) {
  const [tagAndClasses, id] = spec.split("#");
  const [tag, ...classes] = tagAndClasses.split(".");
  const node = document.createElement(tag || "div");
  if (classes.length) node.className = classes.join(" ");
  if (id) node.id = id;
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "htmlFor") {
      node.setAttribute("for", value); // the property's name is not the attribute's
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (key in node && typeof value !== "string") {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? "" : value);
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A stylesheet beside the page's modules (css/name), resolved once it has loaded (or failed:
 * the page works unstyled rather than not at all). */
export function stylesheet(name) {
  return new Promise((resolve) => {
    const href = new URL(`../css/${name}`, import.meta.url).href;
    if (document.querySelector(`link[href="${href}"]`)) { resolve(); return; }
    document.head.append(el("link", { rel: "stylesheet", href, onload: resolve, onerror: resolve }));
  });
}

/** Hand a Blob to the browser as a download named `filename` (the object URL is let go
 * once the browser has had time to take it). */
export function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob);
  el("a", { href, download: filename }).click();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** Text made safe to put into HTML. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Simulated time as the tutorial prints it: one decimal, rounded like Python's `f"{t:.1f}"`
 * (from the exact binary value; toFixed does that too but takes x.25 up where Python takes the
 * even x.2). */
export function fmtT(t) {
  return (t * 4) % 4 === 1 ? `${Math.floor(t)}.2` : t.toFixed(1);
}

/** A count with thousands separators. */
export function fmtN(n) {
  return Number(n).toLocaleString("en-US");
}

/** Wrap fn so that many calls within one animation frame run it once, with the latest args. */
export function perFrame(fn) {
  let scheduled = false;
  let lastArgs = [];
  return (...args) => {
    lastArgs = args;
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      fn(...lastArgs);
    });
  };
}

/** Run fn(deadline) when the page is idle: requestIdleCallback (with `timeout` if given), or
 * where there is none (Safari) after `fallbackMs`, with a deadline that allows 8 ms. */
export function whenIdle(fn, { timeout, fallbackMs = 50 } = {}) {
  if (window.requestIdleCallback) {
    window.requestIdleCallback(fn, timeout === undefined ? undefined : { timeout });
  } else {
    setTimeout(() => fn({ didTimeout: false, timeRemaining: () => 8 }), fallbackMs);
  }
}

/** Mark what a view (root[data-view]) has drawn: the store's render `frame` and the run's seq.
 * Tests and benchmarks wait for data-drawn to reach the store's data-frame, never for a timer. */
export function markDrawn(root, frame, state) {
  root.dataset.drawnSeq = String(state ? state.seq : -1);
  root.dataset.drawn = String(frame);
}

/** Index of the first item whose key(item) >= value in a sorted array (binary search). */
export function lowerBound(items, value, key = (x) => x) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Read a CSS custom property of the document root (theme colours for canvases and Plotly). */
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

