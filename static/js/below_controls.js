// On a phone (up to 600 px wide) what is used once per run leaves the sticky run controls for
// a row just below them that scrolls away with the page: the replay's other actions (re-run,
// show the fix, compare with…, export) took two of the controls' rows there (a share link of
// a failing preset at 390x844: controls 266 px tall with them, 218 without, the caption's
// second line included).

import { el } from "./util.js";

const PHONE = window.matchMedia("(max-width: 600px)");

/** Keep `element` where it is, or on a phone in a row right after `controls` (shown while a
 * replay is: saga.css). */
export function belowControlsOnPhone(element, controls) {
  const home = element.parentElement;
  const row = el("div.below-controls");
  controls.after(row);
  const place = () => (PHONE.matches ? row : home).append(element);
  PHONE.addEventListener("change", place);
  place();
}
