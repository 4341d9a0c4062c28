// The saga editor (a dialog opened from the form's saga picker): start from a built-in or
// stored saga or a new one, edit its steps in a table, see the server's rules checked as you
// type (POST /api/sagas/check, each message at its field), then Save (POST/PUT /api/sagas),
// Export or Import a YAML/JSON file, Delete, or use it in the form and Run. It talks to the
// form through the run store's bus: saga:use {saga, name, start}, saga:saved {saga},
// saga:deleted {name}. The draft stays while the page lives: closing loses nothing.

import { problems, sagaApi } from "./saga_api.js";
import { addStep, copyOf, errorsBySlot, newDraft, sagaTokens, sameSaga } from "./saga_draft.js";
import { drawFlow, drawRows, messageSlot } from "./saga_editor_rows.js";
import { el, saveBlob, stylesheet } from "./util.js";

const CHECK_AFTER_MS = 150; // a pause in typing this long sends the draft to be checked

let editor = null;

/** Open the editor on `source`: {name} (a built-in or stored saga), {definition} (a preset's
 * own), or null (a new saga). A draft with unsaved changes is kept (Start from replaces it). */
export async function openSagaEditor(store, source) {
  if (!editor) {
    await stylesheet("saga_editor.css");
    editor = createEditor(store);
  }
  await editor.open(source);
  return editor;
}

function createEditor(store) {
  let draft = newDraft();
  let stored = null; // the stored saga the draft is (this browser holds its token), or null
  let saved = null; // the draft as last saved or loaded from the store
  let pristine = structuredClone(draft); // the draft as loaded: a change from it is worth keeping
  let listing = []; // GET /api/sagas: the names a copy must not take
  let edits = 0;
  let checked = { edit: -1, valid: false };
  let timer = null;

  const field = (name, label, attrs) => {
    const input = el(name === "description" ? "textarea" : "input", { id: `se-${name}`,
      spellcheck: name !== "name", rows: 2, dataset: { field: name }, ...attrs,
      oninput: () => { draft[name] = input.value; changed(); } });
    return el("div.editor-field", { dataset: { cell: name } },
      el("label", { for: `se-${name}` }, label), input, messageSlot(name));
  };
  const startFrom = el("select#se-from", { onchange: () => load(JSON.parse(startFrom.value)) });
  const rows = el("ol.step-rows", { "aria-label": "steps, in the order they run" });
  const flow = el("ol.saga-flow", { "aria-label": "the saga's flow" });
  const status = el("p.editor-status", { role: "status" });
  const note = el("p.editor-note");
  const general = messageSlot("saga");
  const fileInput = el("input", { type: "file", hidden: true, "aria-label": "saga file",
    accept: ".yaml,.yml,.json,application/json,application/yaml", onchange: importFile });
  const button = (label, action, onclick, cls = "") => el(`button${cls}`, { type: "button",
    dataset: { action }, onclick }, label);
  const deleteButton = button("Delete", "delete", remove, ".danger");
  const dialog = el("dialog.saga-editor#saga-editor", { "aria-labelledby": "saga-editor-title" },
    el("header.editor-head", {},
      el("h2#saga-editor-title", {}, "Saga editor"),
      el("label.start-from", { for: "se-from" }, "Start from", startFrom),
      button("✕", "close", () => dialog.close(), ".small.close")),
    note,
    el("div.editor-names", {}, field("name", "Name (a-z, 0-9, -)", { maxlength: 40 }),
      field("title", "Title", { maxlength: 80 }), field("description", "Description")),
    flow,
    el("p.flow-legend", {}, "◆ the pivot: the go/no-go point, never undone · ↻ retriable: after ",
      "the pivot, tried until it succeeds · the others are compensatable: undone if a later ",
      "step fails"),
    el("div.step-head", { "aria-hidden": "true" }, ["#", "name", "service", "unit", "capacity",
      "failure rate", "kind", ""].map((h) => el("span", {}, h))),
    rows,
    el("div.editor-row", {}, button("+ Add step", "add-step", () => {
      draft.steps = addStep(draft.steps);
      redraw(`[data-step="${draft.steps.length - 1}"] input`);
    }), messageSlot("steps")),
    general,
    el("footer.editor-actions", {}, status,
      el("div.editor-buttons", {},
        button("▶ Run", "run", () => use(true), ".primary"),
        button("Use in the form", "use", () => use(false)),
        button("Save", "save", save),
        button("Export YAML", "export-yaml", () => exportAs("yaml")),
        button("Export JSON", "export-json", () => exportAs("json")),
        button("Import…", "import", () => fileInput.click()), fileInput,
        deleteButton)));
  dialog.addEventListener("cancel", () => clearTimeout(timer));
  document.body.append(dialog);

  const dirty = () => !sameSaga(draft, saved || pristine);

  /** The draft drawn again (after a load or a change of the table's shape). */
  function redraw(focus = null) {
    for (const name of ["name", "title", "description"]) {
      dialog.querySelector(`#se-${name}`).value = draft[name] ?? "";
    }
    drawRows(rows, draft.steps, (steps, structural, target) => {
      draft.steps = steps;
      if (structural) redraw(target);
      else changed();
    });
    if (focus) {
      const target = dialog.querySelector(focus);
      (target && !target.disabled ? target
        : target?.closest(".step-row")?.querySelector("button:not(:disabled)"))?.focus();
    }
    changed();
  }

  function changed() {
    edits += 1;
    dialog.dataset.edit = edits;
    drawFlow(flow, draft.steps);
    deleteButton.hidden = !stored;
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_AFTER_MS);
    showStatus();
  }

  /** Check the draft now (or use the answer for this edit): whether the rules hold. */
  async function check() {
    clearTimeout(timer);
    const edit = edits;
    if (checked.edit === edit) return checked.valid;
    let result;
    try {
      result = await sagaApi.check(draft);
    } catch (err) {
      if (edit === edits) show({ saga: `could not check the saga (${err.message}): offline?` });
      return false;
    }
    if (edit !== edits) return check(); // typed on meanwhile: that newer draft is what counts
    checked = { edit, valid: result.ok };
    show(result.ok ? {} : problems(result));
    dialog.dataset.checked = edit;
    dialog.dataset.valid = result.ok;
    showStatus();
    return result.ok;
  }

  /** The server's messages, each at its field (the rest on the editor's own line). */
  function show(errors) {
    for (const slot of dialog.querySelectorAll(".field-error")) slot.textContent = "";
    for (const node of dialog.querySelectorAll(".invalid")) node.classList.remove("invalid");
    for (const node of dialog.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const [slot, messages] of Object.entries(errorsBySlot(errors))) {
      const target = dialog.querySelector(`[data-error-for="${slot}"]`) || general;
      target.textContent = [target.textContent, ...messages].filter(Boolean).join(" ");
      target.closest(".step-cell, .editor-field, .step-row")?.classList.add("invalid");
      dialog.querySelector(`[data-field="${slot}"]`)?.setAttribute("aria-invalid", "true");
    }
  }

  function showStatus(said = "") {
    const count = draft.steps.length;
    const rules = checked.edit !== edits ? "checking…"
      : checked.valid ? `✓ the rules hold (${count} steps)` : "✗ fix the fields marked in red";
    const where = stored ? (dirty() ? `stored as “${stored}”, changed since` : `stored as “${stored}”`)
      : "not stored";
    status.textContent = [said, rules, where].filter(Boolean).join(" · ");
    status.classList.toggle("bad", checked.edit === edits && !checked.valid);
  }

  async function refreshListing() {
    try {
      listing = (await sagaApi.list()).answer.sagas || listing;
    } catch { /* offline: the old listing serves */ }
    const option = (label, value) => el("option", { value: JSON.stringify(value) }, label);
    startFrom.replaceChildren(el("option", { value: "", disabled: true }, "…pick one"),
      option("a new saga", null),
      ...listing.map((s) => option(`${s.title || s.name}${s.builtin ? "" : " (stored)"}`,
        { name: s.name })));
    startFrom.value = "";
  }

  /** Load `source` into the draft (see openSagaEditor). */
  async function load(source) {
    const taken = listing.map((s) => s.name);
    let written = null;
    let builtin = false;
    if (source?.name) {
      const result = await sagaApi.get(source.name);
      if (!result.ok) { show(problems(result)); return; }
      ({ written, builtin } = result.answer);
    } else if (source?.definition) {
      const result = await sagaApi.check(source.definition);
      written = result.ok ? result.answer.written : source.definition;
    }
    const mine = written && !builtin && source?.name && sagaTokens.get(source.name);
    draft = !written ? newDraft(taken) : mine ? structuredClone(written) : copyOf(written, taken);
    stored = mine ? source.name : null;
    saved = mine ? structuredClone(written) : null;
    pristine = structuredClone(draft);
    edits = 0;
    checked = { edit: -1, valid: false };
    note.textContent = !written ? "A new saga: name it, give it 2 to 8 steps, then Save or Run."
      : mine ? `“${written.title}” is stored on this server, and this browser holds its key: Save changes it.`
        : `“${written.title}” ${builtin ? "is built in" : "is not yours to change"}: you edit a copy, which Save stores under its own name.`;
    redraw();
  }

  async function save() {
    if (!(await check())) return focusFirstProblem("Save needs a saga that keeps the rules");
    const token = stored && draft.name === stored ? sagaTokens.get(stored) : null;
    const result = await sagaApi.store(draft, token);
    if (!result.ok) {  // a name taken (409) is said at the name
      show(problems(result, result.status === 409 ? "name" : "saga"));
      return focusFirstProblem();
    }
    if (!token) sagaTokens.set(draft.name, result.answer.token);
    stored = draft.name;
    saved = structuredClone(draft);
    store.emit("saga:saved", { saga: result.answer.saga });
    await refreshListing();
    showStatus(`saved “${draft.name}”`);
  }

  async function remove() {
    const name = stored;
    const result = await sagaApi.remove(name, sagaTokens.get(name));
    if (!result.ok && result.status !== 404) { show(problems(result)); return; }
    sagaTokens.drop(name);
    stored = null;
    saved = null;
    store.emit("saga:deleted", { name });
    await refreshListing();
    deleteButton.hidden = true;
    showStatus(`deleted “${name}” from the server; the draft stays here (Save stores it again)`);
  }

  async function exportAs(format) {
    const result = await sagaApi.exportFile(draft, format);
    if (!result.ok) { show(problems(result)); return; }
    saveBlob(result.blob, `${draft.name}.${format}`);
    showStatus(`exported ${draft.name}.${format}`);
  }

  async function importFile() {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (!file) return;
    const format = /\.json$/i.test(file.name) ? "json" : "yaml";
    const result = await sagaApi.importFile(await file.text(), format);
    if (!result.ok) {  // the draft is left as it was
      const said = Object.entries(problems(result)).map(([k, v]) => `${k}: ${v}`).join("; ");
      show({ saga: `${file.name}: ${said}` });
      return;
    }
    const { name } = result.answer.written;
    draft = result.answer.written;
    stored = listing.some((s) => s.name === name && !s.builtin) && sagaTokens.get(name) ? name : null;
    saved = null;
    pristine = null;
    note.textContent = `Imported ${file.name}: ${stored ? "Save replaces the stored saga of that name"
      : "not stored yet (Save stores it)"}.`;
    redraw();
  }

  /** Hand the draft to the form (and start a run with it). */
  async function use(start) {
    if (!(await check())) return focusFirstProblem("a run needs a saga that keeps the rules");
    const name = stored && saved && sameSaga(draft, saved) ? stored : null;
    store.emit("saga:use", { saga: structuredClone(draft), name, start });
    dialog.close();
  }

  function focusFirstProblem(why = "") {
    if (why) showStatus(why);
    (dialog.querySelector("[aria-invalid]") || dialog.querySelector(".invalid input, .invalid select"))
      ?.focus();
  }

  return {
    dialog,
    async open(source) {
      await refreshListing();
      if (!dirty()) await load(source); // a draft with changes stays until the user picks another
      if (!dialog.open) dialog.showModal();
    },
  };
}
