// UI text for scripts. The server renders it (translated) into <script id="i18n">, so the
// JavaScript holds keys only and one translation catalogue serves pages and scripts.
// Plural messages come from <script id="i18n-plural">: the catalogue's ngettext rendered for a few
// sample counts, so that Intl.PluralRules can pick the right form for any count in any language.
let strings = null;
let samples = [];

function readJson(id) {
  const el = document.getElementById(id);
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch {
    return {};
  }
}

function load() {
  const plural = readJson("i18n-plural");
  samples = Array.isArray(plural.samples) ? plural.samples : [];
  return { ...readJson("i18n"), ...(plural.forms ?? {}) };
}

// The page's language (the server sets <html lang>), for plural rules and dates.
export const lang = () => document.documentElement.lang || undefined;

let rules = null;

// The form of a plural message for n: the one rendered for a sample count of the same plural
// category (CLDR: one, few, many, other...), as the catalogue's ngettext chose it.
function pluralForm(forms, n) {
  rules ??= new Intl.PluralRules(lang());
  const want = rules.select(Number(n));
  const i = samples.findIndex((sample) => rules.select(sample) === want);
  return forms[i >= 0 ? i : forms.length - 1];
}

export function has(key) {
  strings ??= load();
  return key in strings;
}

// t("refused_title", {what: "Move…"}) fills {what}; a plural message picks its form by {n}. An
// unknown key shows itself, which is easier to spot on a device than an empty label.
export function t(key, params = {}) {
  strings ??= load();
  let text = strings[key] ?? key;
  if (Array.isArray(text)) text = pluralForm(text, params.n ?? 0);
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// A calendar date in the page's language ("Dec 31, 2027"). Takes a Date or an ISO date string
// (read as a local date: "2027-12-31" must not become Dec 30 west of Greenwich).
export function formatDate(value) {
  let date = value;
  if (typeof value === "string") {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!m) return value;
    date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  }
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return String(value ?? "");
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium" }).format(date);
}
