// The caption: one narrated line under the controls, the latest event in the transcript's
// words, so a class stepping with → follows the story without looking down to the log.

import { Transcript } from "./transcript.js";
import { el, fmtT, markDrawn } from "./util.js";

const QUIET = new Set(["rule", "meta"]); // the transcript's rules and start-up lines

/** The lines of the run's end with its last paragraph (how the sagas ended) first, then the
 * inventory: the caption is cut at the screen's width, and the counts are the lesson. */
function outcomesFirst(lines) {
  const cut = lines.findLastIndex((l) => !l.text);
  return cut < 0 ? lines : [...lines.slice(cut + 1), ...lines.slice(0, cut)];
}

/** The narration of the last event at or before `seq` that the transcript has words for:
 * {text, saga, seq} or null. `events[i].seq === i` (a run's events in order). */
export function narrate(events, seq) {
  if (!events.length || seq < 0) return null;
  const transcript = new Transcript();
  transcript.lines(events[0]); // run.started tells it the mode
  for (let i = Math.min(seq, events.length - 1); i >= 1; i -= 1) {
    let lines = transcript.lines(events[i]);
    if (events[i].kind === "run.finished") lines = outcomesFirst(lines);
    lines = lines.filter((l) => l.text && !QUIET.has(l.cls));
    if (lines.length) {
      const texts = lines.map((l) => l.text.trim().replace(/^\[[\d.]+\]\s*/, ""))
        .filter((t) => t !== "Final State:");
      const text = `[${fmtT(events[i].t)}] ${texts.join(" — ")}`;
      return { text, saga: events[i].saga, seq: events[i].seq };
    }
  }
  return null;
}

/** The caption of `store`'s run, built into `root`: {render, reset}, to mount on the store.
 * Above the narrated line: the run's preset and what to look for in it (`run:info`), which
 * viewers of a share link see too. */
export function createCaption(root, store) {
  const line = el("p.caption-line#caption-line", { "aria-live": "polite" },
    "The latest event will be narrated here.");
  const lesson = el("p.caption-lesson#caption-lesson", { hidden: true });
  root.dataset.view = "caption";
  root.append(lesson, line);
  store.on("run:info", (run) => {
    lesson.hidden = !run || !run.preset;
    if (!run || !run.preset) return;
    lesson.replaceChildren(el("b.preset-name", {}, run.preset),
      run.description ? `: ${run.description}` : "");
    lesson.title = run.description || "";
  });
  line.addEventListener("click", () => {
    if (line.dataset.saga) store.select(line.dataset.saga, "caption");
  });
  return {
    reset() {
      lesson.hidden = true;
      line.textContent = "The latest event will be narrated here.";
      delete line.dataset.saga;
      delete line.dataset.seq;
    },
    render({ state, events, frame }) {
      const told = narrate(events, state.seq);
      if (told && line.dataset.seq !== String(told.seq)) {
        line.textContent = told.text;
        line.dataset.seq = String(told.seq);
        if (told.saga) line.dataset.saga = told.saga;
        else delete line.dataset.saga;
        line.title = told.saga ? `click to select ${told.saga}` : "";
      }
      markDrawn(root, frame, state);
    },
  };
}
