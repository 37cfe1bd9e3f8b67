// Scan anything and show what it is. A read (POST /api/scan), so it is never queued: offline,
// the worker is told to scan again where the network works.
import { api, showProblem } from "./api.js";
import { goodBeep } from "./feedback.js";
import { t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";

const $ = (id) => document.getElementById(id);

// Facts worth showing large, per kind, in this order; other kinds show every plain field.
const KEY_FIELDS = {
  item: ["sku", "name", "barcodes"],
  location: ["code", "zone", "kind", "parent"],
};

// A label from the i18n block, or the server's own word when the page has none.
function label(prefix, key) {
  const text = t(`${prefix}_${key}`);
  return text === `${prefix}_${key}` ? key : text;
}

function show(value) {
  if (Array.isArray(value)) return value.map(show).join("\n");
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function addFact(dl, term, value, cls = "") {
  if (value === undefined || value === null || value === "") return;
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = term;
  dd.textContent = show(value);
  if (cls) dd.className = cls;
  dl.append(dt, dd);
}

function addGs1(dl, fields, cls = "") {
  for (const [ai, value] of Object.entries(fields)) addFact(dl, `(${ai}) ${label("ai", ai)}`, value, cls);
}

function render(code, answer) {
  const { kind } = answer;
  const facts = $("result-facts");
  facts.replaceChildren();
  $("result-kind").textContent = label("kind", kind);
  const obj = answer[kind] && typeof answer[kind] === "object" ? answer[kind] : {};
  if (kind === "gs1") {
    // The GS1 fields are the whole answer; show them as "(AI) name".
    addGs1(facts, obj, "key");
  } else {
    const plain = (k) => typeof obj[k] !== "object" || Array.isArray(obj[k]);
    const keys = KEY_FIELDS[kind] ?? Object.keys(obj).filter(plain);
    keys.forEach((k, i) => addFact(facts, label("field", k), obj[k], i === 0 ? "key" : ""));
    // GS1 input resolved to an item or package still carries its fields (lot, expiry...).
    if (answer.gs1 && typeof answer.gs1 === "object") {
      addGs1(facts, answer.gs1);
    }
  }
  $("result-code").textContent = t("scanned_code", { code: code.replaceAll("\x1d", "<GS>") });
  $("lookup-hint").hidden = true;
  $("lookup-result").hidden = false;
}

let latest = 0; // answers can overtake each other on bad Wi-Fi; only the last scan's counts

async function onScan({ code }) {
  const mine = ++latest;
  try {
    const answer = await api.post("/api/scan", { code });
    if (mine !== latest) return;
    render(code, answer);
    goodBeep();
  } catch (err) {
    if (mine !== latest) return;
    $("lookup-result").hidden = true;
    $("lookup-hint").hidden = false;
    await showProblem(err);
  }
}

if (initShell()) initScanner($("scan"), onScan);
