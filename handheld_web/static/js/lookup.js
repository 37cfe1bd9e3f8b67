// Scan anything and show what it is: for an item, where it is (bins, quantity, lot, expiry); for a
// location, what it holds. Reads only (POST /api/scan, GET stock), so nothing is queued: offline,
// the screen says plainly that Look up needs the network.
import { OfflineError, api, showProblem } from "./api.js";
import { attentionBeep, goodBeep } from "./feedback.js";
import { formatDate, has, t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";

const $ = (id) => document.getElementById(id);

// Facts worth showing large, per kind, in this order; other kinds show every plain field.
const KEY_FIELDS = {
  item: ["sku", "name", "barcodes"],
  location: ["code", "zone", "kind", "parent", "blocked"],
};

// GS1 AIs whose data is a date, YYMMDD (GS1 General Specifications 3.4 and 3.9).
const GS1_DATE_AIS = new Set(["11", "12", "13", "15", "16", "17", "4326", "7006"]);
// ... and YYMMDDHHMM, shown as the date only.
const GS1_DATE_TIME_AIS = new Set(["4324", "4325", "7003"]);

// A label from the i18n block, or the server's own word when the page has none.
function label(prefix, key) {
  return has(`${prefix}_${key}`) ? t(`${prefix}_${key}`) : key;
}

function show(value) {
  if (Array.isArray(value)) return value.map(show).join("\n");
  if (typeof value === "boolean") return value ? t("yes") : "";
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// YYMMDD → a Date, or null when it is no date. The century is the one that puts the year within
// 49 years back and 50 ahead of this year; day 00 means the last day of the month (GS1 §7.12).
function gs1Date(yymmdd, today = new Date()) {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd);
  if (!m) return null;
  const [yy, month, day] = m.slice(1).map(Number);
  const thisYear = today.getFullYear();
  const diff = yy - (thisYear % 100);
  const year = thisYear - (thisYear % 100) + yy + (diff >= 51 ? -100 : diff <= -50 ? 100 : 0);
  if (month < 1 || month > 12) return null;
  const last = new Date(year, month, 0).getDate();
  if (day > last) return null;
  return new Date(year, month - 1, day || last);
}

function gs1Value(ai, value) {
  const date = GS1_DATE_AIS.has(ai) || GS1_DATE_TIME_AIS.has(ai) ? gs1Date(String(value).slice(0, 6)) : null;
  return date ? formatDate(date) : value;
}

function addFact(dl, term, value, cls = "") {
  const text = value === undefined || value === null ? "" : show(value);
  if (text === "") return;
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = term;
  dd.textContent = text;
  if (cls) dd.className = cls;
  dl.append(dt, dd);
}

function addGs1(dl, fields, cls = "") {
  for (const [ai, value] of Object.entries(fields)) {
    addFact(dl, `(${ai}) ${label("ai", ai)}`, gs1Value(ai, value), cls);
  }
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
  $("lookup-offline").hidden = true;
  $("lookup-result").hidden = false;
}

// ---- stock: where an item is, what a location holds --------------------------------------------

function stockLine({ qty, what, lot, expiry }) {
  const li = document.createElement("li");
  const part = (cls, text) => {
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    li.append(span);
  };
  if (qty !== undefined) part("stock-qty", String(qty));
  part("stock-what", what);
  const detail = [lot && t("lot_is", { lot }), expiry && t("expiry_is", { expiry: formatDate(expiry) })];
  if (detail.some(Boolean)) part("stock-detail", detail.filter(Boolean).join(" · "));
  return li;
}

// What to ask the server for this answer, or null when it has no stock to show.
function stockRequest(answer) {
  if (answer.kind === "item" && answer.item?.sku) {
    return { path: `/api/stock?item=${encodeURIComponent(answer.item.sku)}`, title: t("stock_where") };
  }
  const loc = answer.kind === "location" || answer.kind === "tote" ? answer[answer.kind] : null;
  if (!loc?.code) return null;
  return { path: `/api/locations/${encodeURIComponent(loc.code)}/stock`, title: t("stock_here") };
}

function stockNote(text) {
  $("stock-note").textContent = text;
  $("stock-note").hidden = !text;
}

async function showStock(answer, mine) {
  const box = $("stock");
  const request = stockRequest(answer);
  box.hidden = !request;
  if (!request) return;
  $("stock-title").textContent = request.title;
  let stock;
  try {
    stock = await api.get(request.path);
  } catch (err) {
    if (mine !== latest) return;
    $("stock-lines").replaceChildren();
    $("stock-total").hidden = true;
    stockNote(err instanceof OfflineError ? t("stock_offline") : err.detail || t("request_failed"));
    return;
  }
  if (mine !== latest) return;
  let lines;
  if (answer.kind === "item") {
    lines = (stock.locations ?? []).map((l) => stockLine({ ...l, what: l.location }));
    const total = { on_hand: stock.on_hand ?? 0, available: stock.available ?? 0 };
    $("stock-total").textContent = t("stock_total", total);
    $("stock-total").hidden = !lines.length;
  } else {
    const what = (i) => [i.item, i.name].filter(Boolean).join(" · ");
    lines = (stock.items ?? []).map((i) => stockLine({ ...i, what: what(i) }));
    lines.push(...(stock.containers ?? []).map((code) => stockLine({ what: code })));
    $("stock-total").hidden = true;
  }
  $("stock-lines").replaceChildren(...lines);
  stockNote(lines.length ? "" : t(answer.kind === "item" ? "stock_none" : "nothing_here"));
}

// ---- scans -------------------------------------------------------------------------------------

let latest = 0; // answers can overtake each other on bad Wi-Fi; only the last scan's counts
let shown = null; // the answer on screen, to refresh its stock when queued writes land

async function onScan({ code }) {
  const mine = ++latest;
  try {
    const answer = await api.post("/api/scan", { code });
    if (mine !== latest) return;
    render(code, answer);
    shown = answer;
    goodBeep();
    await showStock(answer, mine);
  } catch (err) {
    if (mine !== latest) return;
    shown = null;
    $("lookup-result").hidden = true;
    if (err instanceof OfflineError) {
      // Not the worker's mistake: no red screen to tap away, just say it.
      $("lookup-hint").hidden = true;
      $("lookup-offline").textContent = t("lookup_offline");
      $("lookup-offline").hidden = false;
      attentionBeep();
      return;
    }
    $("lookup-offline").hidden = true;
    $("lookup-hint").hidden = false;
    await showProblem(err);
  }
}

if (initShell()) {
  initScanner($("scan"), onScan);
  document.addEventListener("shipfloor:landed", () => shown && showStock(shown, latest));
}
