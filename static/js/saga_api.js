// The saga endpoints the editor calls (docs/protocol.md), each answering {ok, status, answer}
// (the JSON body, or {} for a file) and, for an export, the file as a Blob; `problems` turns a
// refusal into {field: message} as the editor shows them.

const JSON_TYPE = { "Content-Type": "application/json" };
const TEXT_TYPE = { "Content-Type": "text/plain; charset=utf-8" };
const at = (name) => `/api/sagas/${encodeURIComponent(name)}`;

async function request(url, method = "GET", body = undefined, headers = JSON_TYPE) {
  const response = await fetch(url, { method, headers,
    body: body === undefined || typeof body === "string" ? body : JSON.stringify(body) });
  const json = response.headers.get("Content-Type")?.includes("json");
  const answer = json ? await response.json().catch(() => ({})) : {};
  const blob = !json && response.ok ? await response.blob() : null;
  return { ok: response.ok, status: response.status, answer, blob };
}

export const sagaApi = {
  list: () => request("/api/sagas"),
  get: (name) => request(at(name)),
  check: (definition) => request("/api/sagas/check", "POST", definition),
  /** Store a new saga (POST), or replace the stored one its token opens (PUT). */
  store: (definition, token = null) => (token
    ? request(at(definition.name), "PUT", { token, saga: definition })
    : request("/api/sagas", "POST", definition)),
  remove: (name, token) => request(at(name), "DELETE", { token }),
  exportFile: (definition, format) =>
    request(`/api/sagas/export?format=${format}`, "POST", definition),
  importFile: (text, format) => request(`/api/sagas/file?format=${format}`, "POST", text, TEXT_TYPE),
};

/** A refusal's messages by field (a 409's or a 5xx's single error goes to `fallback`). */
export function problems({ answer, status }, fallback = "saga") {
  return answer.errors || { [fallback]: answer.error || `the server answered HTTP ${status}` };
}
