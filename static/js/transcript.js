// Trace events -> the tutorial's console log, line by line (the browser twin of sim/transcript.py).

import { fmtT } from "./util.js";

const SERVICE = { flight: "FlightService", hotel: "HotelService", car: "CarRentalService" };
const NOUN = { flight: "Flight", hotel: "Hotel", car: "Car" };
const ITEM = { flight: "flight FL123", hotel: "hotel HTL456", car: "car CAR789" };
const UNIT = { flight: "seats", hotel: "rooms", car: "cars" };
const INDEX = { flight: 1, hotel: 2, car: 3 };
const ACTOR = {
  orchestrator: "Orchestrator", bus: "EventBus", monitor: "SagaMonitor", client: "Client",
  ...SERVICE,
};
const RULE = "=".repeat(60);

/** One transcript line: the text, its saga (or null) and a style class. */
function line(e, text, cls = "") {
  return { t: e.t, seq: e.seq, saga: e.saga || null, text: `[${fmtT(e.t)}] ${text}`, cls };
}

function orchestrated(e, mode) {
  return mode === "orchestration" && e.actor !== "bus";
}

function runStarted(e) {
  const out = [];
  const inv = e.inventory || {};
  for (const s of ["flight", "hotel", "car"]) {
    out.push(line(e, `${SERVICE[s]} started (${UNIT[s]}: ${inv[s]})`, "meta"));
  }
  const mode = (e.params && e.params.mode) || "orchestration";
  out.push(line(e, mode === "orchestration" ? "SagaOrchestrator started" : "EventBus started",
    "meta"));
  return out;
}

function runFinished(e) {
  const s = e.summary || {};
  const inv = s.inventory || {};
  const sagas = s.sagas || {};
  const avail = (k) => (inv[k] ? `${inv[k].available}/${inv[k].capacity}` : "?");
  const plain = (text, cls = "meta") => ({ t: e.t, seq: e.seq, saga: null, text, cls });
  const failed = (sagas.compensated || 0) + (sagas.stuck || 0) + (sagas.flagged || 0);
  return [
    plain(RULE), plain("Final State:"), plain(RULE),
    plain(`Flight seats available: ${avail("flight")}`, "final"),
    plain(`Hotel rooms available: ${avail("hotel")}`, "final"),
    plain(`Cars available: ${avail("car")}`, "final"),
    plain(`Completed sagas: ${sagas.completed || 0}`, "final"),
    plain(`Failed sagas: ${failed}`, "final"),
  ];
}

/** The transcript lines one event produces (often none); `mode` is the run's mode. */
export function linesFor(e, mode = "orchestration") {
  const svc = SERVICE[e.step];
  const stepName = e.step ? `book_${e.step}` : "";
  switch (e.kind) {
    case "run.started":
      return runStarted(e);
    case "run.finished":
      return runFinished(e);
    case "saga.started":
      return [line(e, RULE, "rule"), line(e, `Starting saga for Booking(${e.saga})`, "start"),
        line(e, RULE, "rule")];
    case "step.started":
      if (!orchestrated(e, mode)) return [];
      return [line(e, `Orchestrator: Executing step ${INDEX[e.step]}/3: ${stepName}` +
        (e.attempt > 1 ? ` (attempt ${e.attempt})` : ""))];
    case "step.succeeded":
      return [line(e, `${svc}: Booking ${ITEM[e.step]}`),
        e.units === 0
          ? line(e, `${svc}: ✓ Already booked (remaining: ${e.inventory[e.step]})`, "ok")
          : line(e, `${svc}: ✓ ${NOUN[e.step]} booked (remaining: ${e.inventory[e.step]})`,
            "ok")];
    case "step.failed": {
      const out = [line(e, `${svc}: Booking ${ITEM[e.step]}`),
        line(e, `${svc}: Booking FAILED - ${e.reason || "error"}`, "fail")];
      if (orchestrated(e, mode)) out.push(line(e, `Orchestrator: Step ${stepName} FAILED`, "fail"));
      return out;
    }
    case "step.retried":
      return [line(e, `${ACTOR[e.actor] || e.actor}: Retrying ${stepName} (attempt ${e.attempt})`,
        "warn")];
    case "step.reply_lost":
      return [line(e, `${svc}: reply to ${e.saga} lost after commit`, "warn")];
    case "saga.compensating":
      return mode === "orchestration" ? [line(e, "Orchestrator: Starting compensation...")] : [];
    case "compensation.started":
      return orchestrated(e, mode) ? [line(e, `Orchestrator: Compensating ${stepName}`, "comp")]
        : [];
    case "compensation.succeeded":
      return [line(e, `${svc}: COMPENSATING - canceling ${e.saga}`, "comp"),
        e.units === 0 ? line(e, `${svc}: No booking to cancel`, "comp")
          : line(e, `${svc}: ✓ ${NOUN[e.step]} canceled (available: ${e.inventory[e.step]})`,
            "comp")];
    case "compensation.failed":
      return [line(e, `${svc}: COMPENSATING - canceling ${e.saga}`, "comp"),
        line(e, `${svc}: Cancel FAILED - ${e.reason || "error"}`, "fail")];
    case "compensation.skipped":
      return [line(e, `Orchestrator: ${stepName} has no compensation (${e.reason || "skipped"})`,
        "meta")];
    case "saga.completed":
      return [line(e, `✓✓✓ Saga ${e.saga} COMPLETED ✓✓✓`, "done-ok")];
    case "saga.compensated":
      return [line(e, `✗✗✗ Saga ${e.saga} FAILED - compensated ✗✗✗`, "done-comp")];
    case "saga.flagged":
      return [line(e, `Orchestrator: WARNING - Saga ${e.saga}: ${e.reason || "compensation failed"}!` +
        " Manual intervention needed.", "fail")];
    case "saga.stuck":
      return [line(e, `⏸ Saga ${e.saga} STUCK - ${e.reason || "never ended"}`, "fail")];
    case "saga.timed_out":
      return [line(e, `SagaMonitor: ${e.saga} timed out - compensating`, "warn")];
    case "message.published":
      return [line(e, `EventBus: Event(${e.event_type})`, "bus")];
    case "message.redelivered":
      return [line(e, `EventBus: redelivering Event(${e.event_type}) to ${ACTOR[e.actor] ||
        e.actor}`, "warn")];
    case "outbox.relayed":
      return [line(e, `${ACTOR[e.actor] || e.actor}: outbox relayed Event(${e.event_type})`,
        "bus")];
    case "actor.crashed":
      return [line(e, `✖ ${ACTOR[e.actor] || e.actor} CRASHED${e.reason ? ` (${e.reason})` : ""}`,
        "crash")];
    case "actor.restarted":
      return [line(e, `▲ ${ACTOR[e.actor] || e.actor} restarted${e.reason ? ` (${e.reason})` :
        ""}`, "warn")];
    case "log.appended":
      return [line(e, `SagaLog: wrote ${e.detail || "saga state"}`, "meta")];
    case "log.replayed":
      return [line(e, `SagaLog: replayed ${e.detail || "saga state"}`, "warn")];
    case "invariant.violated":
      return [line(e, `⚠ INVARIANT ${e.check} violated${e.saga ? ` by ${e.saga}` : ""}` +
        (e.detail ? `: ${e.detail}` : ""), "fail")];
    default:
      return [];
  }
}
