// `node --import ./tests/js/register.mjs tests/js/render_transcript.mjs < traces.json`: reads
// {name: [event, ...]} and prints {name: [line, ...]} rendered by static/js/transcript.js
// (tests/test_transcript_drift.py compares them with sim/trace/transcript.py).
import { text } from "node:stream/consumers";
import { render } from "../../static/js/transcript.js";

const traces = JSON.parse(await text(process.stdin));
const out = Object.fromEntries(Object.entries(traces).map(([name, events]) =>
  [name, render(events)]));
process.stdout.write(JSON.stringify(out));
