// static/js/timeline_model.js: the timeline's drawing list, from a run's events.
import assert from "node:assert/strict";
import test from "node:test";
import { DASH, TimelineModel } from "../../static/js/timeline_model.js";
import { trace } from "./python.mjs";

const model = (events) => {
  const m = new TimelineModel();
  for (const e of events) m.ingest(e);
  return m;
};
const REPLIES = new Set(["step.succeeded", "step.failed", "compensation.succeeded",
  "compensation.failed"]);

test("orchestration: a request arrow and a dashed reply per answer, in end-time order", () => {
  const events = trace("--preset", "tutorial", "--plan", "BOOK002:flight,BOOK004:car");
  const m = model(events);
  assert.deepEqual(m.lanes(), ["orchestrator", "flight", "hotel", "car"]);
  const replies = events.filter((e) => REPLIES.has(e.kind));
  assert.equal(m.arrows.length, 2 * replies.length);
  m.arrows.forEach((a, i) => {
    if (i) assert.ok(a.t1 >= m.arrows[i - 1].t1, `arrow ${i} ends before the one before it`);
    assert.ok(a.t0 <= a.t1);
  });
  const failed = replies.filter((e) => e.kind === "step.failed");
  assert.equal(m.arrows.filter((a) => a.color === "--fail").length, 2 * failed.length);
  const first = events.find((e) => e.kind === "step.succeeded");
  const started = events.find((e) => e.kind === "step.started" && e.saga === first.saga);
  assert.deepEqual(m.arrows[0], { t0: started.t, t1: first.t, from: 0, to: 1, color: "--ok",
    saga: first.saga, dash: [], end: null });
  assert.equal(m.open.size, 0);
});

test("choreography: work spans on the service lanes and the bus on top", () => {
  const events = trace("--preset", "tutorial-choreography");
  const m = model(events);
  assert.deepEqual(m.lanes(), ["bus", "flight", "hotel", "car"]);
  const spans = m.arrows.filter((a) => a.span);
  assert.equal(spans.length, events.filter((e) => REPLIES.has(e.kind)).length);
  assert.ok(spans.every((a) => a.from === a.to && a.from > 0));
  const published = events.filter((e) => e.kind === "message.published");
  assert.equal(m.arrows.filter((a) => !a.span && !a.dashed).length, published.length);
});

test("crashes and restarts are marks on the crashed actor's lane", () => {
  const events = trace("--preset", "orchestrator-crash-durable-log");
  const m = model(events);
  const crashes = events.filter((e) => e.kind === "actor.crashed");
  assert.ok(crashes.length > 0);
  const marks = m.marks.filter((k) => k.glyph === "✖");
  assert.deepEqual(marks.map((k) => [k.t, k.lane]), crashes.map((e) => [e.t, 0]));
  assert.ok(m.marks.some((k) => k.glyph === "◆")); // the log replayed on restart
});

test("every kind of arrow is told apart without colour: its line pattern or its end mark", () => {
  const events = trace("--preset", "tutorial", "--plan", "BOOK002:flight,BOOK004:car");
  const m = model(events);
  const kind = (a) => `${a.color}|${a.from === 0 ? "request" : "reply"}`;
  const looks = new Map(); // colour and direction -> how it looks without the colour
  for (const a of m.arrows) looks.set(kind(a), `${JSON.stringify(a.dash)}|${a.end || ""}`);
  const request = looks.get("--ok|request");
  const comp = looks.get("--comp|request");
  const failed = looks.get("--fail|request");
  assert.ok(request && comp && failed, [...looks.keys()].join(" "));
  assert.equal(new Set([request, comp, failed]).size, 3, [...looks.entries()].join(" "));
  assert.notEqual(looks.get("--ok|reply"), looks.get("--comp|reply"));
  assert.equal(new Set(Object.values(DASH).map((d) => JSON.stringify(d))).size, 4,
    "request/publish solid, reply/delivery dashed, compensation dash-dot, its reply dotted");
});
