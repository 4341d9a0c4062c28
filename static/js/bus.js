// The page's pub/sub: views talk through named events on one EventTarget, never through globals.
//
// Events (name: detail):
//   cmd:start {preset, params, speed, start_paused}   form -> connection (start_run)
//   cmd:control {action, speed?, fault?}              controls -> connection (control_run)
//   ui:start {speed, start_paused}                    controls -> form (collect, then cmd:start)
//   form:errors {errors}                              connection -> form (field errors)
//   run:reset {runId}   run:joined {run, controller, runId}   run:error {message}
//   run:events {events}  (raw batches)   run:status {state, t, speed}   conn {connected}
//   reset {}            every view forgets the previous run
//   render {state, events, from}   once per frame: the state after all events so far;
//                       events[from..] are the ones new since the last render
//   select {saga, source?}  a saga chosen anywhere (null: none); every view highlights it,
//                       the view it came from (source) does not scroll
//   theme {theme}       colours changed: canvases and charts redraw

const target = new EventTarget();

/** Subscribe to a named event; the handler receives the event's detail. Returns an unsubscribe. */
export function on(name, handler) {
  const listener = (event) => handler(event.detail);
  target.addEventListener(name, listener);
  return () => target.removeEventListener(name, listener);
}

/** Publish a named event with a detail payload to every subscriber. */
export function emit(name, detail) {
  target.dispatchEvent(new CustomEvent(name, { detail }));
}
