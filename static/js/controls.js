// Run controls: start, pause/resume, step, speed, stop, "start paused", fault buttons and
// keyboard shortcuts. Only the run's controller sees the run controls; viewers see the status.

import { sagaOf } from "./saga.js";
import { downActors } from "./state.js";
import { el, ENDED_STATES as ENDED, fmtT, LIVE_STATES as LIVE, runMode, VOCABULARY }
  from "./util.js";

export const SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, "instant"];
const STATE_ICON = { pending: "◌", running: "▶", paused: "❚❚", finished: "■", stopped: "■",
  interrupted: "⚠", failed: "⚠" };

function speedLabel(speed) {
  return speed === "instant" ? "instant" : `${speed}×`;
}

/** The run controls of `store`'s run, built into `root`: {render, reset}, to mount on the
 * store. The keyboard shortcuts work anywhere on the page. */
export function createControls(root, store) {
  let speedIndex = SPEEDS.indexOf(1);
  let runState = "idle";
  let controller = true;
  let mode = runMode(null);
  let saga = sagaOf(null); // the run's saga: a fault button per step
  let status = { state: "", speed: null };
  let simTime = null; // from the trace events: the time the page has drawn up to
  let down = []; // actors down at the time drawn: [{actor, from, restartAt}]
  let online = true;
  // The speed asked for and not yet answered: a run_status sent before the server applied it
  // still carries the old speed, which must not flash back onto the label.
  let pendingSpeed = null;
  const ui = {};

  function setSpeed(index) {
    speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
    ui.speed.textContent = speedLabel(SPEEDS[speedIndex]);
    if (LIVE.has(runState)) {
      if (controller && online) pendingSpeed = SPEEDS[speedIndex];
      control({ action: "speed", speed: SPEEDS[speedIndex] });
    }
  }

  function start() {
    store.emit("ui:start", { speed: SPEEDS[speedIndex], start_paused: ui.startPaused.checked });
  }

  // "Run" in the saga editor: a start as this bar's Start makes it, once no run is live
  store.on("ui:start-request", () => {
    if (!online) store.emit("run:error", { message: "offline: nothing was started (reconnecting…)" });
    else if (LIVE.has(runState)) {
      store.emit("run:error", { message: "a run is live: stop it, then Start runs the new saga" });
    } else start();
  });

  /** Send a control only while connected: nothing typed offline is sent later. */
  function control(command) {
    if (!online) {
      store.emit("run:error", { message: "offline: nothing was sent (reconnecting…)" });
      return;
    }
    store.emit("cmd:control", command);
  }

  function togglePause() {
    if (runState === "running" || runState === "pending") control({ action: "pause" });
    else if (runState === "paused") control({ action: "resume" });
  }

  /** Show only the controls that apply: live ones while the run is live, "New run" once it
   * has ended; offline every control is disabled and says why. */
  function refresh() {
    // a button about to hide or switch off keeps the keyboard's focus in the controls
    const focused = [ui.start, ui.pause, ui.step, ui.stop].find((b) => b === document.activeElement);
    const live = LIVE.has(runState);
    const ended = ENDED.has(runState);
    const why = online ? "" : "offline: reconnecting, controls are off until the link is back";
    ui.bar.classList.toggle("viewer", !controller);
    ui.bar.dataset.phase = live ? "live" : ended ? "ended" : "idle";
    ui.bar.classList.toggle("offline", !online);
    ui.start.hidden = live;
    ui.start.textContent = ended ? "⟲ New run" : "▶ Start";
    ui.start.title = ended ? "start a new run with the parameters on the left" : "start (space)";
    ui.startPaused.closest("label").hidden = live;
    for (const b of [ui.start, ui.pause, ui.step, ui.stop, ui.slower, ui.faster]) {
      b.disabled = !online || (b !== ui.start && b !== ui.slower && b !== ui.faster && !live);
      b.title = why || b.dataset.title || "";
    }
    ui.liveOnly.hidden = !live;
    if (focused && (focused.hidden || focused.disabled || focused.closest("[hidden]"))) {
      const next = [ui.pause, ui.start, ui.stop].find((b) => !b.hidden && !b.disabled &&
        !b.closest("[hidden]"));
      if (next) next.focus();
    }
    ui.speedBox.hidden = ended;
    ui.faultRow.hidden = !live;
    ui.pause.innerHTML = runState === "paused" ? "▶ Resume" : "❚❚ Pause";
    const isDown = new Map(down.map((d) => [d.actor, d]));
    for (const b of ui.faults.querySelectorAll("button")) {
      const { actor, action } = b.dataset;
      const spell = isDown.get(actor);
      const applies = action === "crash" ? !spell : Boolean(spell);
      b.disabled = !online || !live || !applies;
      b.hidden = !saga.byName[actor] && actor !== VOCABULARY.coordinator[mode];
      b.classList.toggle("is-down", Boolean(spell));
      b.textContent = spell ? `${actor} ✖ down` : actor;
      b.title = why || (spell
        ? (action === "crash" ? `the ${actor} is down since t=${fmtT(spell.from)}`
          : `restart the ${actor} now` + (spell.restartAt !== null
            ? ` (it restarts by itself at t=${fmtT(spell.restartAt)})` : ""))
        : (action === "crash" ? `crash the ${actor} now` : `the ${actor} is running`));
    }
  }

  function drawDown() {
    ui.down.replaceChildren(...down.map((d) => {
      // the live clock (run_status) moves on while nothing happens, the trace does not
      const now = Math.max(simTime ?? 0, LIVE.has(runState) ? status.t ?? 0 : 0);
      const left = d.restartAt !== null && simTime !== null
        ? ` · back in ${Math.max(0, d.restartAt - now).toFixed(1)} s` : "";
      return el("span.down-badge", { dataset: { actor: d.actor },
        title: `${d.actor} crashed at t=${fmtT(d.from)}` + (d.reason ? ` (${d.reason})` : "") },
      `✖ ${d.actor} down${left}`);
    }));
  }

  function drawStatus() {
    const { state, speed, reason } = status;
    if (!state) return;
    ui.status.className = `run-status state-${state}`;
    // an ended run's speed is that of the run that was: next to a replay's own speed it
    // read as a second, contradictory one
    const showSpeed = speed !== undefined && speed !== null && !ENDED.has(state);
    ui.status.textContent = `${STATE_ICON[state] || ""} ${state}` +
      (simTime !== null ? `  t=${fmtT(simTime)}` : "") +
      (showSpeed ? `  ${speedLabel(speed)}` : "") +
      ((state === "interrupted" || state === "failed") && reason ? `  (${reason})` : "");
  }

  /** The run's mode and saga (fault buttons for its steps, drawn again for a new saga). */
  function follow(params) {
    mode = runMode(params);
    const next = sagaOf(params);
    if (next.names.join() !== saga.names.join()) {
      saga = next;
      ui.faults.replaceChildren(...faultButtons());
    }
  }

  function faultButtons() {
    const groups = [];
    for (const [action, icon] of [["crash", "✖"], ["restart", "▲"]]) {
      const buttons = saga.faultActors("orchestration").map((actor) =>
        el("button.fault", { type: "button", dataset: { actor, action },
          title: `${action} the ${actor} now`, "aria-label": `${action} ${actor}`,
          onclick: () => control({ action: "inject", fault: { action, actor } }) },
        actor));
      groups.push(el(`span.fault-group.fault-${action}`, {},
        el("span.label", {}, `${icon} ${action[0].toUpperCase()}${action.slice(1)}`), buttons));
    }
    return groups;
  }

  function onKey(event) {
    const target = event.target;
    if (target.closest && target.closest("input, select, textarea")) return;
    // Space is pause/resume, also right after a click on a control button; elsewhere a focused
    // button, link or summary keeps its own meaning of space.
    const own = target.closest && target.closest("button, summary, a");
    if (event.key === " " && own && !own.closest("#controls")) return;
    if (event.key === "Escape") { store.select(null); return; }
    if (event.key === "p" && !event.ctrlKey && !event.metaKey) {
      const details = document.getElementById("params-details");
      if (details) details.open = !details.open;
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " " && ENDED.has(runState)) {
      store.emit("ui:replay-toggle", {}); // an ended run: play/pause its replay, never a new run
      event.preventDefault();
      return;
    }
    if (!controller) return;
    if (!online && [" ", "ArrowRight", "+", "=", "-", "_"].includes(event.key)) {
      control({}); // says why nothing happens; nothing is kept to send later
      event.preventDefault();
      return;
    }
    if (event.key === " ") {
      if (LIVE.has(runState)) togglePause();
      else start();
    } else if (event.key === "ArrowRight") control({ action: "step" });
    else if (event.key === "+" || event.key === "=") setSpeed(speedIndex + 1);
    else if (event.key === "-" || event.key === "_") setSpeed(speedIndex - 1);
    else return;
    event.preventDefault();
  }

  ui.start = el("button.primary#btn-start", { type: "button", onclick: start },
    "▶ Start");
  ui.pause = el("button#btn-pause", { type: "button", onclick: togglePause });
  ui.step = el("button#btn-step", { type: "button", onclick: () => control({ action: "step" }) },
    "⇥ Step");
  ui.stop = el("button#btn-stop", { type: "button", onclick: () => control({ action: "stop" }) },
    "■ Stop");
  ui.slower = el("button#btn-slower", { type: "button", dataset: { title: "slower (-)" },
    onclick: () => setSpeed(speedIndex - 1) }, "−");
  ui.faster = el("button#btn-faster", { type: "button", dataset: { title: "faster (+)" },
    onclick: () => setSpeed(speedIndex + 1) }, "+");
  ui.down = el("span.down-badges#down-badges", { "aria-live": "polite" });
  ui.speed = el("output#speed", { "aria-live": "polite" });
  ui.startPaused = el("input#start-paused", { type: "checkbox" });
  ui.faults = el("div.faults#fault-buttons", {}, faultButtons());
  ui.status = el("span.run-status#run-status", {}, "no run yet");
  ui.error = el("span.control-error#control-error", { role: "alert" });
  ui.conn = el("span.control-error#conn-lost", { hidden: true },
    "⚠ offline: reconnecting… the controls are off until the link is back");
  ui.bar = root;
  ui.liveOnly = el("span.owner-only.live-only", {}, ui.pause, ui.step, ui.stop);
  ui.speedBox = el("span.speed.owner-only", {}, el("span.label", {}, "Speed"), ui.slower,
    ui.speed, ui.faster);
  ui.faultRow = el("div.control-row.owner-only.fault-row", {}, ui.faults,
    el("span.shortcuts", {}, el("kbd", {}, "space"), " pause/resume ", el("kbd", {}, "→"),
      " step ", el("kbd", {}, "+"), el("kbd", {}, "−"), " speed ", el("kbd", {}, "p"),
      " parameters ", el("kbd", {}, "esc"), " deselect"));
  root.append(
    el("div.control-row", {},
      el("span.owner-only", {}, ui.start,
        el("label.check", { for: "start-paused" }, ui.startPaused, "start paused")),
      ui.liveOnly, ui.speedBox, ui.error, ui.conn, ui.down, ui.status),
    ui.faultRow,
  );
  setSpeed(speedIndex);
  refresh();
  document.addEventListener("keydown", onKey);

  store.on("run:joined", ({ run, controller: isController }) => {
    controller = isController;
    if (run && run.params) follow(run.params);
    refresh();
  });
  store.on("run:status", ({ state, speed, reason, t }) => {
    runState = state;
    status = { state, speed: pendingSpeed ?? speed ?? status.speed, reason, t };
    ui.status.title = reason ? `${state}: ${reason}` : "";
    if (SPEEDS.includes(speed) && pendingSpeed === null) {
      speedIndex = SPEEDS.indexOf(speed);
      ui.speed.textContent = speedLabel(speed);
    }
    drawStatus();
    drawDown();
    refresh();
  });
  store.on("run:control-ack", ({ command }) => {
    if (command.action === "speed") pendingSpeed = null;
  });
  store.on("run:loading", ({ events, total, done }) => {
    if (done) return;
    ui.status.className = "run-status state-loading";
    ui.status.textContent = `⟳ loading events ${events.toLocaleString()}` +
      (total ? ` / ${total.toLocaleString()}` : "");
  });
  store.on("run:started-event", ({ params }) => {
    if (params) follow(params);
    refresh();
  });
  let clearError = null;
  store.on("run:error", ({ message }) => {
    pendingSpeed = null; // a refused or unsent speed: the next status shows the run's own
    ui.error.textContent = `⚠ ${message}`;
    clearTimeout(clearError);
    clearError = setTimeout(() => { ui.error.textContent = ""; }, 8000);
  });
  store.on("conn", ({ connected }) => {
    online = connected;
    ui.conn.hidden = connected;
    refresh();
  });
  return {
    render({ state }) {
      simTime = state.events ? state.t : null;
      const before = down.map((d) => d.actor).join();
      down = downActors(state);
      drawStatus();
      drawDown();
      if (down.map((d) => d.actor).join() !== before) refresh();
    },
    reset() {
      simTime = null;
      down = [];
      drawDown();
    },
  };
}
