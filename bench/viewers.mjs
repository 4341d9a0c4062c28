// Many viewers of one run in one Node process: real socket.io-client JS clients (the
// browser's library, on Node's `ws`), websocket transport, permessage-deflate offered as a
// browser does. Driven by bench/node_viewers.py:
//   node bench/viewers.mjs '{"urls": [...], "run_id", "viewers", "limit_s", "reconnect", "out"}'
// Spreads the viewers over the urls, joins each to the run, prints "ready", waits until every
// viewer saw the run end (or limit_s), then writes JSON to the file `out`: per viewer its
// event count, seqs missing or repeated, and per batch the delay from `sent_at` to receipt.
import { writeFileSync } from "node:fs";
import { io } from "socket.io-client";

const opts = JSON.parse(process.argv[2]);
const ENDED = new Set(["finished", "stopped", "interrupted"]);

function viewer(url) {
  const v = {
    count: 0, next: 0, gaps: 0, repeats: 0, delays: [], ended: false, reconnects: 0, dropped: 0,
  };
  const socket = io(url, {
    transports: ["websocket"],
    reconnection: Boolean(opts.reconnect),
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  v.socket = socket;
  const join = () => new Promise((resolve, reject) => {
    socket.emit("join_run", { run_id: opts.run_id, from_seq: v.next }, (ack) =>
      ack && ack.ok ? resolve() : reject(new Error(`join failed: ${JSON.stringify(ack)}`)));
  });
  socket.on("run_events", (m) => {
    const now = Date.now() / 1000;
    for (const e of m.events) {
      if (e.seq < v.next) v.repeats += 1;
      else {
        if (e.seq > v.next) v.gaps += e.seq - v.next;
        v.next = e.seq + 1;
        v.count += 1;
      }
    }
    v.delays.push([Math.round((now - m.sent_at) * 1e4) / 10, m.events.length]);
  });
  // flow control, as the dashboard does: ack each probe; when dropped, join again from there
  socket.on("run_sync", (_m, ack) => ack && ack());
  socket.on("run_dropped", (m) => {
    v.dropped += 1;
    v.next = m.from_seq;
    join().catch((err) => console.error(String(err)));
  });
  socket.on("run_status", (s) => {
    if (ENDED.has(s.state)) v.ended = true;
  });
  v.ready = new Promise((resolve, reject) => {
    socket.once("connect", () => join().then(resolve, reject));
    socket.once("connect_error", reject);
  });
  // after a lost connection: reconnect (to any url) and continue from the last seq
  socket.io.on("reconnect", () => {
    v.reconnects += 1;
    join().catch((err) => console.error(String(err)));
  });
  return v;
}

const viewers = [];
for (let i = 0; i < opts.viewers; i += 1) {
  viewers.push(viewer(opts.urls[i % opts.urls.length]));
  if (i % 25 === 24) await new Promise((r) => setTimeout(r, 20)); // don't stampede accept()
}
await Promise.all(viewers.map((v) => v.ready));
console.log("ready");
const cpu0 = process.cpuUsage();
const deadline = Date.now() + opts.limit_s * 1000;
while (Date.now() < deadline && !viewers.every((v) => v.ended)) {
  await new Promise((r) => setTimeout(r, 50));
}
const cpu = process.cpuUsage(cpu0);
writeFileSync(opts.out, JSON.stringify({
  cpu_s: (cpu.user + cpu.system) / 1e6,
  viewers: viewers.map((v) => ({
    count: v.count, gaps: v.gaps, repeats: v.repeats, ended: v.ended,
    reconnects: v.reconnects, dropped: v.dropped, delays: v.delays,
  })),
}));
for (const v of viewers) v.socket.close();
process.exit(0);
