// Audience: the share link (read-only view of the same run) and the viewer banner.

import { el } from "./util.js";

/** The share box of `store`'s run, built into `root`. */
export function createShare(root, store) {
  const link = el("input#share-link", { type: "text", readOnly: true,
    "aria-label": "share link (read-only view)" });
  const copy = el("button.small#share-copy", { type: "button", onclick: async () => {
    link.select();
    try { await navigator.clipboard.writeText(link.value); copy.textContent = "copied ✓"; } catch {
      document.execCommand("copy");
    }
  } }, "copy");
  const box = el("span.share-box", { hidden: true }, el("span.label", {}, "Share"), link, copy);
  const viewer = el("span.viewer-badge#viewer-badge", { hidden: true }, "◉ read-only view · ",
    el("a", { href: "/" }, "start your own run"));
  root.append(box, viewer);
  store.on("run:joined", ({ runId, controller }) => {
    link.value = `${location.origin}/runs/${runId}`;
    box.hidden = !controller;
    viewer.hidden = controller;
    copy.textContent = "copy";
    document.body.classList.toggle("viewer", !controller);
  });
}
