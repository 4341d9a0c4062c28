// Invariants: each consistency check of docs/sim-api.md with a live pass/fail mark. A failure names
// its sagas; selecting one jumps to it everywhere on the page.

import { CHECK_NAMES, createState } from "./state.js";
import { el, escapeHtml, markDrawn, ONE_COLUMN, VOCABULARY } from "./util.js";
import { drawAfterLists } from "./vlist.js";

const CHECKS = Object.fromEntries(VOCABULARY.checks.map((c) => [c.name, [c.title, c.gist]]));

function itemHtml(check, inv, finished, idle) {
  const [name, what] = CHECKS[check] || [check, ""];
  const waiting = idle || (check === "nothing_stuck" && !finished && inv.ok);
  const status = !inv.ok ? "fail" : waiting ? "wait" : "pass";
  const mark = { fail: "✗ FAIL", wait: idle ? "– no run" : "… at end", pass: "✓ pass" }[status];
  const sagas = inv.sagas.slice(0, 6).map((id) =>
    `<button type="button" class="saga-link" data-saga="${id}">${id}</button>`).join(" ");
  const more = inv.sagas.length > 6 ? ` +${inv.sagas.length - 6} more` : "";
  return `<li class="inv-check inv-${status}" data-check="${check}" title="${what}">` +
    `<span class="inv-mark">${mark}</span><span class="inv-name">${name}</span>` +
    `<small class="inv-what">${what}</small>` +
    (inv.ok ? "" : `<span class="inv-sagas">${sagas || "(run-wide)"}${more}` +
      `${inv.detail ? ` <small>${escapeHtml(inv.detail)}</small>` : ""}</span>`) + "</li>";
}

/** An isolation anomaly as a check of its own: a warning card naming both sagas (the checks
 * pass; the lesson is that another saga saw, and was refused by, an intermediate state). */
function anomalyHtml(anomalies) {
  if (!anomalies.length) return "";
  const link = (id) => `<button type="button" class="saga-link" data-saga="${id}">${id}</button>`;
  const first = anomalies[0];
  const more = anomalies.length > 1 ? ` <small>+${anomalies.length - 1} more</small>` : "";
  return `<li class="inv-check inv-warn" data-check="isolation" ` +
    `data-sagas="${first.saga} ${first.holder}"><span class="inv-mark">⚠ WARN</span>` +
    `<span class="inv-name">Isolation</span>` +
    `<small class="inv-what">others saw a saga's intermediate state</small>` +
    `<span class="inv-sagas">${link(first.saga)} refused: ${link(first.holder)} held it` +
    `${more} <small>${escapeHtml(first.detail || "")}</small></span></li>`;
}

function extraText(s) {
  if (!s || !s.compensations) return "";
  const parts = [`compensations performed ${s.compensations.performed} of ` +
    `${s.compensations.expected} expected`];
  const leaked = Object.entries(s.leaked || {}).filter(([, n]) => n > 0);
  if (leaked.length) parts.push(`leaked: ${leaked.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  if (s.retries) parts.push(`retries ${s.retries}`);
  if (s.duplicates_prevented) parts.push(`duplicates prevented ${s.duplicates_prevented}`);
  if (s.isolation_anomalies) parts.push(`isolation anomalies ${s.isolation_anomalies}`);
  parts.push(`${s.events} events`);
  return parts.join(" · ");
}

const TWO_COLUMNS = window.matchMedia(`not ${ONE_COLUMN}`);

/** In two columns the board sets the height of the first row and the panel (size-contained:
 * saga.css) scrolls what does not fit. Hold it at least as tall as its checks have needed in
 * this run, so that a verdict is not cut (beside a board of 5 sagas at 1280x720 it showed
 * 290 of its 514 px): the row grows when a failure first shows; a replay has drawn its run's
 * states while its events loaded, so its seeks hardly ever move the page below. Run after
 * the lists have redrawn, when the page is laid out (vlist.js). */
function holdHeight(panel) {
  if (!panel || !TWO_COLUMNS.matches) return;
  const needed = panel.scrollHeight + panel.offsetHeight - panel.clientHeight; // and borders
  if (needed > (parseFloat(panel.style.minHeight) || 0)) panel.style.minHeight = `${needed}px`;
}

/** The invariant panel of `store`'s run, built into `root` (element ids start with `prefix`):
 * {render, reset}, to mount on the store. */
export function createInvariants(root, store, { prefix = "" } = {}) {
  const list = el(`ul.invariants#${prefix}invariants`);
  const extra = el("p.muted.inv-extra");
  const headline = el(`p.inv-headline#${prefix}inv-headline`, { role: "status" });
  let lastHtml = "";
  root.dataset.view = "invariants";
  root.append(headline, list, extra);
  const panel = root.closest(".invariants-panel");
  if (panel) panel.tabIndex = 0; // it scrolls in two columns: a keyboard reaches what is cut
  const hold = () => holdHeight(panel);
  list.addEventListener("click", (e) => {
    const link = e.target.closest("[data-saga]");
    if (link) store.select(link.dataset.saga);
  });

  function draw(state) {
    const html = anomalyHtml(state.anomalies) + CHECK_NAMES.map((c) => itemHtml(c,
      state.invariants[c], state.finished, state.events === 0)).join("");
    if (html !== lastHtml) {
      list.innerHTML = html;
      lastHtml = html;
      drawAfterLists(hold);
    }
    const failing = CHECK_NAMES.filter((c) => !state.invariants[c].ok).length;
    const anomalies = state.anomalies.length;
    const named = `${anomalies} isolation anomal${anomalies > 1 ? "ies" : "y"}`;
    const warned = anomalies ? ` · ⚠ ${named}` : "";
    headline.className = `inv-headline ${failing ? "inv-fail" : anomalies ? "inv-warn" : "inv-pass"}`;
    headline.textContent = state.events === 0 ? ""
      : failing ? `✗ ${failing} of ${CHECK_NAMES.length} checks fail${warned}`
        : anomalies ? `⚠ ${CHECK_NAMES.length} checks pass, but ${named}`
          : `✓ all ${CHECK_NAMES.length} checks pass${state.finished ? "" : " so far"}`;
    extra.textContent = extraText(state.summary);
  }

  draw(createState());
  return {
    reset() {
      if (panel) panel.style.minHeight = ""; // a new run
      draw(createState());
    },
    render({ state, frame }) {
      draw(state);
      markDrawn(root, frame, state);
    },
  };
}
