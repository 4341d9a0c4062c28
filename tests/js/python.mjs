// The repository's Python, for node's tests: real traces come from `python -m sim` (sim/ is the
// only source of events), the vocabulary module from sim/trace/vocabulary.py.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** $PYTHON (make sets it), else the project's .venv, else python3. */
export function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = `${ROOT}.venv/bin/python`;
  return existsSync(venv) ? venv : "python3";
}

/** Run Python with `args` in the repository; its stdout. */
export function runPython(args) {
  return execFileSync(python(), args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
}

/** The events of one simulation: `python -m sim ARGS --format jsonl`, parsed. */
export function trace(...args) {
  return runPython(["-m", "sim", ...args, "--format", "jsonl"]).trim().split("\n")
    .map((line) => JSON.parse(line));
}
