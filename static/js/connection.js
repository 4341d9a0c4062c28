// Socket.IO link to the server: start, join and control runs; incoming batches go on the bus.

import { io } from "../vendor/socket.io.esm.min.js";
import { fetchRun, loadEvents } from "./event_loader.js";
import { rememberRun } from "./my_runs.js";
import { ENDED_STATES as ENDED } from "./util.js";

const TOKEN_KEY = (id) => `saga-lab:token:${id}`;
const startFields = {}; // added to every start body (the class, breakpoints)

/** Add `name: value` to the body of every run this tab starts (undefined: drop it). */
export function setStartField(name, value) {
  if (value === undefined) delete startFields[name];
  else startFields[name] = value;
}

/** The control token this tab got when it started run `id` (null: a read-only viewer). */
export function tokenFor(id) {
  return sessionStorage.getItem(TOKEN_KEY(id));
}

/** Connect `store` to the server: its `cmd:start`/`cmd:control` commands go out, the run's
 * events and `run:*` notifications come in. Shows `initialRunId` (null: none until started). */
export function connect(store, initialRunId) {
  const emit = store.emit;
  const socket = io({ transports: ["websocket", "polling"] });
  let runId = initialRunId || null;
  let token = runId ? tokenFor(runId) : null;
  let joined = false;
  let lastSeq = -1; // after a reconnect, ask only for what we have not seen
  let starting = false;
  let early = [];
  let loaded = Promise.resolve(); // the HTTP load of an ended run; joining waits for it

  /** An ended run's events come in one HTTP fetch; the join then asks only for the rest. */
  async function loadIfEnded(id) {
    const run = await fetchRun(id);
    if (!run || run.live || !ENDED.has(run.status)) return;
    let count = 0;
    const loading = (done) => {
      store.loading(done);
      emit("run:loading", { runId: id, events: count, total: run.event_count, done });
    };
    loading(false);
    try {
      await loadEvents(id, (events) => {
        if (id !== runId) return;
        count += events.length;
        lastSeq = Math.max(lastSeq, events[events.length - 1].seq);
        store.add(events);
        loading(false);
      });
    } catch {
      // the socket join below catches up on whatever did not arrive
    }
    loading(true);
  }

  function join() {
    if (!runId) return;
    socket.emit("join_run", { run_id: runId, from_seq: lastSeq + 1 }, (ack) => {
      if (!ack || !ack.ok) {
        emit("run:error", { message: (ack && ack.error) || "could not join the run" });
        return;
      }
      joined = true;
      emit("run:joined", { run: ack.run, controller: Boolean(token), runId });
      emit("run:status", { run_id: runId, state: ack.run.status, t: ack.run.t,
        speed: ack.run.speed });
    });
  }

  socket.on("connect", () => {
    emit("conn", { connected: true });
    if (runId) loaded.then(join);
  });
  socket.on("disconnect", () => emit("conn", { connected: false }));
  socket.on("connect_error", () => emit("conn", { connected: false }));
  socket.on("run_events", (msg) => {
    if (msg.run_id === runId && joined) {
      if (msg.events.length) lastSeq = Math.max(lastSeq, msg.events[msg.events.length - 1].seq);
      store.add(msg.events);
    } else if (starting) early.push(msg);
  });
  // Flow control: acknowledging a probe tells the server this tab has taken the batches
  // before it; a tab that fell too far behind is dropped from the run and joins again.
  socket.on("run_sync", (_msg, ack) => ack && ack());
  socket.on("run_dropped", (msg) => {
    if (msg.run_id === runId) join();
  });
  socket.on("run_status", (msg) => {
    if (msg.run_id === runId) emit("run:status", msg);
  });

  store.on("cmd:start", (body) => {
    if (!socket.connected) {
      emit("form:errors", { errors: { _: "offline: the run was not started (reconnecting…)" } });
      return;
    }
    starting = true;
    early = [];
    socket.emit("start_run", { ...body, ...startFields }, (ack) => {
      starting = false;
      if (!ack || !ack.ok) {
        const errors = (ack && ack.errors) || { _: "the server refused" };
        emit("form:errors", { errors });
        if (errors.runs) emit("run:refused", { message: errors.runs }); // the live-run limit
        return;
      }
      if (runId) socket.emit("leave_run", { run_id: runId });
      runId = ack.id;
      lastSeq = -1;
      token = ack.control_token;
      sessionStorage.setItem(TOKEN_KEY(runId), token);
      rememberRun(runId, token);
      history.pushState({ runId }, "", ack.url || `/runs/${runId}`);
      joined = true;
      emit("form:errors", { errors: {} });
      store.reset(runId);
      emit("run:joined", { run: { id: runId, status: "pending", speed: body.speed },
        controller: true, runId, started: true });
      for (const msg of early) {
        if (msg.run_id !== runId || !msg.events.length) continue;
        lastSeq = Math.max(lastSeq, msg.events[msg.events.length - 1].seq);
        store.add(msg.events);
      }
      early = [];
    });
  });

  store.on("cmd:control", (command) => {
    if (!runId || !token) return;
    if (!socket.connected) { // Socket.IO would buffer it and send it after reconnecting
      emit("run:error", { message: "offline: nothing was sent (reconnecting…)" });
      return;
    }
    socket.emit("control_run", { run_id: runId, token, ...command }, (ack) => {
      emit("run:control-ack", { command, ok: Boolean(ack && ack.ok) });
      if (!ack || !ack.ok) emit("run:error", { message: (ack && ack.error) || "refused" });
      else if (command.action === "step" && ack.events === 0) {
        emit("run:error", { message: "nothing can happen now (is an actor down?)" });
      }
    });
  });

  if (runId) {
    store.reset(runId);
    loaded = loadIfEnded(runId);
  }
  return socket;
}
