// Instant seeking: copies of the run state every N events, so the state at any time is the
// nearest copy before it plus at most N events folded in with state.js's own reducer.
// Series and the saga order only ever grow, so a copy keeps their lengths, not their contents;
// a saga no event touched since the previous copy is shared with it, not copied again, so
// copies can be close together (a seek folds few events) at little memory.

import { applyEvent, createState, OUTCOMES } from "./state.js";

const OUTCOME_KEYS = ["x", ...OUTCOMES];

function cloneSaga(s) {
  const steps = {};
  for (const k of Object.keys(s.steps)) steps[k] = { ...s.steps[k] };
  return { ...s, steps, violations: s.violations.slice(), related: s.related.slice() };
}

function cloneInvariants(inv) {
  const out = {};
  for (const [k, v] of Object.entries(inv)) out[k] = { ...v, sagas: v.sagas.slice() };
  return out;
}

/** A compact copy of `state` (series and order kept as lengths into the final arrays); its
 * sagas by index in the order, sharing those not in `touched` with `previous` (null: every
 * saga may have changed). */
function snapshot(state, previous, touched) {
  let sagas;
  if (previous && touched) {
    sagas = previous.slice();
    for (const id of touched) {
      const s = state.sagas.get(id);
      if (s) sagas[s.index] = cloneSaga(s);
    }
  } else {
    sagas = state.order.map((id) => cloneSaga(state.sagas.get(id)));
  }
  return {
    seq: state.seq, t: state.t, events: state.events, params: state.params, mode: state.mode,
    saga: state.saga, capacity: { ...state.capacity }, inventory: { ...state.inventory },
    outcomes: { ...state.outcomes }, sagas, orderLength: state.order.length,
    seriesLength: Object.fromEntries(Object.entries(state.inventorySeries)
      .map(([k, series]) => [k, series.x.length])),
    outcomeLength: state.outcomeSeries.x.length, invariants: cloneInvariants(state.invariants),
    actors: { ...state.actors }, downtime: state.downtime.map((d) => ({ ...d })),
    anomalyLength: state.anomalies.length,
    finished: state.finished, finishReason: state.finishReason, summary: state.summary,
  };
}

/** A fresh state from a snapshot; `full` is the state after every event. Sagas are shared
 * with the snapshot (views only read them) except those in `touched`, which are copied
 * because the events still to be applied change them. */
function restore(snap, full, touched) {
  const state = createState();
  Object.assign(state, {
    seq: snap.seq, t: snap.t, events: snap.events, params: snap.params, mode: snap.mode,
    saga: snap.saga, capacity: { ...snap.capacity }, inventory: { ...snap.inventory },
    outcomes: { ...snap.outcomes }, invariants: cloneInvariants(snap.invariants),
    actors: { ...snap.actors }, downtime: snap.downtime.map((d) => ({ ...d })),
    finished: snap.finished, finishReason: snap.finishReason,
    summary: snap.summary, order: full.order.slice(0, snap.orderLength),
    anomalies: full.anomalies.slice(0, snap.anomalyLength), // they only ever grow
  });
  const sagas = new Map();
  for (let i = 0; i < snap.sagas.length; i += 1) sagas.set(state.order[i], snap.sagas[i]);
  for (const id of touched) {
    const s = sagas.get(id);
    if (s) sagas.set(id, cloneSaga(s));
  }
  state.sagas = sagas;
  state.inventorySeries = {};
  for (const [k, n] of Object.entries(snap.seriesLength)) {
    const series = full.inventorySeries[k] || { x: [], y: [] }; // before run.started: empty
    state.inventorySeries[k] = { x: series.x.slice(0, n), y: series.y.slice(0, n) };
  }
  for (const k of OUTCOME_KEYS) {
    state.outcomeSeries[k] = full.outcomeSeries[k].slice(0, snap.outcomeLength);
  }
  return state;
}

/** Index of the first event with e.t > t (so events[0..index) happened by time t). */
export function countUntil(events, t) {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** At most this many snapshots: past it, every other one is dropped and `every` doubles. */
export const MAX_SNAPS = 256;

export class Checkpoints {
  /** Snapshots of a state taken while its events are folded in, every `every` events; past
   * MAX_SNAPS, every other one is dropped and `every` doubles, so a seek folds at most
   * `every` events (512 up to 131,072 events). */
  constructor(every = 512) {
    this.every = every;
    this.snaps = [];
    this.events = [];
    this.full = createState();
    this.end = 0;
    this.last = null; // the sagas of the latest snapshot taken (kept or dropped since)
    this.touched = new Set(); // sagas the events since then touched (null: unknown)
  }

  /** Checkpoints of `events` folded into a new state. */
  static of(events, every) {
    const cp = new Checkpoints(every);
    const state = createState();
    events.forEach((e, i) => {
      cp.observe(i, state, e);
      applyEvent(state, e);
    });
    return cp.seal(events, state);
  }

  /** Call before event number `index` (from 0), `event`, is folded into `state` (without
   * the event, the next snapshot copies every saga). */
  observe(index, state, event) {
    if (index % this.every === 0) this.take(index, state);
    if (!event) this.touched = null;
    else if (this.touched) {
      if (event.saga) this.touched.add(event.saga);
      if (event.holder) this.touched.add(event.holder); // an isolation anomaly relates it too
    }
  }

  take(index, state) {
    if (this.snaps.length >= MAX_SNAPS) {
      this.snaps = this.snaps.filter((_, k) => k % 2 === 0);
      this.every *= 2;
      if (index % this.every !== 0) return;
    }
    const snap = snapshot(state, this.last, this.touched);
    this.snaps.push(snap);
    this.last = snap.sagas;
    this.touched = new Set();
  }

  /** Every event is in: `events` and `full`, the state after all of them. */
  seal(events, full) {
    this.events = events;
    this.full = full;
    this.end = events.length ? events[events.length - 1].t : 0;
    return this;
  }

  /** The state after the first `count` events (a new object the caller may keep). */
  stateAfter(count) {
    const n = Math.max(0, Math.min(count, this.events.length));
    const k = Math.min(Math.floor(n / this.every), this.snaps.length - 1);
    if (k < 0) return createState();
    const first = k * this.every;
    const touched = new Set();
    for (let i = first; i < n; i += 1) {
      const e = this.events[i];
      if (e.saga) touched.add(e.saga);
      if (e.holder) touched.add(e.holder); // an isolation anomaly relates the holder too
    }
    const state = restore(this.snaps[k], this.full, touched);
    for (let i = first; i < n; i += 1) applyEvent(state, this.events[i]);
    return state;
  }

  /** The state at simulated time t: every event with e.t <= t applied. */
  stateAt(t) {
    return this.stateAfter(countUntil(this.events, t));
  }
}
