// Receive: choose an open receipt (or start a blind one), scan the dock, then scan items and
// confirm each quantity. Every receipt line goes through the offline queue; the line totals
// shown are the server's, never counted here. The open receipts are kept on the device, so the
// list shows (and a blind receipt can be started) without a connection.
import { OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { confirmDialog } from "./feedback.js";
import { $, clearNode, el, outcome, sameCode, scanStamp, write, wrongScan } from "./flow.js";
import { t } from "./i18n.js";
import { photoCodes } from "./photo_codes.js";
import { idFor, placeholder } from "./refs.js";
import { readJson, writeJson } from "./storage.js";

const RULES = JSON.parse($("receiving-rules").textContent);
const CACHE_KEY = "shipfloor.receipts";
let receipts = readJson(localStorage, CACHE_KEY, []);
let eng = null;
let photo = null;
// Where a carton label's codes fit: its PO number picks the receipt; its item, lot and SSCC are the item step's.
const PHOTO_STEPS = new Set(["pick", "item"]);

function keep(list) {
  receipts = list;
  writeJson(localStorage, CACHE_KEY, list);
  renderReceipts();
}

// A receipt started offline has no id yet: its writes name it by the placeholder of its creation.
const receiptId = (r) => r.id ?? idFor(r.local) ?? placeholder(r.local);
const sameReceipt = (a, b) => receiptId(a) === receiptId(b);

// ---- receipts -------------------------------------------------------------------------------

function receiptLabel(r) {
  return [r.reference, r.supplier, r.blind ? t("blind") : null].filter(Boolean).join(" · ");
}

function renderReceipts() {
  const list = clearNode($("receipt-list"));
  for (const r of receipts) {
    const button = el("button", { cls: "choice", attrs: { type: "button", "data-receipt": r.id ?? r.local } }, [
      el("span", { cls: "choice-title", text: receiptLabel(r) }),
      el("small", { text: t("receipt_items", { n: r.lines?.length ?? 0 }) }),
    ]);
    button.addEventListener("click", () => choose(r));
    list.append(el("li", {}, [button]));
  }
  $("receipts-empty").hidden = receipts.length > 0;
}

async function loadReceipts() {
  let answer;
  try {
    answer = await api.get("/api/receipts?status=open");
  } catch (err) {
    $("receipts-cached").hidden = !(err instanceof OfflineError);
    if (!(err instanceof OfflineError)) showProblem(err);
    return;
  }
  $("receipts-cached").hidden = true;
  const fresh = answer.receipts ?? [];
  // Receipts started offline stay listed until their creation has landed.
  keep([...fresh, ...receipts.filter((r) => r.local && idFor(r.local) == null)]);
  const mine = eng.state.receipt;
  if (!mine) return;
  const now = fresh.find((r) => r.id === receiptId(mine));
  if (now) eng.set({ receipt: now }); // fresh line totals
  else if (mine.id != null && !eng.state.item) eng.reset("pick"); // closed meanwhile
}

function choose(r) {
  outcome(null);
  eng.reset("location", { receipt: r });
}

async function startBlind() {
  $("blind-start").disabled = true;
  const stamp = scanStamp();
  const local = `receipt-${stamp.idempotencyKey}`;
  try {
    const res = await write("/api/receipts/blind", {}, { ...stamp, ref: local }, t("label_blind"));
    if (res.queued) {
      const r = { id: null, local, reference: t("blind_new"), supplier: null, blind: true, lines: [] };
      keep([...receipts, r]);
      choose(r);
      outcome("queued", t("blind_started_offline"));
    } else {
      choose(res.data);
    }
  } catch (err) {
    showProblem(err);
  } finally {
    $("blind-start").disabled = false;
  }
}

async function closeReceipt() {
  const { receipt } = eng.state;
  if (!receipt) return;
  const ref = receipt.reference;
  const sure = await confirmDialog(t("close_confirm", { ref }), { yes: t("close_yes"), no: t("close_no") });
  if (!sure) return;
  try {
    const res = await write(`/api/receipts/${receiptId(receipt)}/close`, {}, scanStamp(), t("label_close", { ref }));
    keep(receipts.filter((r) => !sameReceipt(r, receipt)));
    eng.reset("pick");
    outcome(res.queued ? "queued" : "ok", t(res.queued ? "queued_close" : "receipt_closed", { ref }));
  } catch (err) {
    showProblem(err);
    return;
  }
  loadReceipts();
}

function renderLines(receipt) {
  const body = clearNode($("receipt-lines").tBodies[0]);
  for (const line of receipt?.lines ?? []) {
    const progress = line.expected
      ? t("line_progress", { received: line.received, expected: line.expected })
      : String(line.received);
    const row = el("tr", {}, [el("td", { text: [line.item, line.name].filter(Boolean).join(" · ") }),
      el("td", { cls: "num", text: progress })]);
    if (line.expected && line.received > line.expected) row.dataset.state = "over";
    body.append(row);
  }
  $("receipt-lines").hidden = !body.children.length;
}

// The receipt with the server's totals for one line put in (replacing that item's row).
function withLine(receipt, line) {
  if (!line.item) return receipt;
  const lines = [...(receipt.lines ?? [])];
  const i = lines.findIndex((l) => l.item === line.item);
  const merged = { ...(lines[i] ?? {}), ...line, name: lines[i]?.name ?? line.name };
  if (i >= 0) lines[i] = merged;
  else lines.push(merged);
  return { ...receipt, lines };
}

// ---- what can receive -------------------------------------------------------------------------

// Refuse a storage bin at the scan (A4), by the server's own rule: a dock or staging location, or a
// container standing (maybe nested) on one. Offline, or when the parent can't be looked up, the
// server decides when the receive lands.
async function cannotReceive(loc) {
  if (!loc.kind) return null;
  let base = loc;
  while (RULES.container_kinds.includes(base.kind) && base.parent) {
    try {
      const up = await api.get(`/api/locations/${encodeURIComponent(base.parent)}/stock`);
      base = { code: up.location, kind: up.kind, parent: up.parent };
    } catch {
      return null;
    }
  }
  if (RULES.receiving_kinds.includes(base.kind)) return null;
  return t("not_receiving_location", { code: loc.code, kind: RULES.kind_labels[loc.kind] ?? loc.kind });
}

function flagText(flag, line, item) {
  if (flag === "over_receipt") return t("flag_over_receipt", { received: line.received, expected: line.expected });
  if (flag === "unexpected_item") return t("flag_unexpected_item", { item });
  return t("flag_other", { flag });
}

const itemName = (s) => s.item.sku ?? s.item.raw.trim();
const lotFieldsShown = () => !$("lot-fields").hidden;

function showLotFields(item) {
  const askLot = item.tracksLot && !item.lot;
  const askExpiry = item.tracksExpiry && !item.expiry;
  $("lot").value = "";
  $("expiry").value = "";
  for (const [field, shown] of [["lot", askLot], ["expiry", askExpiry]]) {
    $(field).hidden = !shown;
    $(field).previousElementSibling.hidden = !shown;
  }
  $("lot-fields").hidden = !(askLot || askExpiry);
}

let queuedBefore = 0;

runScreen({
  name: "receive",
  start: "pick",
  initial: () => ({ receipt: null, location: null, plate: null }),
  persist: ["receipt", "location", "plate"], // survives a reload mid-receipt, not a new tab
  resume: (s) => (s.receipt ? (s.location ? "item" : "location") : "pick"),
  restart: { to: "location", keep: ["receipt"] },
  facts: {
    "receipt-ref": (s) => s.receipt?.reference,
    "location-code": (s) => s.location,
    "plate-code": (s) => s.plate,
  },
  steps: {
    pick: {
      prompt: "p_pick_receipt",
      // A receipt's paperwork scanned: its reference, matched against the list on the device.
      raw: (engine, code) => {
        const r = receipts.find((x) => sameCode(x.reference, code));
        if (!r) throw wrongScan(t("unknown_receipt", { code }));
        choose(r);
      },
    },
    location: {
      prompt: "p_receive_location",
      accepts: ["location", "tote"],
      check: (s, scan) => cannotReceive(scan.location),
      then: (s, scan) => ({ location: scan.location.code, plate: null }),
      says: (s) => t("location_set", { code: s.location }),
      next: "item",
    },
    item: {
      prompt: "p_scan_item",
      accepts: ["item", "gs1"],
      item: true,
      // An unknown SSCC is a pallet to receive onto; other GS1 data that names no item is no item.
      check: (s, scan) => (scan.kind === "gs1" && !scan.gs1?.["00"] ? t("not_item", { code: scan.raw.trim() }) : null),
      then: (s, scan) => (scan.kind === "gs1" ? { plate: scan.gs1["00"] } : {}),
      says: (s, scan) => (scan.kind === "gs1" ? t("plate_set", { code: s.plate }) : null),
      next: (s, scan) => (scan.item ? "qty" : "item"),
    },
    qty: {
      prompt: "p_receive_confirm",
      accepts: ["item"],
      countUp: true,
      enter: (engine) => showLotFields(engine.state.item),
      action: "confirm",
      write: (s) => {
        const { item, qty } = s;
        // The screen counts units. The server multiplies qty by the units of the scanned barcode, so a
        // case-pack scan is sent as its SKU (one unit each) with the lot and expiry it carried.
        const casePack = item.known && item.units > 1;
        const body = { code: casePack ? item.sku : item.raw, qty, location: s.location };
        const lot = (lotFieldsShown() ? $("lot").value.trim() : "") || (casePack ? item.lot ?? "" : "");
        const expiry = (lotFieldsShown() ? $("expiry").value : "") || (casePack ? item.expiry ?? "" : "");
        if (lot) body.lot = lot;
        if (expiry) body.expiry = expiry;
        if (s.plate) body.license_plate = s.plate;
        const label = t("label_receive", { qty, item: itemName(s), location: s.location, ref: s.receipt.reference });
        return { path: `/api/receipts/${receiptId(s.receipt)}/receive`, body, label };
      },
      done: (s, data, { body }) => {
        const line = data.line ?? {};
        const flags = data.flags ?? [];
        if (flags.length) return { state: "warn", text: flags.map((f) => flagText(f, line, itemName(s))).join(" ") };
        const key = line.expected ? "received_line" : "received_blind";
        return { text: t(key, { qty: body.qty, item: itemName(s), received: line.received, expected: line.expected }) };
      },
      queued: (s, { body }) => t("queued_receive", { qty: body.qty, item: itemName(s) }),
      after: (s, res) => (res.queued ? {} : { receipt: withLine(s.receipt, { ...res.data.line, name: s.item.name }) }),
      next: "item",
      keep: ["receipt", "location", "plate"],
    },
  },
  buttons: {
    "blind-start": startBlind,
    "close-receipt": closeReceipt,
    "other-receipt": (engine) => {
      engine.reset("pick");
      loadReceipts();
    },
  },
  setup: (engine) => {
    eng = engine;
    photo = photoCodes();
    renderReceipts();
    // Queued receives landed: show the server's totals (and the ids of receipts started offline).
    document.addEventListener("shipfloor:outbox", (e) => {
      if (queuedBefore > 0 && e.detail.count === 0) loadReceipts();
      queuedBefore = e.detail.count;
    });
    loadReceipts();
  },
  render: (engine, step) => {
    $("pick-step").hidden = step !== "pick";
    $("work-step").hidden = step === "pick";
    photo.show(PHOTO_STEPS.has(step));
    if (step !== "pick") renderLines(engine.state.receipt);
  },
});
