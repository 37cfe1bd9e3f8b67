// UI text for scripts. The server renders it (translated) into <script id="i18n">, so the
// JavaScript holds keys only and one translation catalogue serves pages and scripts.
let strings = null;

function load() {
  const el = document.getElementById("i18n");
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch {
    return {};
  }
}

// t("refused_what", {method: "POST"}) fills {method}; an unknown key shows itself, which
// is easier to spot on a device than an empty label.
export function t(key, params = {}) {
  strings ??= load();
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}
