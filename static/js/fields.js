// How the parameter form lays out the fields of sim/params.py: groups, labels, slider steps,
// help text and the mode a field belongs to. Kinds, ranges, choices, nullability and defaults
// come from the server's schema (GET /api/params) and are merged in by `withSchema`.

/** Scenario fields (always shown). `plan` is the form's own text spelling of the plan. */
export const SCENARIO = [
  { name: "bookings", label: "Bookings" },
  { name: "interarrival", label: "Arrival interval (s)", step: 0.1 },
  { name: "seed", label: "Seed" },
  { name: "until", label: "Stop at t (s)", placeholder: "when all sagas end" },
  { name: "plan", label: "Failure plan", kind: "plan" }, // its help names the saga's steps
];

/** Per-step fields of a saga (its definition, as GET /api/params gives it), shown as one row
 * per step: capacity where the step holds units, and a failure rate with a slider. */
export function serviceFields(saga) {
  return saga.steps.map((s) => ({
    service: s.name,
    title: `${s.service}: ${s.kind}${s.capacity === null ? ", holds nothing" : ""}`,
    capacity: s.capacity === null ? null
      : { name: `services.${s.name}.capacity`, label: "capacity" },
    failure: { name: `services.${s.name}.failure_rate`, label: "failure rate", widget: "rate" },
  }));
}

/** Timing and concurrency. */
export const TIMING = [
  { name: "network_delay", label: "Step delay (s)", step: 0.1 },
  { name: "compensation_delay", label: "Compensation delay (s)", step: 0.1 },
  { name: "max_in_flight", label: "Sagas in flight at once" },
];

/** Fault switches and remedies (the schema says which mode each one applies in). */
export const FAULTS = [
  { name: "compensation_order", label: "Compensation order" },
  { name: "retries", label: "Retries of a failed step" },
  { name: "retry_steps", label: "…of these steps" },
  { name: "reply_loss_rate", label: "Reply loss rate", widget: "rate" },
  { name: "idempotent", label: "Idempotent services" },
  { name: "compensation_failure_rate", label: "Compensation failure rate", widget: "rate" },
  { name: "compensation_retries", label: "Compensation retries" },
  { name: "compensation_backoff", label: "First compensation backoff (s)" },
  { name: "retriable_attempts", label: "Tries of a retriable step" },
  { name: "retriable_backoff", label: "First retry backoff (s)" },
  { name: "semantic_lock", label: "Semantic lock (wait for pending units)" },
  { name: "semantic_lock_wait", label: "…wait at most (s)" },
  { name: "orchestrator.crash_at", label: "Crash orchestrator at t" },
  { name: "orchestrator.crash_saga", label: "…or during saga" },
  { name: "orchestrator.crash_step", label: "…at step" },
  { name: "orchestrator.crash_phase", label: "…phase" },
  { name: "orchestrator.crash_random", label: "Crash at a random point" },
  { name: "orchestrator.restart_after", label: "Restart after (s)" },
  { name: "orchestrator.durable_log", label: "Durable saga log" },
  { name: "choreography.unheard_failure", label: "Nobody listens to the failure of",
    help: "a step whose failure event no one hears: the steps done before it are never undone "
      + "and their units leak (the tutorial's gap)" },
  { name: "choreography.crash_service", label: "Service crashes before publish" },
  { name: "choreography.crash_saga", label: "…during saga" },
  { name: "choreography.restart_after", label: "Restart after (s)" },
  { name: "choreography.outbox", label: "Transactional outbox" },
  { name: "choreography.ack_after_commit", label: "Ack after commit + redelivery" },
  { name: "choreography.redelivery_timeout", label: "Redelivery after (s)" },
  { name: "choreography.saga_timeout", label: "Saga timeout (s)" },
];

/** A form field: its layout merged with the schema's facts. The widget kind is the schema's
 * kind unless the layout asks for another (`rate`: slider + number); integer bounds stay
 * within what a JS number holds exactly. Layout-only fields (the plan) have no schema entry. */
export function withSchema(ui, fields) {
  const field = fields[ui.name];
  if (!field) {
    if (ui.kind) return { ...ui };
    throw new Error(`the form names ${ui.name}, which the server's schema does not know`);
  }
  const max = field.kind === "int" && field.max !== null
    ? Math.min(field.max, Number.MAX_SAFE_INTEGER) : field.max;
  const mode = field.modes.length === 1 ? field.modes[0] : undefined; // shown in that mode only
  return { ...ui, kind: ui.widget || field.kind, min: field.min, max,
    nullable: field.nullable, choices: field.choices, doc: field.doc, mode };
}

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

/** The plan's example in a saga's own step names: "BOOK002:<first>,BOOK004:<last>". */
export function planExample(stepNames) {
  return `BOOK002:${stepNames[0]},BOOK004:${stepNames[stepNames.length - 1]}`;
}

/** `BOOK002:a,BOOK004:b` -> {"BOOK002": ["a"], "BOOK004": ["b"]}: failing steps by booking
 * (`stepNames`: the saga's, for the error's example). */
export function parsePlan(text, stepNames = ["step"]) {
  const plan = {};
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [id, step] = item.split(":").map((s) => (s || "").trim());
    if (!id || !step) {
      throw new Error(`"${item}" is not BOOKID:step, e.g. BOOK002:${stepNames[0]}`);
    }
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
