// The presenter's side of classroom mode on the dashboard: the presenter view (button and
// key f), a class (code, join link and QR code; its devices follow this tab's run), and the
// breakpoints that pause a run by themselves.

import { initAsk } from "./class_ask.js";
import { setStartField } from "./connection.js";
import { el } from "./util.js";

const CLASS_KEY = "saga-lab:class";
const BREAKS_KEY = "saga-lab:breakpoints";
const BREAKPOINTS = [["step_failed", "a step fails"], ["compensation_started", "an undo starts"],
  ["actor_crashed", "an actor crashes"], ["invariant_violated", "an invariant breaks"]];

let klass = null; // {code, presenter_token}
let shownRun = null; // the run the class shows, as the server last said
let pageRun = null; // the run this tab shows
let controller = false;
let live = false;
let store = null; // the dashboard's run store
const ui = {};

/** Presenter actions: POST with the token; the JSON answer (throws its error message). */
export async function presenterPost(path, body = {}) {
  const response = await fetch(`/api/classes/${klass.code}${path}`, { method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ presenter_token: klass.presenter_token, ...body }) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `refused (${response.status})`);
  return answer;
}

function togglePresenting(on_ = !document.body.classList.contains("presenting")) {
  document.body.classList.toggle("presenting", on_);
  // the root's type size follows (a class, not :root:has(): see saga.css on :has())
  document.documentElement.classList.toggle("presenting", on_);
  ui.present.textContent = on_ ? "✕ Leave presenter view" : "▣ Presenter view";
  ui.present.setAttribute("aria-pressed", String(on_));
  // bigger type: the timeline measures its canvas again, the charts take the new font size
  window.dispatchEvent(new Event("resize"));
  store.redraw();
}

function breakpoints() {
  return [...ui.breaks.querySelectorAll("input:checked")].map((b) => b.value);
}

function breakpointsChanged() {
  localStorage.setItem(BREAKS_KEY, JSON.stringify(breakpoints()));
  setStartField("breakpoints", breakpoints());
  if (controller && live) store.emit("cmd:control", { action: "breakpoints", breakpoints: breakpoints() });
}

function setClass(value, socket) {
  klass = value;
  if (value) localStorage.setItem(CLASS_KEY, JSON.stringify(value));
  else localStorage.removeItem(CLASS_KEY);
  setStartField("class", value || undefined);
  document.body.classList.toggle("has-class", Boolean(value));
  document.body.dataset.classCode = value ? value.code : "";
  ui.create.hidden = Boolean(value);
  ui.info.hidden = !value;
  if (!value) return;
  ui.code.textContent = value.code;
  ui.cardCode.textContent = value.code;
  ui.qr.src = `/class/${value.code}/qr.svg`;
  showJoinUrl(`${location.origin}/class/${value.code}`);
  if (socket.connected) joinAsPresenter(socket);
}

/** The link students use (the server's PUBLIC_URL if set); warn when phones cannot reach it. */
function showJoinUrl(url) {
  const { host, hostname } = new URL(url);
  ui.cardUrl.textContent = url;
  ui.cardUrl.href = url;
  ui.cardHost.textContent = `${host}/class`;
  ui.loopback.hidden = !["127.0.0.1", "localhost", "[::1]"].includes(hostname);
}

function joinAsPresenter(socket) {
  if (!klass) return;
  socket.emit("join_class", { code: klass.code, presenter_token: klass.presenter_token },
    (ack) => {
      if (ack && ack.ok) {
        showJoinUrl(ack.class.join_url);
        classState(ack.class);
      }
      else if (ack && (ack.status === 404 || ack.status === 403)) setClass(null, socket);
    });
}

function classState(state) {
  shownRun = state.run_id;
  ui.viewers.textContent = `${state.viewers} connected`;
  ui.cardViewers.textContent = `${state.viewers} connected`;
  document.body.dataset.viewers = String(state.viewers);
  store.emit("class:state", state);
}

function showToClass(runId) {
  if (!klass || runId === shownRun) return;
  shownRun = runId;
  presenterPost("/run", { run_id: runId }).catch((err) => store.emit("run:error",
    { message: `class: ${err.message}` }));
}

async function createClass(socket) {
  const response = await fetch("/api/classes", { method: "POST" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    store.emit("run:error", { message: body.error || "could not start a class" });
    return;
  }
  setClass({ code: body.code, presenter_token: body.presenter_token }, socket);
  ui.card.showModal();
}

function buildCard(socket) {
  ui.cardCode = el("p.card-code#class-card-code");
  ui.cardUrl = el("a.card-url#class-card-url", { target: "_blank", rel: "noopener" });
  ui.qr = el("img.card-qr#class-qr", { alt: "QR code of the join link" });
  ui.cardViewers = el("p.card-viewers#class-card-viewers");
  ui.cardHost = el("b");
  ui.loopback = el("p.card-warn", { hidden: true }, "⚠ Phones cannot reach 127.0.0.1: start ",
    "with ", el("code", {}, "make run HOST=0.0.0.0"), " and open this page at the ",
    "machine's network address (or set SAGALAB_PUBLIC_URL).");
  const end = el("button.small", { type: "button", onclick: async () => {
    await fetch(`/api/classes/${klass.code}`, { method: "DELETE",
      headers: { "X-Presenter-Token": klass.presenter_token } });
    setClass(null, socket);
    ui.card.close();
  } }, "End the class");
  ui.card = el("dialog.class-card#class-card", { "aria-label": "join the class" },
    el("div.card-text", {}, el("p.card-kicker", {}, "Join the class"), ui.cardUrl,
      el("p.card-kicker", {}, "or go to ", ui.cardHost, " and type"), ui.cardCode, ui.cardViewers, ui.loopback,
      el("p.card-actions", {}, el("button.primary", { type: "button",
        onclick: () => ui.card.close() }, "Done"), end)),
    ui.qr);
  document.body.append(ui.card);
}

/** Build the presenter's bar into the run controls of `runStore`; `socket` is the dashboard's. */
export function initClassroom(runStore, socket) {
  store = runStore;
  ui.present = el("button#btn-present", { type: "button", title: "presenter view (f)",
    "aria-pressed": "false", onclick: () => togglePresenting() }, "▣ Presenter view");
  ui.create = el("button#btn-class", { type: "button", onclick: () => createClass(socket) },
    "◉ Start a class");
  ui.code = el("b#class-code");
  ui.viewers = el("span.class-viewers#class-viewers");
  ui.info = el("span.class-info", { hidden: true },
    el("button.small#btn-class-card", { type: "button", title: "show the join code",
      onclick: () => ui.card.showModal() }, "Class ", ui.code), ui.viewers);
  const saved = JSON.parse(localStorage.getItem(BREAKS_KEY) || "[]");
  ui.breaks = el("span.breakpoints#breakpoints", {}, el("span.label", {}, "Pause when"),
    BREAKPOINTS.map(([value, label]) => el("label.check", {}, el("input", { type: "checkbox",
      value, checked: saved.includes(value), onchange: breakpointsChanged }), label)));
  document.getElementById("controls").append(el("div.control-row.owner-only.class-row", {},
    el("span", {}, ui.present, ui.create, ui.info), ui.breaks));
  buildCard(socket);
  setStartField("breakpoints", breakpoints());
  initAsk(document.querySelector("main.layout"), store, () => klass, presenterPost);

  document.addEventListener("keydown", (event) => {
    const t = event.target;
    if (event.key !== "f" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (t.closest && t.closest("input, select, textarea, dialog")) return;
    togglePresenting();
  });
  store.on("run:joined", ({ runId, controller: isController }) => {
    pageRun = runId;
    controller = isController;
    showToClass(runId);
  });
  store.on("run:status", ({ state }) => { live = ["pending", "running", "paused"].includes(state); });
  store.on("form:errors", ({ errors }) => {
    if (!errors.class) return; // the class ended (expired, or the server restarted)
    setClass(null, socket);
    store.emit("run:error", { message: `${errors.class}: start again without it, or start a class` });
  });
  socket.on("class_state", classState);
  socket.on("class_closed", () => setClass(null, socket));
  socket.on("connect", () => joinAsPresenter(socket));
  setClass(JSON.parse(localStorage.getItem(CLASS_KEY) || "null"), socket);
}
