// The derived state of a run, computed from trace events only (live, replay and seek share it).
// applyEvents(state, events) folds events into a state; stateAt(events, t) rebuilds the state
// as it was at simulated time t. The state is plain data (Maps and arrays), cheap to rebuild.

import { sagaOf } from "./saga.js";
import { runMode, VOCABULARY } from "./util.js";

/** The five invariants, in the order the page lists them. */
export const CHECK_NAMES = VOCABULARY.checks.map((c) => c.name);
/** How a saga ends: the event kind `saga.<outcome>` ends it. */
export const OUTCOMES = VOCABULARY.outcomes;
const ENDINGS = Object.fromEntries(OUTCOMES.map((o) => [`saga.${o}`, o]));
const perStep = (steps, make) => Object.fromEntries(steps.map((s) => [s, make(s)]));
const series = () => ({ x: [], y: [] });

/** An empty run state. */
export function createState() {
  const saga = sagaOf(null);
  return {
    seq: -1,
    t: 0,
    events: 0,
    params: null,
    mode: runMode(null),
    saga, // the run's saga (saga.js), set at run.started
    capacity: perStep(saga.names, () => 0),
    inventory: perStep(saga.names, () => 0),
    inventorySeries: perStep(saga.names, series),
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])),
    outcomeSeries: { x: [], ...Object.fromEntries(OUTCOMES.map((o) => [o, []])) },
    sagas: new Map(),
    order: [],
    invariants: Object.fromEntries(
      CHECK_NAMES.map((c) => [c, { ok: true, sagas: [], detail: "" }]),
    ),
    actors: {},
    downtime: [],
    anomalies: [], // isolation anomalies: {saga, holder, step, detail, t}
    finished: false,
    finishReason: null,
    summary: null,
  };
}

function newSaga(id, index, t, names) {
  // held: units the saga holds now; booked: units taken; retries and lost: how often the
  // step was tried again and its reply lost; reason / compReason: why it failed or why its
  // undo found nothing; heldBy: the saga that held the unit it was refused
  // waitingFor: the saga whose pending unit the step waits for (semantic lock)
  const steps = perStep(names, () => ({ fwd: "idle", attempt: 0, comp: null, compRank: 0, held: 0,
    booked: 0, retries: 0, lost: 0, reason: null, compReason: null, heldBy: null,
    waitingFor: null }));
  return { id, index, started: t, ended: null, outcome: "running", steps, compCount: 0,
    timedOut: false, violations: [], last: t, related: [] };
}

function sagaFor(state, e) {
  if (!e.saga) return null;
  let saga = state.sagas.get(e.saga);
  if (!saga) {
    saga = newSaga(e.saga, state.order.length, e.t, state.saga.names);
    state.sagas.set(e.saga, saga);
    state.order.push(e.saga);
  }
  return saga;
}

function recordInventory(state, e) {
  for (const s of state.saga.names) {
    const n = e.inventory[s];
    if (n === undefined || (n === state.inventory[s] && state.inventorySeries[s].x.length)) continue;
    state.inventory[s] = n;
    state.inventorySeries[s].x.push(e.t);
    state.inventorySeries[s].y.push(n);
  }
}

function recordOutcome(state, saga, outcome, t) {
  if (saga.outcome === outcome) return;
  if (OUTCOMES.includes(saga.outcome)) state.outcomes[saga.outcome] -= 1;
  saga.outcome = outcome;
  saga.ended = t;
  state.outcomes[outcome] += 1;
  const s = state.outcomeSeries;
  s.x.push(t);
  for (const o of OUTCOMES) s[o].push(state.outcomes[o]);
}

function violate(state, check, sagaId, detail) {
  const inv = state.invariants[check] || (state.invariants[check] = { ok: true, sagas: [] });
  inv.ok = false;
  inv.detail = detail || inv.detail;
  if (sagaId && !inv.sagas.includes(sagaId)) inv.sagas.push(sagaId);
}

function applyStep(saga, e) {
  const step = saga.steps[e.step];
  if (!step) return;
  switch (e.kind) {
    case "message.delivered":
      if (step.fwd === "idle") step.fwd = "pending";
      break;
    case "step.waiting":
      step.fwd = "waiting";
      step.waitingFor = e.holder || null;
      break;
    case "step.started":
      step.fwd = "pending";
      step.waitingFor = null;
      step.attempt = e.attempt || step.attempt + 1;
      break;
    case "step.succeeded":
      step.fwd = "ok";
      step.waitingFor = null;
      step.held += e.units || 0;
      step.booked += e.units || 0;
      break;
    case "step.failed":
      step.fwd = "failed";
      step.waitingFor = null;
      step.reason = e.reason;
      break;
    case "step.retried":
      step.fwd = "retry";
      step.retries += 1;
      break;
    case "step.reply_lost":
      step.fwd = "lost";
      step.lost += 1;
      break;
    case "compensation.started":
      if (!step.compRank) step.compRank = ++saga.compCount;
      step.comp = "pending";
      break;
    case "compensation.succeeded":
      step.comp = e.units === 0 ? "noop" : "done";
      step.held -= e.units || 0;
      step.compReason = e.reason || null;
      break;
    case "compensation.failed":
      step.comp = "failed";
      break;
    case "compensation.skipped":
      if (!step.compRank) step.compRank = ++saga.compCount;
      step.comp = "skipped";
      break;
    default:
  }
}

function relate(state, saga, step, holder) {
  if (saga.steps[step]) saga.steps[step].heldBy = holder;
  const other = state.sagas.get(holder);
  if (!saga.related.includes(holder)) saga.related.push(holder);
  if (other && !other.related.includes(saga.id)) other.related.push(saga.id);
}

/** The actors down at the state's time: [{actor, from, restartAt, reason}]. */
export function downActors(state) {
  return state.downtime.filter((d) => d.to === null);
}

/** Fold one trace event into the state (mutates and returns it). */
export function applyEvent(state, e) {
  state.seq = e.seq;
  if (e.t > state.t) state.t = e.t;
  state.events += 1;
  if (e.kind === "run.started") {
    state.params = e.params || null;
    state.mode = runMode(e.params);
    state.saga = sagaOf(e.params);
    const names = state.saga.names;
    const services = (e.params && e.params.services) || {};
    const inventory = e.inventory || {};
    state.inventory = perStep(names, () => 0);
    state.inventorySeries = perStep(names, series);
    state.capacity = perStep(names, (s) => (services[s] && services[s].capacity !== undefined
      ? services[s].capacity : inventory[s] ?? 0));
  }
  if (e.inventory) recordInventory(state, e);
  const saga = sagaFor(state, e);
  if (saga) {
    if (e.actor !== "monitor" || ENDINGS[e.kind]) saga.last = e.t; // the monitor only watches
    if (e.step) applyStep(saga, e);
    if (ENDINGS[e.kind]) recordOutcome(state, saga, ENDINGS[e.kind], e.t);
    else if (e.kind === "saga.compensating" && saga.outcome === "running") {
      saga.outcome = "compensating";
    } else if (e.kind === "saga.timed_out") saga.timedOut = true;
  }
  if (e.kind === "actor.crashed") {
    state.actors[e.actor] = "down";
    state.downtime.push({ actor: e.actor, from: e.t, to: null, restartAt: e.restart_at ?? null,
      reason: e.reason });
  } else if (e.kind === "actor.restarted") {
    state.actors[e.actor] = "up";
    const spell = state.downtime.findLast((d) => d.actor === e.actor && d.to === null);
    if (spell) spell.to = e.t;
  } else if (e.kind === "isolation.anomaly" && saga && e.holder) {
    relate(state, saga, e.step, e.holder);
    state.anomalies.push({ saga: saga.id, holder: e.holder, step: e.step, detail: e.detail,
      t: e.t });
  } else if (e.kind === "invariant.violated") {
    violate(state, e.check, e.saga, e.detail);
    if (saga) saga.violations.push(e.check);
  } else if (e.kind === "run.finished") {
    state.finished = true;
    state.finishReason = e.reason || null;
    state.summary = e.summary || null;
    const checks = (e.summary && e.summary.invariants) || {};
    for (const [check, result] of Object.entries(checks)) {
      if (!result.ok) for (const id of result.sagas || [null]) violate(state, check, id, "");
    }
  }
  return state;
}

/** Fold a batch of events (in seq order) into the state; returns the state. */
export function applyEvents(state, events) {
  for (const e of events) applyEvent(state, e);
  return state;
}

/** The state as it was at simulated time t (every event with e.t <= t applied). */
export function stateAt(events, t) {
  const state = createState();
  for (const e of events) {
    if (e.t > t) break;
    applyEvent(state, e);
  }
  return state;
}
