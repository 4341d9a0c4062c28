// Run controls: start, pause/resume, step, speed, stop, "start paused", fault buttons and
// keyboard shortcuts. Only the run's controller sees the run controls; viewers see the status.

import { el, fmtT, LIVE_STATES as LIVE, runMode, STEPS, VOCABULARY } from "./util.js";

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
  let status = { state: "", speed: null };
  let simTime = null; // from the trace events: the time the page has drawn up to
  const ui = {};

  function setSpeed(index) {
    speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
    ui.speed.textContent = speedLabel(SPEEDS[speedIndex]);
    if (LIVE.has(runState)) store.emit("cmd:control", { action: "speed", speed: SPEEDS[speedIndex] });
  }

  function start() {
    store.emit("ui:start", { speed: SPEEDS[speedIndex], start_paused: ui.startPaused.checked });
  }

  function togglePause() {
    if (runState === "running" || runState === "pending") store.emit("cmd:control", { action: "pause" });
    else if (runState === "paused") store.emit("cmd:control", { action: "resume" });
  }

  function refresh() {
    const live = LIVE.has(runState);
    ui.bar.classList.toggle("viewer", !controller);
    ui.pause.disabled = !live;
    ui.pause.innerHTML = runState === "paused" ? "▶ Resume" : "❚❚ Pause";
    ui.step.disabled = !live; // a step pauses a running run first
    ui.stop.disabled = !live;
    for (const b of ui.faults.querySelectorAll("button")) {
      b.disabled = !live;
      const { actor } = b.dataset;
      b.hidden = !STEPS.includes(actor) && actor !== VOCABULARY.coordinator[mode];
    }
  }

  function drawStatus() {
    const { state, speed, reason } = status;
    if (!state) return;
    ui.status.className = `run-status state-${state}`;
    ui.status.textContent = `${STATE_ICON[state] || ""} ${state}` +
      (simTime !== null ? `  t=${fmtT(simTime)}` : "") +
      (speed !== undefined && speed !== null ? `  ${speedLabel(speed)}` : "") +
      ((state === "interrupted" || state === "failed") && reason ? `  (${reason})` : "");
  }

  function faultButtons() {
    const groups = [];
    for (const [action, icon] of [["crash", "✖"], ["restart", "▲"]]) {
      const buttons = VOCABULARY.fault_actors.map((actor) =>
        el("button.fault", { type: "button", dataset: { actor, action },
          title: `${action} the ${actor} now`, "aria-label": `${action} ${actor}`,
          onclick: () => store.emit("cmd:control", { action: "inject", fault: { action, actor } }) },
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
    if (!controller || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " ") {
      if (LIVE.has(runState)) togglePause();
      else start();
    } else if (event.key === "ArrowRight") store.emit("cmd:control", { action: "step" });
    else if (event.key === "+" || event.key === "=") setSpeed(speedIndex + 1);
    else if (event.key === "-" || event.key === "_") setSpeed(speedIndex - 1);
    else return;
    event.preventDefault();
  }

  ui.start = el("button.primary#btn-start", { type: "button", onclick: start },
    "▶ Start");
  ui.pause = el("button#btn-pause", { type: "button", onclick: togglePause });
  ui.step = el("button#btn-step", { type: "button",
    onclick: () => store.emit("cmd:control", { action: "step" }) }, "⇥ Step");
  ui.stop = el("button#btn-stop", { type: "button",
    onclick: () => store.emit("cmd:control", { action: "stop" }) }, "■ Stop");
  ui.speed = el("output#speed", { "aria-live": "polite" });
  ui.startPaused = el("input#start-paused", { type: "checkbox" });
  ui.faults = el("div.faults#fault-buttons", {}, faultButtons());
  ui.status = el("span.run-status#run-status", {}, "no run yet");
  ui.error = el("span.control-error#control-error", { role: "alert" });
  ui.conn = el("span.control-error#conn-lost", { hidden: true },
    "⚠ connection lost: reconnecting…");
  ui.bar = root;
  root.append(
    el("div.control-row", {},
      el("span.owner-only", {}, ui.start,
        el("label.check", { for: "start-paused" }, ui.startPaused, "start paused")),
      el("span.owner-only", {}, ui.pause, ui.step, ui.stop),
      el("span.speed.owner-only", {}, el("span.label", {}, "Speed"),
        el("button#btn-slower", { type: "button", title: "slower (-)",
          onclick: () => setSpeed(speedIndex - 1) }, "−"),
        ui.speed,
        el("button#btn-faster", { type: "button", title: "faster (+)",
          onclick: () => setSpeed(speedIndex + 1) }, "+")),
      ui.error, ui.conn, ui.status),
    el("div.control-row.owner-only", {}, ui.faults,
      el("span.shortcuts", {}, el("kbd", {}, "space"), " pause/resume ", el("kbd", {}, "→"),
        " step ", el("kbd", {}, "+"), el("kbd", {}, "−"), " speed ", el("kbd", {}, "p"),
        " parameters ", el("kbd", {}, "esc"), " deselect")),
  );
  setSpeed(speedIndex);
  refresh();
  document.addEventListener("keydown", onKey);

  store.on("run:joined", ({ run, controller: isController }) => {
    controller = isController;
    if (run && run.params) mode = runMode(run.params);
    refresh();
  });
  store.on("run:status", ({ state, speed, reason }) => {
    runState = state;
    status = { state, speed: speed ?? status.speed, reason };
    ui.status.title = reason ? `${state}: ${reason}` : "";
    if (SPEEDS.includes(speed)) {
      speedIndex = SPEEDS.indexOf(speed);
      ui.speed.textContent = speedLabel(speed);
    }
    drawStatus();
    refresh();
  });
  store.on("run:loading", ({ events, total, done }) => {
    if (done) return;
    ui.status.className = "run-status state-loading";
    ui.status.textContent = `⟳ loading events ${events.toLocaleString()}` +
      (total ? ` / ${total.toLocaleString()}` : "");
  });
  store.on("run:started-event", ({ params }) => {
    if (params) mode = runMode(params);
    refresh();
  });
  let clearError = null;
  store.on("run:error", ({ message }) => {
    ui.error.textContent = `⚠ ${message}`;
    clearTimeout(clearError);
    clearError = setTimeout(() => { ui.error.textContent = ""; }, 8000);
  });
  store.on("conn", ({ connected }) => {
    ui.conn.hidden = connected;
  });
  return {
    render({ state }) {
      simTime = state.events ? state.t : null;
      drawStatus();
    },
    reset() { simTime = null; },
  };
}
