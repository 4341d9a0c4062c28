// Plotly (npm plotly.js-basic-dist-min, a third of a megabyte: most of a page's first load) is
// loaded only when a page is about to draw a chart, once per page, in idle time (its parse is a
// long task): the board and timeline come first.

import { el, whenIdle } from "./util.js";

let plotly = null; // the page's one load of plotly.min.js (it defines window.Plotly)

/** Resolves once window.Plotly is defined (rejects if the script cannot load). */
export function loadPlotly() {
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      if (window.Plotly) { resolve(); return; }
      whenIdle(() => {
        const script = el("script", { src: new URL("../vendor/plotly.min.js", import.meta.url).href });
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      }, { timeout: 2000, fallbackMs: 200 });
    });
  }
  return plotly;
}
