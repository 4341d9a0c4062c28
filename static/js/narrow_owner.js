// The owner's dashboard in one column (a phone, a narrow window): the board comes first and the
// parameter form after it (css/saga.css), so a "⚙ Parameters" button in the run controls opens
// the form and scrolls to it, a run started from there scrolls back up to the board, and a
// Start refused for a field's value scrolls to that field.

import { el } from "./util.js";

const ONE_COLUMN = window.matchMedia("(max-width: 1100px)");

/** Scroll the page so that `element`'s top sits just below the sticky run controls. */
function scrollBelowControls(element) {
  const controls = document.getElementById("controls");
  const top = element.getBoundingClientRect().top + window.scrollY - controls.offsetHeight - 8;
  window.scrollTo({ top: Math.max(0, top) });
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
}
