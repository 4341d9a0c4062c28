// What the parameter form shows: one entry per field of sim/params.py (FIELDS), with its
// label, input kind, range and the mode it belongs to, plus the schema's defaults.

export const DEFAULTS = {
  mode: "orchestration", bookings: 5, interarrival: 3.0, until: null, seed: 1,
  services: {
    flight: { capacity: 10, failure_rate: 0.1 },
    hotel: { capacity: 5, failure_rate: 0.15 },
    car: { capacity: 3, failure_rate: 0.3 },
  },
  network_delay: 0.3, compensation_delay: 0.2, max_in_flight: 1,
  compensation_order: "reverse", retries: 0, retry_steps: ["flight", "hotel", "car"],
  reply_loss_rate: 0.0, idempotent: false,
  compensation_failure_rate: 0.0, compensation_retries: 3, compensation_backoff: 0.5,
  orchestrator: { crash_at: null, crash_saga: null, crash_step: null,
    crash_phase: "after_commit", crash_random: false, restart_after: 5.0, durable_log: false },
  choreography: { compensate_on_hotel_failure: true, crash_service: null, crash_saga: null,
    restart_after: 5.0, outbox: false, ack_after_commit: false, redelivery_timeout: 2.0,
    saga_timeout: null },
  plan: {},
};

const STEPS = ["flight", "hotel", "car"];

/** Scenario fields (always shown). kind: int | float | rate | bool | choice | saga | plan. */
export const SCENARIO = [
  { name: "bookings", label: "Bookings", kind: "int", min: 1, max: 1000000 },
  { name: "interarrival", label: "Arrival interval (s)", kind: "float", min: 0, max: 3600,
    step: 0.1 },
  { name: "seed", label: "Seed", kind: "int", min: 0, max: 2 ** 53 - 1 },
  { name: "until", label: "Stop at t (s)", kind: "float", min: 0, max: 1e9, nullable: true,
    placeholder: "when all sagas end" },
  { name: "plan", label: "Failure plan", kind: "plan",
    help: "forced failures, e.g. BOOK002:flight,BOOK004:car" },
];

/** Per-service fields, shown as one row per service. */
export const SERVICES = STEPS.map((s) => ({
  service: s,
  capacity: { name: `services.${s}.capacity`, label: "capacity", kind: "int", min: 0,
    max: 1000000 },
  failure: { name: `services.${s}.failure_rate`, label: "failure rate", kind: "rate" },
}));

/** Timing and concurrency. */
export const TIMING = [
  { name: "network_delay", label: "Step delay (s)", kind: "float", min: 0, max: 60, step: 0.1 },
  { name: "compensation_delay", label: "Compensation delay (s)", kind: "float", min: 0, max: 60,
    step: 0.1 },
  { name: "max_in_flight", label: "Sagas in flight at once", kind: "int", min: 1, max: 1000 },
];

/** Fault switches and remedies; `mode` limits a field to one mode. */
export const FAULTS = [
  { name: "compensation_order", label: "Compensation order", kind: "choice",
    choices: ["reverse", "forward"] },
  { name: "retries", label: "Retries of a failed step", kind: "int", min: 0, max: 5 },
  { name: "retry_steps", label: "…of these steps", kind: "steps" },
  { name: "reply_loss_rate", label: "Reply loss rate", kind: "rate" },
  { name: "idempotent", label: "Idempotent services", kind: "bool" },
  { name: "compensation_failure_rate", label: "Compensation failure rate", kind: "rate" },
  { name: "compensation_retries", label: "Compensation retries", kind: "int", min: 0, max: 10 },
  { name: "compensation_backoff", label: "First compensation backoff (s)", kind: "float", min: 0,
    max: 60 },
  { name: "orchestrator.crash_at", label: "Crash orchestrator at t", kind: "float", min: 0,
    max: 1e9, nullable: true, mode: "orchestration" },
  { name: "orchestrator.crash_saga", label: "…or during saga", kind: "saga", nullable: true,
    mode: "orchestration" },
  { name: "orchestrator.crash_step", label: "…at step", kind: "choice", nullable: true,
    choices: STEPS, mode: "orchestration" },
  { name: "orchestrator.crash_phase", label: "…phase", kind: "choice",
    choices: ["before_request", "after_commit"], mode: "orchestration" },
  { name: "orchestrator.crash_random", label: "Crash at a random point", kind: "bool",
    mode: "orchestration" },
  { name: "orchestrator.restart_after", label: "Restart after (s)", kind: "float", min: 0,
    max: 1e6, nullable: true, mode: "orchestration" },
  { name: "orchestrator.durable_log", label: "Durable saga log", kind: "bool",
    mode: "orchestration" },
  { name: "choreography.compensate_on_hotel_failure", label: "Flight listens to hotel failure",
    kind: "bool", mode: "choreography", help: "off: the tutorial's gap (the flight leaks)" },
  { name: "choreography.crash_service", label: "Service crashes before publish", kind: "choice",
    nullable: true, choices: STEPS, mode: "choreography" },
  { name: "choreography.crash_saga", label: "…during saga", kind: "saga", nullable: true,
    mode: "choreography" },
  { name: "choreography.restart_after", label: "Restart after (s)", kind: "float", min: 0,
    max: 1e6, nullable: true, mode: "choreography" },
  { name: "choreography.outbox", label: "Transactional outbox", kind: "bool",
    mode: "choreography" },
  { name: "choreography.ack_after_commit", label: "Ack after commit + redelivery", kind: "bool",
    mode: "choreography" },
  { name: "choreography.redelivery_timeout", label: "Redelivery after (s)", kind: "float",
    min: 0.1, max: 1e4, mode: "choreography" },
  { name: "choreography.saga_timeout", label: "Saga timeout (s)", kind: "float", min: 0.1,
    max: 1e6, nullable: true, mode: "choreography" },
];

/** Deep-merge override into a copy of base (nested objects merge; `plan` is replaced). */
export function deepMerge(base, override) {
  const out = structuredClone(base);
  for (const [key, value] of Object.entries(override || {})) {
    const isObj = value && typeof value === "object" && !Array.isArray(value);
    if (isObj && key !== "plan" && out[key] && typeof out[key] === "object") {
      out[key] = deepMerge(out[key], value);
    } else out[key] = structuredClone(value);
  }
  return out;
}

/** Read a dotted name from nested params. */
export function getPath(obj, dotted) {
  return dotted.split(".").reduce((node, key) => (node == null ? undefined : node[key]), obj);
}

/** Write a dotted name into nested params. */
export function setPath(obj, dotted, value) {
  const keys = dotted.split(".");
  const leaf = keys.pop();
  let node = obj;
  for (const k of keys) node = node[k] ??= {};
  node[leaf] = value;
}

/** `BOOK002:flight,BOOK004:car` -> {"BOOK002": ["flight"], "BOOK004": ["car"]}. */
export function parsePlan(text) {
  const plan = {};
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [id, step] = item.split(":").map((s) => (s || "").trim());
    if (!id || !step) throw new Error(`"${item}" is not BOOKID:step, e.g. BOOK002:flight`);
    (plan[id] ??= []).push(step);
  }
  return plan;
}

/** The inverse of parsePlan. */
export function formatPlan(plan) {
  return Object.entries(plan || {})
    .flatMap(([id, steps]) => [].concat(steps).map((s) => `${id}:${s}`))
    .join(",");
}
