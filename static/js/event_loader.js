// Loads a run's stored events with one fetch of GET /api/runs/<id>/events (JSON Lines): the
// fast way to open an ended run. Lines are parsed as they stream in, in slices of a few
// milliseconds, yielding to the page in between so it stays responsive.

const SLICE_MS = 8;

const yieldToPage = () => (globalThis.scheduler?.yield
  ? globalThis.scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0)));

/** The run's record (GET /api/runs/<id>), or null if it cannot be read. */
export async function fetchRun(runId) {
  try {
    const response = await fetch(`/api/runs/${encodeURIComponent(runId)}`);
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/** Stream the run's events into `onBatch(events)` in seq order; resolves with the count. */
export async function loadEvents(runId, onBatch) {
  const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/events`);
  if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  let count = 0;
  const parse = async (lines) => {
    let i = 0;
    while (i < lines.length) {
      const start = performance.now();
      const batch = [];
      while (i < lines.length && performance.now() - start < SLICE_MS) {
        for (const end = Math.min(i + 200, lines.length); i < end; i += 1) {
          if (lines[i]) batch.push(JSON.parse(lines[i]));
        }
      }
      count += batch.length;
      if (batch.length) onBatch(batch);
      await yieldToPage();
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
    rest = lines.pop();
    await parse(lines);
  }
  await parse([rest + decoder.decode()]);
  return count;
}
