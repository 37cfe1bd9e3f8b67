// Receive: choose an open receipt (or start a blind one), scan the dock, then scan items and
// confirm each quantity. Every receipt line goes through the offline queue; the line totals
// shown are the server's, never counted here.
import { ApiProblem, api, showProblem } from "./api.js";
import { confirmDialog, isBlocking, nudge } from "./feedback.js";
import {
  $, Stepper, clearNode, el, itemFrom, locationOf, outcome, prompt, refocus, resolveScan, sameCode, sameItem,
  scanStamp, sequential, setFact, showItem, write, wrongScan,
} from "./flow.js";
import { t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";

const STATE_KEY = "shipfloor.receive"; // survives a reload mid-receipt, not a new tab
const PROMPTS = { pick: "p_pick_receipt", location: "p_receive_location", item: "p_scan_item", qty: "p_receive_confirm" };

let step = "pick";
let receipts = [];
let receipt = null; // the server's receipt object
let location = null; // dock / staging / container code
let plate = null; // SSCC of an unknown pallet being received onto
let pending = null; // {item, stamp}: scanned, quantity not confirmed yet
let sending = false;
const stepper = new Stepper();

function save() {
  sessionStorage.setItem(STATE_KEY, JSON.stringify({ receipt, location, plate }));
}

function restore() {
  try {
    ({ receipt = null, location = null, plate = null } = JSON.parse(sessionStorage.getItem(STATE_KEY)) ?? {});
  } catch {
    receipt = null;
  }
}

function go(next) {
  step = next;
  $("receive-screen").dataset.step = step;
  prompt(t(PROMPTS[step]));
  $("pick-step").hidden = step !== "pick";
  $("work-step").hidden = step === "pick";
  $("item-card").hidden = step !== "qty";
  setFact("receipt-ref", receipt?.reference);
  setFact("location-code", location);
  setFact("plate-code", plate);
  if (step !== "pick") renderLines();
  refocus();
}

// ---- receipts -------------------------------------------------------------------------------

function receiptLabel(r) {
  return [r.reference, r.supplier, r.blind ? t("blind") : null].filter(Boolean).join(" · ");
}

function renderReceipts() {
  const list = clearNode($("receipt-list"));
  for (const r of receipts) {
    const button = el("button", { cls: "choice", attrs: { type: "button", "data-receipt": r.id } }, [
      el("span", { cls: "choice-title", text: receiptLabel(r) }),
      el("small", { text: t("receipt_items", { n: r.lines?.length ?? 0 }) }),
    ]);
    button.addEventListener("click", () => choose(r));
    list.append(el("li", {}, [button]));
  }
  $("receipts-empty").hidden = receipts.length > 0;
}

async function loadReceipts() {
  try {
    const answer = await api.get("/api/receipts?status=open");
    receipts = answer.receipts ?? [];
  } catch (err) {
    showProblem(err);
    return;
  }
  renderReceipts();
  if (receipt) {
    // Fresh line totals for the receipt in hand, or back to the list if it was closed meanwhile.
    const fresh = receipts.find((r) => r.id === receipt.id);
    if (fresh) {
      receipt = fresh;
      save();
      if (step !== "pick") renderLines();
    } else if (!pending) {
      leave();
    }
  }
}

function choose(r) {
  receipt = r;
  location = null;
  plate = null;
  pending = null;
  save();
  outcome(null);
  go("location");
}

function leave() {
  receipt = null;
  location = null;
  plate = null;
  pending = null;
  save();
  go("pick");
}

function renderLines() {
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

async function startBlind() {
  if (navigator.onLine === false) {
    showProblem(new ApiProblem({ status: 0, title: t("offline"), detail: t("blind_needs_network") }));
    return;
  }
  $("blind-start").disabled = true;
  try {
    const res = await write("/api/receipts/blind", {}, scanStamp());
    if (res.queued) outcome("queued", t("blind_queued"));
    else choose(res.data);
  } catch (err) {
    showProblem(err);
  } finally {
    $("blind-start").disabled = false;
  }
}

async function closeReceipt() {
  if (!receipt) return;
  const ref = receipt.reference;
  const sure = await confirmDialog(t("close_confirm", { ref }), { yes: t("close_yes"), no: t("close_no") });
  if (!sure) return;
  try {
    const res = await write(`/api/receipts/${receipt.id}/close`, {}, scanStamp());
    outcome(res.queued ? "queued" : "ok", t(res.queued ? "queued_close" : "receipt_closed", { ref }));
  } catch (err) {
    showProblem(err);
    return;
  }
  receipts = receipts.filter((r) => r.id !== receipt.id);
  leave();
  renderReceipts();
  loadReceipts();
}

// ---- scans ------------------------------------------------------------------------------------

function setLocation(code) {
  location = code;
  save();
  outcome("ok", t("location_set", { code }));
  go("item");
}

async function onScan(code) {
  if (step === "pick") {
    const r = receipts.find((x) => sameCode(x.reference, code));
    if (!r) throw wrongScan(t("unknown_receipt", { code }));
    choose(r);
    return;
  }
  const answer = await resolveScan(code);
  const loc = locationOf(answer);
  if (step === "location") {
    if (!loc && answer.kind !== "unknown") throw wrongScan(t("not_location", { code }));
    setLocation(loc?.code ?? code.trim());
    return;
  }
  // Item step (or a quantity waiting): an item adds to the count, a location or pallet changes where.
  if (loc) {
    if (pending) throw wrongScan(t("finish_item_first", { item: pending.item.name ?? pending.item.raw }));
    setLocation(loc.code);
    return;
  }
  if (answer.kind === "gs1" && answer.gs1?.["00"]) {
    plate = answer.gs1["00"];
    save();
    outcome("ok", t("plate_set", { code: plate }));
    go(step);
    return;
  }
  if (answer.kind !== "item" && answer.kind !== "unknown") throw wrongScan(t("not_item", { code }));
  const item = itemFrom(answer, code);
  if (pending && sameItem(pending.item, item)) {
    stepper.set(stepper.value + item.units);
    outcome(null);
    return;
  }
  if (pending) throw wrongScan(t("finish_item_first", { item: pending.item.name ?? pending.item.raw }));
  pending = { item, stamp: scanStamp() };
  stepper.set(item.units, { quiet: true });
  showItem(item);
  const askLot = item.tracksLot && !item.lot;
  const askExpiry = item.tracksExpiry && !item.expiry;
  $("lot").value = "";
  $("expiry").value = "";
  $("lot").hidden = !askLot;
  $("lot").previousElementSibling.hidden = !askLot;
  $("expiry").hidden = !askExpiry;
  $("expiry").previousElementSibling.hidden = !askExpiry;
  $("lot-fields").hidden = !(askLot || askExpiry);
  outcome(null);
  go("qty");
}

function flagText(flag, line, item) {
  if (flag === "over_receipt") return t("flag_over_receipt", { received: line.received, expected: line.expected });
  if (flag === "unexpected_item") return t("flag_unexpected_item", { item });
  return t("flag_other", { flag });
}

async function confirm() {
  if (!pending || sending) return;
  const { item, stamp } = pending;
  const qty = stepper.value;
  // The screen counts units. The server multiplies qty by the units of the scanned barcode, so a
  // case-pack scan is sent as its SKU (one unit each) with the lot and expiry it carried.
  const casePack = item.known && item.units > 1;
  const body = { code: casePack ? item.sku : item.raw, qty, location };
  const lot = ($("lot-fields").hidden ? "" : $("lot").value.trim()) || (casePack ? item.lot ?? "" : "");
  const expiry = ($("lot-fields").hidden ? "" : $("expiry").value) || (casePack ? item.expiry ?? "" : "");
  if (lot) body.lot = lot;
  if (expiry) body.expiry = expiry;
  if (plate) body.license_plate = plate;
  const name = item.sku ?? item.raw.trim();
  sending = true;
  $("confirm").disabled = true;
  try {
    const res = await write(`/api/receipts/${receipt.id}/receive`, body, stamp);
    pending = null;
    if (res.queued) {
      outcome("queued", t("queued_receive", { qty, item: name }));
    } else {
      const line = res.data.line ?? {};
      updateLine({ ...line, name: item.name });
      const flags = res.data.flags ?? [];
      if (flags.length) {
        outcome("warn", flags.map((f) => flagText(f, line, name)).join(" "));
      } else {
        const key = line.expected ? "received_line" : "received_blind";
        outcome("ok", t(key, { qty, item: name, received: line.received, expected: line.expected }));
      }
    }
    go("item");
  } catch (err) {
    // Refused: the work is still in hand; a corrected try is a new request with a new key.
    pending = { item, stamp: scanStamp() };
    showProblem(err);
  } finally {
    sending = false;
    $("confirm").disabled = false;
  }
}

// Put the server's line totals into the table (replacing that item's row).
function updateLine(line) {
  if (!receipt || !line.item) return;
  const lines = receipt.lines ?? [];
  const i = lines.findIndex((l) => l.item === line.item);
  const merged = { ...(lines[i] ?? {}), ...line, name: lines[i]?.name ?? line.name };
  if (i >= 0) lines[i] = merged;
  else lines.push(merged);
  receipt.lines = lines;
  save();
}

function start() {
  if (!initShell()) return;
  restore();
  initScanner($("scan"), sequential(onScan, { isBlocking, nudge, showProblem }));
  $("blind-start").addEventListener("click", startBlind);
  $("confirm").addEventListener("click", confirm);
  $("cancel-item").addEventListener("click", () => {
    pending = null;
    outcome(null);
    go("item");
  });
  $("close-receipt").addEventListener("click", closeReceipt);
  $("other-receipt").addEventListener("click", () => {
    leave();
    loadReceipts();
  });
  go(receipt ? (location ? "item" : "location") : "pick");
  loadReceipts();
}

start();
