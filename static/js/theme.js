// Light and dark theme, remembered per browser; views redraw their canvases on `theme`.

import { emit } from "./bus.js";

const KEY = "saga-lab:theme";

function apply(theme) {
  document.documentElement.dataset.theme = theme;
  const button = document.getElementById("theme-toggle");
  if (button) button.textContent = theme === "dark" ? "☀ light" : "☾ dark";
  emit("theme", { theme });
}

/** Apply the stored (or the system's) theme and wire the toggle button. */
export function initTheme(button) {
  const stored = localStorage.getItem(KEY);
  const system = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  apply(stored || document.documentElement.dataset.theme || system);
  button.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    localStorage.setItem(KEY, next);
    apply(next);
  });
}
