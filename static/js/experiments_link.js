// The experiments page's link to the server: REST to start, cancel and load experiments,
// Socket.IO to follow one. Everything it learns goes on the bus as `exp:*` events.

import { io } from "../vendor/socket.io.esm.min.js";

const TOKEN_KEY = (id) => `saga-lab:experiment-token:${id}`;
const LIVE = new Set(["queued", "running"]);

async function fetchJson(url, options) {
  const reply = await fetch(url, options);
  const body = await reply.json().catch(() => ({}));
  return { ok: reply.ok, status: reply.status, body };
}

/** Follow `initialId` (if any) and serve `exp:submit`, `exp:open`, `exp:cancel` commands. */
export function linkExperiments(initialId, { emit, on }) {
  const socket = io({ transports: ["websocket", "polling"] });
  let current = initialId || null;

  const controller = () => Boolean(current && localStorage.getItem(TOKEN_KEY(current)));

  function join() {
    if (!current || !socket.connected) return;
    const id = current;
    socket.emit("join_experiment", { experiment_id: id }, (ack) => {
      if (id !== current) return;
      if (!ack || !ack.ok) emit("exp:error", { message: (ack && ack.error) || "not found" });
      else emit("exp:loaded", { experiment: ack.experiment, controller: controller() });
    });
  }

  async function reload() {
    const { ok, body } = await fetchJson(`/api/experiments/${current}`);
    if (ok) emit("exp:loaded", { experiment: body, controller: controller() });
    emit("exp:list-changed", {});
  }

  socket.on("connect", join);
  socket.on("experiment_point", (msg) => {
    if (msg.id === current) emit("exp:point", { point: msg.point });
  });
  socket.on("experiment_status", (msg) => {
    if (msg.id !== current) return;
    emit("exp:status", msg);
    if (!LIVE.has(msg.status)) reload();
  });

  on("exp:submit", async (spec) => {
    const { ok, body } = await fetchJson("/api/experiments", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(spec),
    });
    if (!ok) {
      emit("exp:errors", { errors: body.errors || { experiment: body.error || "refused" } });
      return;
    }
    localStorage.setItem(TOKEN_KEY(body.id), body.control_token);
    emit("exp:errors", { errors: {} });
    open(body.id, body.url);
    emit("exp:list-changed", {});
  });

  function open(id, url) {
    current = id;
    history.pushState({ id }, "", url || `/experiments/${id}`);
    document.body.dataset.experimentId = id;
    emit("exp:reset", { id });
    join();
  }

  on("exp:open", ({ id }) => open(id));
  window.addEventListener("popstate", (event) => {
    if (event.state && event.state.id) {
      current = event.state.id;
      emit("exp:reset", { id: current });
      join();
    }
  });

  on("exp:cancel", async () => {
    if (!current) return;
    const token = localStorage.getItem(TOKEN_KEY(current));
    const { ok, body } = await fetchJson(`/api/experiments/${current}/cancel`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (!ok) emit("exp:error", { message: body.error || "could not cancel" });
  });

  if (current) emit("exp:reset", { id: current });
}
