// Module hooks (see register.mjs): static/js/vocabulary.js is the ES module that
// sim.trace.vocabulary.es_module() returns, the same text the server sends the page.
import { runPython } from "./python.mjs";

const MODULE = new URL("../../static/js/vocabulary.js", import.meta.url).href;
const PRINT = "from sim.trace.vocabulary import es_module; print(es_module(), end='')";
let source = null;

export async function resolve(specifier, context, next) {
  if (context.parentURL && new URL(specifier, context.parentURL).href === MODULE) {
    return { url: MODULE, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url !== MODULE) return next(url, context);
  source ??= runPython(["-c", PRINT]);
  return { format: "module", source, shortCircuit: true };
}
