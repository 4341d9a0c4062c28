// The owner's dashboard in one column (a phone, a narrow window): the board comes first and the
// parameter form after it (css/saga.css), so a "⚙ Parameters" button in the run controls opens
// the form and scrolls to it, a run started from there scrolls back up to the board (and keeps
// it below the sticky controls as they grow), a Start refused for a field's value scrolls to
// that field, and the classroom row waits at the top of the parameters, out of the controls.

import { el, ONE_COLUMN as ONE_COLUMN_QUERY } from "./util.js";

const ONE_COLUMN = window.matchMedia(ONE_COLUMN_QUERY);

let pinned = null; // the element kept just below the controls until the reader scrolls

/** Scroll the page so that `element`'s top sits just below the sticky run controls, and keep it
 * there as the controls grow (a run's replay bar and caption) until the reader acts. */
function scrollBelowControls(element) {
  const controls = document.getElementById("controls");
  const top = element.getBoundingClientRect().top + window.scrollY - controls.offsetHeight - 8;
  window.scrollTo({ top: Math.max(0, top) });
  pinned = element;
}

/** In one column the classroom row (presenter view, start a class, pause when) sits at the top
 * of the parameters: in the sticky controls it took 84 of their 379 px on a phone and hid the
 * top of the board. In two columns, or in the presenter view (no parameters), it is in the
 * controls. */
function placeClassRow() {
  const row = document.querySelector(".class-row");
  if (!row) return;
  const inFlow = ONE_COLUMN.matches && !document.body.classList.contains("presenting");
  const home = inFlow ? document.querySelector("aside.params") : document.getElementById("controls");
  if (row.parentElement === home) return;
  if (inFlow) home.prepend(row);
  else home.append(row);
}

/** Add the Parameters button next to Start; follow what Start does in one column. */
export function initNarrowOwner(store) {
  const details = document.getElementById("params-details");
  const showForm = (element) => {
    details.open = true;
    scrollBelowControls(element);
  };
  const button = el("button.one-column-only#btn-params", { type: "button",
    "aria-controls": "params-details", title: "the parameters, below the board (p)",
    onclick: () => {
      showForm(details);
      document.getElementById("f-preset")?.focus({ preventScroll: true });
    } }, "⚙ Parameters");
  document.getElementById("btn-start").after(button);
  store.on("run:joined", ({ started }) => {
    if (started && ONE_COLUMN.matches) scrollBelowControls(document.querySelector(".board-panel"));
  });
  // the form marks its errors in its own handlers (a local check, or the server's answer)
  const toError = () => requestAnimationFrame(() => {
    const error = document.querySelector("#form .field.invalid, #form-error:not(:empty)");
    if (error && ONE_COLUMN.matches) showForm(error);
  });
  store.on("ui:start", toError);
  store.on("form:errors", toError);
  const controls = document.getElementById("controls");
  new ResizeObserver(() => {
    if (pinned && ONE_COLUMN.matches) scrollBelowControls(pinned);
  }).observe(controls);
  for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) {
    addEventListener(type, () => { pinned = null; }, { capture: true, passive: true });
  }
  // the classroom row is added to the controls once its module has loaded (main.js)
  new MutationObserver(placeClassRow).observe(controls, { childList: true });
  ONE_COLUMN.addEventListener("change", placeClassRow);
  addEventListener("resize", placeClassRow); // the presenter view sends one as it toggles
}
