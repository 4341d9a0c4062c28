// Light and dark theme, remembered per browser; `onChange` redraws canvases and charts.

const KEY = "saga-lab:theme";

function apply(theme, button) {
  document.documentElement.dataset.theme = theme;
  button.textContent = theme === "dark" ? "☀ light" : "☾ dark";
}

/** Apply the stored (or the system's) theme and wire the toggle button. */
export function initTheme(button, onChange = () => {}) {
  const stored = localStorage.getItem(KEY);
  const system = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  apply(stored || document.documentElement.dataset.theme || system, button);
  button.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    localStorage.setItem(KEY, next);
    apply(next, button);
    onChange(next);
  });
}
