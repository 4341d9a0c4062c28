// The page's pub/sub: views talk through named events on one EventTarget, never through globals.

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
