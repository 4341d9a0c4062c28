// A class question drawn for the room: the tally as bars (the presenter's live chart, the
// class's after the reveal), the right answer marked once the trace settles it.

import { el } from "./util.js";

/** Bars of votes per choice; `mine` marks this device's vote. */
export function tallyEl(poll, mine = null) {
  const counts = poll.counts || {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const most = Math.max(1, ...Object.values(counts));
  return el("ol.tally", { "aria-label": "votes per choice" }, poll.choices.map((choice) => {
    const n = counts[choice] || 0;
    const right = poll.answer !== null && poll.answer !== undefined && poll.answer === choice;
    const bar = el("span.tally-bar");
    bar.style.width = `${(100 * n) / most}%`; // through the CSSOM: the CSP allows no style=""
    return el(`li.tally-row${right ? ".right" : ""}${choice === mine ? ".mine" : ""}`,
      { dataset: { choice, count: String(n) } },
      el("span.tally-label", {}, right ? `✓ ${choice}` : choice),
      el("span.tally-track", {}, bar),
      el("span.tally-count", {}, total ? `${n} · ${Math.round((100 * n) / total)}%` : "0"));
  }));
}

/** One line on where the answer stands. */
export function answerLine(poll) {
  if (poll.open && typeof poll.connected === "number") {
    return `${poll.votes} of ${poll.connected} connected voted`;
  }
  if (poll.open) return `${poll.votes} vote${poll.votes === 1 ? "" : "s"} so far`;
  if (poll.answer !== null && poll.answer !== undefined) {
    const inChoices = poll.choices.includes(poll.answer);
    return `Answer: ${poll.answer}${inChoices ? "" : " (none of the choices)"}`;
  }
  return poll.rule ? "The run will show the answer…" : "Votes are in.";
}

/** The card's data attributes, for views and tests that wait on them. */
export function markPoll(node, poll) {
  node.dataset.pollId = poll ? String(poll.id) : "";
  node.dataset.open = poll ? String(poll.open) : "";
  node.dataset.answer = (poll && poll.answer) || "";
  node.dataset.votes = poll ? String(poll.votes) : "0";
}
