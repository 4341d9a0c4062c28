// Module hooks (see register.mjs): static/js/vocabulary.js is the ES module that
// sim.trace.vocabulary.es_module() returns, the same text the server sends the page.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = new URL("static/js/vocabulary.js", new URL("../../", import.meta.url)).href;
const PRINT = "from sim.trace.vocabulary import es_module; print(es_module(), end='')";
let source = null;

function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = `${ROOT}.venv/bin/python`;
  return existsSync(venv) ? venv : "python3";
}

export async function resolve(specifier, context, next) {
  if (context.parentURL && new URL(specifier, context.parentURL).href === MODULE) {
    return { url: MODULE, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url !== MODULE) return next(url, context);
  source ??= execFileSync(python(), ["-c", PRINT], { cwd: ROOT, encoding: "utf8" });
  return { format: "module", source, shortCircuit: true };
}
