// A pub/sub bus: named events on one EventTarget. Every run store has its own bus (run_store.js)
// and the views of that run talk through it, never through globals.
//
// Events of a run store (name: detail):
//   cmd:start {preset, params, speed, start_paused}   form -> connection (start_run)
//   cmd:control {action, speed?, fault?}              controls -> connection (control_run)
//   ui:start {speed, start_paused}                    controls -> form (collect, then cmd:start)
//   form:errors {errors}                              connection -> form (field errors)
//   ui:start-request {}     the saga editor's Run: controls start as their Start button does
//   saga:use {saga, name, start}   saga editor -> form: use this definition (name: stored and
//                       unchanged, sent by name), and start a run with it
//   saga:saved {saga}   saga:deleted {name}   saga editor -> form: the saga picker follows
//   run:reset {runId}   run:joined {run, controller, runId, started?}   run:error {message}
//                       (started: this page has just started the run)
//   run:loading {events, total, done}   run:status {state, t, speed}   conn {connected}
//   run:started-event {params}   the run.started event arrived (the run's mode)
//   run:refused {message}  a start refused at the live-run limit: connection -> my_runs
//   run:info {run}      the run's REST object (preset, description, remedy, status): caption, actions
//   run:control-ack {command, ok}   the server answered a control (connection -> controls)
//   ui:replay-toggle {} space on an ended run: the replay clock plays or pauses
//   reset {}            every view forgets the previous run
//   render {state, latest, events, from, selected, frame, catchingUp, restyled}   at most once
//                       per animation frame (a replay's seek: at once): the state to show
//                       (latest: the state after every event folded in, the same object
//                       unless a replay shows an earlier time); events[from..] are new since
//                       the last render; `frame` numbers the renders (views mark it when
//                       drawn); catchingUp: events are still loading or waiting to be folded
//                       in (charts wait for them); restyled: colours or type size changed
//   select {saga, source?}  a saga chosen anywhere (null: none); a render follows; the view it
//                       came from (source) does not scroll
//   theme {theme}       colours changed: a render follows

/** A new bus: {on(name, handler) -> unsubscribe, emit(name, detail)}. */
export function createBus() {
  const target = new EventTarget();
  return {
    on(name, handler) {
      const listener = (event) => handler(event.detail);
      target.addEventListener(name, listener);
      return () => target.removeEventListener(name, listener);
    },
    emit(name, detail) {
      target.dispatchEvent(new CustomEvent(name, { detail }));
    },
  };
}
