// Trace events -> the tutorial's console log, line for line: the browser twin of
// sim/transcript.py (keep the two in step; tests compare them on real traces).

import { fmtT } from "./util.js";

const SERVICE = { flight: "FlightService", hotel: "HotelService", car: "CarRentalService" };
const ITEMS = { flight: "flight FL123", hotel: "hotel HTL456", car: "car CAR789" };
const NOUNS = { flight: "Flight", hotel: "Hotel", car: "Car" };
const UNITS = { flight: "seats", hotel: "rooms", car: "cars" };
const FAIL_TEXT = {
  "flight|error": "system error", "flight|sold_out": "no seats",
  "hotel|error": "no rooms", "hotel|sold_out": "no rooms",
  "car|error": "no cars", "car|sold_out": "no cars",
};
const STEP_NUMBER = { flight: 1, hotel: 2, car: 3 };
const ACTOR_NAMES = { ...SERVICE, orchestrator: "SagaOrchestrator", bus: "EventBus",
  monitor: "SagaMonitor" };
const RULE = "=".repeat(60);
const words = (s) => String(s ?? "").replaceAll("_", " ");

/** Renders one event at a time; remembers the run's mode like the Python renderer does. */
export class Transcript {
  constructor() {
    this.orchestrated = true;
  }

  /** The lines of one event: [{text, saga, cls, seq}] (blank lines have text ""). */
  lines(e) {
    const rule = RULES[e.kind];
    if (!rule) return [];
    const at = `[${fmtT(e.t)}]`;
    return rule.call(this, e, at).map(([text, cls = ""]) =>
      ({ text, cls, saga: e.saga || null, seq: e.seq }));
  }
}

const RULES = {
  "run.started"(e, at) {
    this.orchestrated = e.params.mode === "orchestration";
    const out = ["flight", "hotel", "car"].map((s) =>
      [`${at} ${SERVICE[s]} started (${UNITS[s]}: ${e.inventory[s]})`, "meta"]);
    out.push([`${at} ${this.orchestrated ? "SagaOrchestrator" : "EventBus"} started`, "meta"]);
    return [...out, [""]];
  },
  "saga.started"(e, at) {
    const again = e.reason ? " again (restarted from scratch)" : "";
    if (!this.orchestrated) return [[`${at} SagaMonitor: saga ${e.saga} started`, "start"]];
    return [[`${at} ${RULE}`, "rule"], [`${at} Starting saga for Booking(${e.saga})${again}`,
      "start"], [`${at} ${RULE}`, "rule"]];
  },
  "step.started"(e, at) {
    const extra = (e.attempt || 1) > 1 ? ` (attempt ${e.attempt})` : "";
    return [[`${at} Orchestrator: Executing step ${STEP_NUMBER[e.step]}/3: book_${e.step}` +
      extra]];
  },
  "step.succeeded"(e, at) {
    const s = e.step;
    const who = SERVICE[s];
    const first = [`${at} ${who}: Booking ${ITEMS[s]}`];
    if (e.duplicate) {
      return [first, [`${at} ${who}: ✓ Already booked for ${e.saga} (idempotent, no new ` +
        `${UNITS[s].slice(0, -1)})`, "ok"]];
    }
    return [first, [`${at} ${who}: ✓ ${NOUNS[s]} booked (remaining: ${e.inventory[s]})`, "ok"]];
  },
  "step.failed"(e, at) {
    const s = e.step;
    const who = SERVICE[s];
    const why = FAIL_TEXT[`${s}|${e.reason}`] || words(e.reason);
    const out = [[`${at} ${who}: Booking ${ITEMS[s]}`],
      [`${at} ${who}: Booking FAILED - ${why}`, "fail"]];
    if (this.orchestrated) out.push([`${at} Orchestrator: Step book_${s} FAILED`, "fail"]);
    return out;
  },
  "step.reply_lost"(e, at) {
    return [[`${at} Orchestrator: no reply from ${SERVICE[e.step]} (it booked; the reply was ` +
      "lost)", "warn"]];
  },
  "step.retried"(e, at) {
    return [[`${at} Orchestrator: Retrying book_${e.step} (attempt ${e.attempt})`, "warn"]];
  },
  "saga.compensating"(e, at) {
    if (this.orchestrated) return [[""], [`${at} Orchestrator: Starting compensation...`, "comp"]];
    return [[`${at} SagaMonitor: ${e.saga} compensating after ${e.reason}`, "comp"]];
  },
  "compensation.started"(e, at) {
    if (!this.orchestrated) return [];
    const extra = (e.attempt || 1) > 1 ? ` (attempt ${e.attempt})` : "";
    return [[`${at} Orchestrator: Compensating book_${e.step}${extra}`, "comp"]];
  },
  "compensation.succeeded"(e, at) {
    const s = e.step;
    const who = SERVICE[s];
    const first = [`${at} ${who}: COMPENSATING - canceling ${e.saga}`, "comp"];
    if (e.units) {
      return [first, [`${at} ${who}: ✓ ${NOUNS[s]} canceled (available: ${e.inventory[s]})`,
        "comp"]];
    }
    if (e.reason === "already_canceled") {
      return [first, [`${at} ${who}: Already canceled (idempotent)`, "comp"]];
    }
    return [first, [`${at} ${who}: No booking to cancel`, "comp"]];
  },
  "compensation.failed"(e, at) {
    const who = SERVICE[e.step];
    return [[`${at} ${who}: COMPENSATING - canceling ${e.saga}`, "comp"],
      [`${at} ${who}: Compensation FAILED - ${words(e.reason)}`, "fail"]];
  },
  "compensation.skipped"(e, at) {
    return [[`${at} Orchestrator: book_${e.step} has no compensation`, "meta"]];
  },
  "saga.completed"(e, at) {
    return [[""], [`${at} ✓✓✓ Saga ${e.saga} COMPLETED ✓✓✓`, "done-ok"], [""]];
  },
  "saga.compensated"(e, at) {
    return [[""], [`${at} ✗✗✗ Saga ${e.saga} FAILED - compensated ✗✗✗`, "done-comp"], [""]];
  },
  "saga.flagged"(e, at) {
    return [[`${at} Orchestrator: WARNING - ${e.reason}! Manual intervention needed.`, "fail"],
      [`${at} ⚠⚠⚠ Saga ${e.saga} NEEDS MANUAL INTERVENTION ⚠⚠⚠`, "fail"]];
  },
  "saga.stuck"(e, at) {
    return [[`${at} ??? Saga ${e.saga} STUCK - never ended (${e.reason}) ???`, "warn"]];
  },
  "saga.timed_out"(e, at) {
    return [[`${at} SagaTimeout: ${e.saga} did not end in time - compensating`, "warn"]];
  },
  "message.published"(e, at) {
    return [[`${at} EventBus: Event(${e.event_type}) ${e.saga}`, "bus"]];
  },
  "message.redelivered"(e, at) {
    return [[`${at} EventBus: redelivering Event(${e.event_type}) ${e.saga} to ` +
      `${SERVICE[e.step]}`, "warn"]];
  },
  "outbox.relayed"(e, at) {
    return [[`${at} ${SERVICE[e.step]}: outbox relay sends Event(${e.event_type}) ${e.saga}`,
      "bus"]];
  },
  "actor.crashed"(e, at) {
    return [[`${at} *** ${ACTOR_NAMES[e.actor]} CRASHED - ${e.reason} ***`, "crash"]];
  },
  "actor.restarted"(e, at) {
    return [[`${at} *** ${ACTOR_NAMES[e.actor]} RESTARTED - ${e.reason} ***`, "warn"]];
  },
  "log.appended"(e, at) {
    return [[`${at} SagaLog: ${e.detail}`, "meta"]];
  },
  "log.replayed"(e, at) {
    return [[`${at} Orchestrator: resuming from the log - ${e.detail}`, "warn"]];
  },
  "isolation.anomaly"(e, at) {
    return [[`${at} ~~~ NO ISOLATION: ${e.detail}`, "warn"]];
  },
  "invariant.violated"(e, at) {
    return [[`${at} !!! INVARIANT VIOLATED (${e.check}): ${e.detail}`, "fail"]];
  },
  "run.finished"(e) {
    const s = e.summary;
    const inv = s.inventory;
    const sagas = s.sagas;
    const out = [[""], [RULE, "meta"], ["Final State:", "final"], [RULE, "meta"]];
    const labels = { flight: "Flight seats", hotel: "Hotel rooms", car: "Cars" };
    for (const [step, label] of Object.entries(labels)) {
      out.push([`${label} available: ${inv[step].available}/${inv[step].capacity}`, "final"]);
    }
    out.push([""], [`Completed sagas: ${sagas.completed}`, "final"],
      [`Failed sagas: ${sagas.compensated + sagas.flagged}`, "final"]);
    if (sagas.flagged) out.push([`Needing manual intervention: ${sagas.flagged}`, "fail"]);
    if (sagas.stuck) out.push([`Stuck sagas: ${sagas.stuck}`, "fail"]);
    const broken = Object.entries(s.invariants).filter(([, v]) => !v.ok);
    if (broken.length) {
      out.push(["Invariants violated: " + broken.map(([c, v]) =>
        `${c} (${v.sagas.slice(0, 5).join(", ")})`).join(", "), "fail"]);
    }
    return out;
  },
};

/** The whole transcript of a trace as plain text lines (for tests and downloads). */
export function render(events) {
  const t = new Transcript();
  return events.flatMap((e) => t.lines(e).map((l) => l.text));
}
