// Pieces the scan-driven task screens (receive, put away, move) share: what a scan is, the
// quantity stepper, the outcome banner, queued writes and the reason chooser. No stock maths
// here: screens show what the server answers and nothing else (STYLE §8).
import { ApiProblem, OfflineError, api } from "./api.js";
import { attentionBeep, goodBeep, hideOverlay, onTap, showOverlay } from "./feedback.js";
import { formatDate, t } from "./i18n.js";
import { uuid } from "./session.js";
import { putNewest, readJson } from "./storage.js";

export const $ = (id) => document.getElementById(id);

// ---- what was scanned ---------------------------------------------------------------------

// Codes resolved earlier in this tab, so that a scan made offline can still be recognised
// (a tote seen an hour ago is still a tote). Kept per tab; the server stays the authority.
const KNOWN_KEY = "shipfloor.known";
const KNOWN_MAX = 200;

const known = () => readJson(sessionStorage, KNOWN_KEY, {});
const remember = (code, answer) => putNewest(sessionStorage, KNOWN_KEY, code, answer, KNOWN_MAX);

const CONTAINER_KINDS = new Set(["tote", "cart", "pallet", "carton"]);

// The screen a scan is made on, as the server logs it (<body data-page>: "pick", "lookup"...), if it reads as one.
const thisScreen = () => {
  const page = document.body?.dataset.page ?? "";
  return /^[a-z][a-z0-9_-]{0,15}$/.test(page) ? page : null;
};

// Resolve a scan through POST /api/scan. Offline, answer {kind: "unknown", offline: true} (or
// what this tab learned about the code before): the screen then trusts the step it is on.
// Refusals (unknown code, bad check digit) are thrown as ApiProblem for the screen to show; the
// server logs them with the screen they were made on.
export async function resolveScan(code, screen = thisScreen()) {
  try {
    const answer = await api.post("/api/scan", screen ? { code, screen } : { code });
    remember(code, answer);
    return answer;
  } catch (err) {
    if (!(err instanceof OfflineError)) throw err;
    return { ...(known()[code] ?? { kind: "unknown" }), offline: true };
  }
}

// The location a scan names (a bin, a dock, a tote...), or null when it is something else.
export function locationOf(answer) {
  if (answer.kind === "location" || answer.kind === "tote") return answer[answer.kind];
  return null;
}

export function isContainer(answer) {
  const loc = locationOf(answer);
  return Boolean(loc) && (answer.kind === "tote" || CONTAINER_KINDS.has(loc.kind));
}

// A code the server will understand for a location: its canonical code when known, else the scan.
export const locationCode = (answer, raw) => locationOf(answer)?.code ?? raw.trim();

// An item scan as the screens keep it: the server's view when online, the raw code offline.
export function itemFrom(answer, raw) {
  const item = answer.kind === "item" ? answer.item : null;
  return {
    raw,
    code: item?.sku ?? raw.trim(), // what moves and put-aways send as "item"
    sku: item?.sku ?? null,
    name: item?.name ?? null,
    units: Math.max(1, Number(item?.units) || 1),
    lot: item?.lot ?? null,
    expiry: item?.expiry ?? null,
    tracksLot: Boolean(item?.tracks_lot),
    tracksExpiry: Boolean(item?.tracks_expiry),
    known: Boolean(item),
  };
}

// Same item again? Offline scans are compared by what was scanned.
export function sameItem(a, b) {
  if (a.sku && b.sku) return a.sku === b.sku;
  return a.raw.trim() === b.raw.trim();
}

export const sameCode = (a, b) => String(a ?? "").trim().toUpperCase() === String(b ?? "").trim().toUpperCase();

// A scan that does not fit the step: a plain problem the error overlay shows as usual. `expected` (what the
// step wanted: a bin, an item, a tote) and `reason` (a code: "wrong_location") go into the error-scan log.
export function wrongScan(detail, { expected = null, reason = null } = {}) {
  const problem = new ApiProblem({ status: 0, code: "wrong_scan", title: t("wrong_scan"), detail, expected });
  problem.reason = reason;
  return problem;
}

const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

// Log a scan a screen refused (POST /api/scans/refusals) as an error scan for the supervisor, with what the step
// expected. `kind` only when /api/scan resolved the code: that scan was logged already, so the server counts this
// one as an error, not as a second scan. Nobody waits for it. Online it goes straight out, so the worker's queue
// (and the screens that refresh when it drains) never sees it; without an answer it waits in the queue with the
// same key (the server logs it once either way), as an optional write: dropped if refused, never blocking.
export function reportWrongScan(scan, screen, problem, fallback) {
  const path = "/api/scans/refusals";
  const body = {
    code: scan.raw.slice(0, 512),
    screen,
    expected: String(problem.expected ?? fallback).replace(CONTROL, " ").slice(0, 128) || "?",
    reason: problem.reason ?? "wrong_scan",
  };
  if (!scan.offline && scan.kind !== "unknown") body.kind = scan.kind;
  const stamp = scanStamp();
  const queue = () => api.enqueueWrite("POST", path, body, stamp, { optional: true }).catch(() => {});
  if (navigator.onLine === false) {
    queue();
    return;
  }
  api.post(path, body, stamp).catch((err) => {
    const unanswered = err instanceof OfflineError || (err instanceof ApiProblem && err.status >= 500);
    if (unanswered || err?.code === "request_in_progress") queue();
  });
}

// ---- writes -------------------------------------------------------------------------------

// Made when the confirming scan is made, so a resend of the same work carries the same key.
export function scanStamp() {
  return { idempotencyKey: uuid(), scannedAt: new Date().toISOString() };
}

// Queue a write and wait for its fate: {queued: true} (it goes out later by itself) or
// {queued: false, data}. A refusal while we wait is thrown as ApiProblem. `label` says the action in
// words for the refused-write dialog; `stamp.ref` names the answer's id for later queued paths.
export async function write(path, body, stamp, label) {
  const answer = await api.enqueueWrite("POST", path, body, stamp, { label });
  if (answer && answer.queued === true && Object.keys(answer).length === 1) return { queued: true };
  return { queued: false, data: answer };
}

// ---- on screen ----------------------------------------------------------------------------

// The big line under the prompt that says what just happened: ok, warn (amber), queued.
export function outcome(state, text) {
  const el = $("outcome");
  if (!state) {
    el.hidden = true;
    return;
  }
  el.dataset.state = state;
  el.textContent = text;
  el.hidden = false;
  if (state === "warn") attentionBeep();
  else goodBeep();
}

export function prompt(text) {
  $("prompt").textContent = text;
}

export function clearNode(el) {
  el.replaceChildren();
  return el;
}

export function el(tag, { cls, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

// Give the scan field its focus back (after a tap on a button or the quantity field).
export function refocus() {
  document.dispatchEvent(new Event("shipfloor:refocus"));
}

// The quantity: a big number with − and + buttons, and typing for large counts.
export class Stepper {
  constructor({ input = "qty", minus = "qty-minus", plus = "qty-plus", onChange = () => {} } = {}) {
    this.input = $(input);
    this.onChange = onChange;
    onTap($(minus), () => this.set(this.value - 1));
    onTap($(plus), () => this.set(this.value + 1));
    this.input.addEventListener("change", () => this.set(this.input.value));
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.input.blur(); // back to the scan field: the next scan must not land in here
      }
    });
    this.input.addEventListener("blur", () => {
      this.set(this.input.value);
      setTimeout(refocus, 0);
    });
  }

  get value() {
    const n = Number.parseInt(this.input.value, 10);
    return Number.isFinite(n) && n > 0 ? n : 1;
  }

  set(n, { quiet = false } = {}) {
    const before = this.input.dataset.value;
    const v = Math.max(1, Math.min(999999, Number.parseInt(n, 10) || 1));
    this.input.value = String(v);
    this.input.dataset.value = String(v);
    if (!quiet && before !== String(v)) this.onChange(v);
  }
}

// Why the bin differs from the suggestion: big buttons, one tap. Resolves a reason code,
// or null when the worker cancels.
export function chooseReason() {
  const box = $("reason-overlay");
  showOverlay(box);
  return new Promise((resolve) => {
    const done = (reason) => {
      hideOverlay(box);
      resolve(reason);
    };
    for (const button of box.querySelectorAll("[data-reason]")) {
      onTap(button, () => done(button.dataset.reason));
    }
    onTap($("reason-cancel"), () => done(null));
  });
}

// Fill the item card: name large, SKU (or the raw scan when offline), lot and expiry if scanned.
export function showItem(item) {
  $("item-name").textContent = item.name ?? item.raw.trim();
  const code = item.known ? item.sku : t("unchecked");
  $("item-code").textContent = item.units > 1 ? `${code} · ${t("units_per_scan", { n: item.units })}` : code;
  const lot = [
    item.lot && t("lot_is", { lot: item.lot }),
    item.expiry && t("expiry_is", { expiry: formatDate(item.expiry) }),
  ]
    .filter(Boolean)
    .join(" · ");
  $("item-lot").textContent = lot;
  $("item-lot").hidden = !lot;
  $("item-card").hidden = false;
}

// Show one fact row (hidden when the value is empty).
export function setFact(id, value) {
  $(id).textContent = value ?? "";
  $(`${id}-row`).hidden = !value;
}

// "What is here now" under a location, as the server says (GET /api/locations/<code>/stock).
// Offline, or for an unknown code, the list just stays hidden: it is a help, not a step.
export async function showLocationStock(code) {
  const box = $("from-stock");
  const list = $("from-items");
  box.hidden = true;
  if (!code || navigator.onLine === false) return;
  let stock;
  try {
    stock = await api.get(`/api/locations/${encodeURIComponent(code)}/stock`);
  } catch {
    return;
  }
  clearNode(list);
  for (const line of stock.items ?? []) {
    const what = [line.item, line.name, line.lot && t("lot_is", { lot: line.lot })].filter(Boolean).join(" · ");
    list.append(el("li", { text: t("stock_line", { qty: line.qty, item: what }) }));
  }
  for (const container of stock.containers ?? []) list.append(el("li", { cls: "container", text: container }));
  if (!list.children.length) list.append(el("li", { cls: "note", text: t("nothing_here") }));
  box.hidden = false;
}

// Run scans one after the other (a fast worker can scan before the last answer came back);
// while an error waits to be read, later scans are refused with a nudge.
export function sequential(handler, { isBlocking, nudge, showProblem }) {
  let chain = Promise.resolve();
  return ({ code }) => {
    chain = chain.then(async () => {
      if (isBlocking()) {
        nudge();
        return;
      }
      try {
        await handler(code);
      } catch (err) {
        showProblem(err); // not awaited: the next scan must not wait for the tap
      }
    });
    return chain;
  };
}
