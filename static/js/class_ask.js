// The presenter's question panel: at a pause, ready-made questions (or one's own) for the
// class; then the live tally of the votes, and "Reveal & resume".

import { answerLine, markPoll, tallyEl } from "./class_poll.js";
import { ownQuestion, suggestions } from "./class_questions.js";
import { el } from "./util.js";

let getClass = () => null;
let post = async () => ({});
let state = null;
let status = { state: "" };
let poll = null;
let dismissed = null; // a revealed poll the presenter put away
let barsFor = null; // the open poll whose bars the presenter chose to show to the room
let error = "";
const ui = {};

async function act(path, body) {
  try {
    error = "";
    await post(path, body); // the poll itself comes with the class_state that follows
  } catch (err) {
    error = `⚠ ${err.message}`;
  }
  draw();
}

function describe(breakpoint) {
  if (!breakpoint) return status.state === "paused" ? "Paused." : "";
  const e = breakpoint.event;
  const what = [e.saga, e.step || e.actor, e.check].filter(Boolean).join(" · ");
  return `Paused: ${breakpoint.label}${what ? ` (${what})` : ""}.`;
}

function suggestionButtons() {
  const hit = status.breakpoint ? status.breakpoint.event : null;
  return (state ? suggestions(state, hit) : []).map((q) => el("button.suggestion", {
    type: "button", dataset: { rule: q.rule.rule }, onclick: () => act("/poll", q) },
  el("b", {}, q.question), el("small", {}, q.choices.join(" / "))));
}

function ownForm() {
  const question = el("input#own-question", { type: "text", maxLength: 200,
    placeholder: "Your own question…", "aria-label": "question" });
  const choices = el("textarea#own-choices", { rows: 3, "aria-label": "choices, one a line",
    placeholder: "choices, one a line" });
  return el("form.own-question", { onsubmit: (event) => {
    event.preventDefault();
    act("/poll", ownQuestion(question.value, choices.value));
  } }, question, choices, el("button", { type: "submit" }, "Ask"));
}

/** "12 votes": the count alone, big enough for the back row. */
function voteCount(n) {
  return `${n} vote${n === 1 ? "" : "s"}`;
}

function visible() {
  return Boolean(getClass()) && (Boolean(poll && poll.id !== dismissed) ||
    status.state === "paused");
}

function draw() {
  const active = poll && poll.id !== dismissed;
  const paused = status.state === "paused";
  ui.root.hidden = !visible();
  document.body.classList.toggle("asking", !ui.root.hidden);
  markPoll(ui.root, active ? poll : null);
  if (ui.root.hidden) return;
  const parts = [el("h2", {}, "Ask the class"), el("p.ask-why", {}, describe(status.breakpoint))];
  if (active) {
    // the projector shows only how many voted until the reveal (the room is still
    // predicting), unless the presenter chooses to show the bars
    const bars = !poll.open || barsFor === poll.id;
    parts.push(el("p.poll-question", {}, poll.question),
      bars ? tallyEl(poll) : el("p.vote-count#vote-count", {}, voteCount(poll.votes)));
    if (bars) parts.push(el("p.poll-hint", {}, el("b", {}, answerLine(poll))));
    if (poll.open) {
      parts.push(el("button.small#btn-show-bars", { type: "button",
        "aria-pressed": String(bars), onclick: () => {
          barsFor = bars ? null : poll.id;
          draw();
        } }, bars ? "Hide the votes" : "Show the votes so far"));
    }
    parts.push(poll.open
      ? el("button.primary#btn-reveal", { type: "button", onclick: () => act("/reveal") },
        "Reveal & resume")
      : el("button#btn-dismiss", { type: "button", onclick: () => {
        dismissed = poll.id;
        draw();
      } }, paused ? "Ask another" : "Done"));
  } else {
    const buttons = suggestionButtons();
    parts.push(buttons.length ? el("div.suggestions", {}, buttons)
      : el("p.muted", {}, "No saga in flight to ask about: ask your own."), ownForm());
  }
  parts.push(el("p.control-error", { role: "alert" }, error));
  ui.root.replaceChildren(...parts);
}

/** Build the panel at the top of the dashboard's layout. */
export function initAsk(layout, store, klass, presenterPost) {
  const on = store.on;
  getClass = klass;
  post = presenterPost;
  ui.root = el("section.panel.class-panel#class-panel", { "aria-label": "question to the class",
    hidden: true });
  layout.before(ui.root); // the presenter view places it in its own grid
  // redraw on news, but never under the presenter's fingers while they type a question
  const typing = () => ui.root.contains(document.activeElement) &&
    document.activeElement.matches("input, textarea");
  let drawnSeq = null;
  on("render", ({ state: s }) => {
    state = s;
    // at a pause the suggestions follow the events drawn (they may come after the status)
    if (status.state === "paused" && !(poll && poll.open) && s.seq !== drawnSeq && !typing()) {
      drawnSeq = s.seq;
      draw();
    }
  });
  on("reset", () => { state = null; });
  on("run:status", (s) => {
    const changed = s.state !== status.state || Boolean(s.breakpoint) !== Boolean(status.breakpoint);
    status = s;
    if (changed && !typing()) draw();
  });
  on("class:state", (s) => {
    const same = JSON.stringify(s.poll) === JSON.stringify(poll);
    if (same && ui.root.hidden === !visible()) return; // a viewer count only
    poll = s.poll;
    if (!typing()) draw();
  });
}
