// The timeline's drawing list: trace events folded into arrows between actor lanes and marks
// on a lane, each in simulated time. Arrows are appended in the order of their end time.

import { sagaOf } from "./saga.js";
import { runMode, VOCABULARY } from "./util.js";

/** Actors drawn on the top lane: each mode's coordinator, and the choreography's monitor. */
const TOP = new Set([...Object.values(VOCABULARY.coordinator), "monitor"]);
const MARKS = {
  "actor.crashed": ["✖", "--fail"], "actor.restarted": ["▲", "--ok"],
  "log.appended": ["■", "--muted"], "log.replayed": ["◆", "--warn"],
  "message.redelivered": ["↻", "--warn"], "invariant.violated": ["⚠", "--fail"],
  "step.reply_lost": ["?", "--warn"], "saga.timed_out": ["◷", "--warn"],
  "outbox.relayed": ["✉", "--pending"], "isolation.anomaly": ["~", "--warn"],
  "step.waiting": ["⧗", "--warn"],
};

/** Line patterns of the arrows (canvas setLineDash), so no two kinds differ by colour alone. */
export const DASH = { request: [], reply: [6, 4], comp: [12, 4, 3, 4], compReply: [2, 4],
  delivery: [6, 4], publish: [] };


export class TimelineModel {
  constructor() {
    // {t0, t1, from, to, color, saga, dash, dashed?, span?, hatch?, end?, skip?}
    this.arrows = [];
    this.marks = []; // {t, lane, glyph, color, saga}
    this.open = new Map(); // "saga|step" -> time the request or delivery started
    this.mode = runMode(null);
    this.saga = sagaOf(null); // the run's saga: a lane per step, in its order
  }

  /** Lane names, top to bottom: the coordinator's, then the saga's steps. */
  lanes() {
    return [VOCABULARY.coordinator[this.mode], ...this.saga.names];
  }

  /** The lane of an actor (a step's service, else the top lane). */
  laneOf(actor) {
    if (TOP.has(actor)) return 0;
    const i = this.saga.names.indexOf(actor);
    return i < 0 ? 0 : i + 1;
  }

  /** Fold one trace event in. */
  ingest(e) {
    const key = `${e.saga}|${e.step}`;
    switch (e.kind) {
      case "run.started":
        this.mode = runMode(e.params);
        this.saga = sagaOf(e.params);
        break;
      case "step.started":
      case "compensation.started":
        this.open.set(key, e.t);
        break;
      case "step.succeeded":
      case "step.failed":
      case "compensation.succeeded":
      case "compensation.failed":
        this.reply(e, key);
        break;
      case "message.published":
        this.arrows.push({ t0: e.t, t1: e.t, from: this.laneOf(e.source), to: 0,
          color: "--pending", saga: e.saga, skip: !this.saga.byName[e.source], dash: DASH.publish });
        break;
      case "message.delivered":
        if (!this.open.has(key)) this.open.set(key, e.t);
        this.arrows.push({ t0: e.t, t1: e.t, from: 0, to: this.laneOf(e.actor), color: "--muted",
          saga: e.saga, dashed: true, dash: DASH.delivery });
        break;
      default:
        if (MARKS[e.kind]) {
          const [glyph, color] = MARKS[e.kind];
          const lane = e.kind === "invariant.violated" ? 0
            : this.laneOf(e.actor === "client" ? e.step : e.actor);
          this.marks.push({ t: e.t, lane, glyph, color, saga: e.saga });
        }
    }
  }

  /** A service answered: the request arrow (and its reply), or a work span in choreography.
   * Told apart without colour too: a compensation's arrows are dash-dotted (a request's
   * solid), a reply is dashed (a compensation's reply dotted), a failure ends in ✗. */
  reply(e, key) {
    const t0 = this.open.has(key) ? this.open.get(key) : e.t;
    this.open.delete(key);
    const comp = e.kind.startsWith("compensation");
    const failed = e.kind.endsWith("failed");
    const color = failed ? "--fail" : comp ? "--comp" : "--ok";
    const end = failed ? "✗" : null;
    const lane = this.laneOf(e.step);
    if (VOCABULARY.coordinator[this.mode] === "orchestrator") {
      this.arrows.push({ t0, t1: e.t, from: 0, to: lane, color, saga: e.saga,
        dash: comp ? DASH.comp : DASH.request, end });
      this.arrows.push({ t0: e.t, t1: e.t, from: lane, to: 0, color, saga: e.saga, dashed: true,
        dash: comp ? DASH.compReply : DASH.reply });
    } else {
      this.arrows.push({ t0, t1: e.t, from: lane, to: lane, color, saga: e.saga, span: true,
        hatch: comp, end });
    }
  }
}
