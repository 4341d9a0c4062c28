// The run's saga as the page draws it, from the definition the run carries (params.saga; a run
// stored before sagas were data is a run of the default saga): its steps in order with their
// kinds, units and words (short heads for narrow columns), the steps that hold units, the lanes
// of the timeline and the names of its actors. sim/saga/ fills in every word, so the page
// derives nothing but look-ups.

import { VOCABULARY } from "./util.js";

const KIND_MARK = { compensatable: "", pivot: "◆", retriable: "↻" };

const MODELS = new WeakMap(); // definition -> its model: one per run, shared by its states

/** The page's model of a run's saga, from its parameters (null: the default saga); the same
 * object for the same definition. */
export function sagaOf(params) {
  const definition = (params && params.saga) || VOCABULARY.default_saga;
  if (!MODELS.has(definition)) MODELS.set(definition, modelOf(definition));
  return MODELS.get(definition);
}

function modelOf(definition) {
  const steps = definition.steps.map((step, i) => ({
    ...step,
    number: i + 1,
    holds: step.capacity !== null && step.capacity !== undefined,
    mark: KIND_MARK[step.kind] || "",
  }));
  const byName = Object.fromEntries(steps.map((s) => [s.name, s]));
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    steps,
    byName,
    names: steps.map((s) => s.name),
    holding: steps.filter((s) => s.holds).map((s) => s.name),
    pivot: (steps.find((s) => s.kind === "pivot") || {}).name || null,
    /** An actor's name as the transcript prints it: a step's service, else the coordinator's. */
    actorName: (actor) => (byName[actor] ? byName[actor].service
      : VOCABULARY.actor_names[actor] || actor),
    /** The actors a fault may crash and restart in this mode. */
    faultActors: (mode) => [
      ...(mode === "choreography" ? [] : [VOCABULARY.coordinator.orchestration]),
      ...steps.map((s) => s.name),
    ],
  };
}
