// Set the theme before the first paint so the page never flashes the wrong colours: a classic
// script the <head> loads synchronously (the Content-Security-Policy allows no inline script).
document.documentElement.dataset.theme = localStorage.getItem("saga-lab:theme") ||
  (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
