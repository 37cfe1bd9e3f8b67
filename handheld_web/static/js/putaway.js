// Put away: scan where the goods stand (the dock), scan the item, set the quantity; the server
// suggests a bin, shown huge; scanning that bin confirms. Another bin needs a reason.
import { ApiProblem, OfflineError, api, showProblem } from "./api.js";
import { isBlocking, nudge } from "./feedback.js";
import {
  $, Stepper, chooseReason, itemFrom, locationCode, locationOf, outcome, prompt, refocus, resolveScan, sameCode,
  scanStamp, sequential, setFact, showItem, showLocationStock, write, wrongScan, countUpSameItem,
} from "./flow.js";
import { t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";

let step = "from";
let from = null;
let pending = null; // {item}
// The server's suggestion for the item in hand: {suggested, why, known}; known false = no answer.
let suggestion = null;
let suggesting = null; // the request in flight, awaited before a bin scan is judged
let asked = 0;
let timer = null; // a quantity change waiting to be asked about

const stepper = new Stepper({ onChange: () => askSoon() });

function go(next) {
  step = next;
  $("putaway-screen").dataset.step = step;
  setFact("from-code", from);
  $("item-card").hidden = step !== "to";
  $("target").hidden = step !== "to";
  $("restart").hidden = step === "from";
  if (step === "from") prompt(t("p_putaway_from"));
  else if (step === "item") prompt(t("p_scan_item"));
  else renderTarget();
  refocus();
}

function renderTarget() {
  const s = suggestion;
  const has = Boolean(s?.suggested);
  $("suggested").textContent = has ? s.suggested : "";
  $("suggested").hidden = !has;
  $("suggested-why").textContent = !s ? "" : has || (s.known && s.why) ? s.why : t(s.known ? "suggest_none" : "suggest_offline");
  prompt(t(has || !s ? "p_putaway_bin" : "p_putaway_any_bin"));
}

// Ask the server where this quantity should go; the latest question wins.
function ask() {
  clearTimeout(timer);
  timer = null;
  if (!pending) return Promise.resolve();
  const mine = ++asked;
  const qs = new URLSearchParams({ item: pending.item.code, qty: String(stepper.value), from });
  $("target").dataset.state = "asking";
  suggesting = (async () => {
    let next;
    try {
      const answer = await api.get(`/api/putaway/suggestion?${qs}`);
      next = { suggested: answer.suggested ?? null, why: answer.why ?? "", known: true, qty: answer.qty };
    } catch (err) {
      if (mine !== asked) return;
      if (!(err instanceof OfflineError)) {
        // The server refused the question (unknown item, nothing to put away): drop the item.
        pending = null;
        suggestion = null;
        go("item");
        showProblem(err);
        return;
      }
      // Offline after a quantity change: the bin already shown for this item stays the best
      // answer we have (the server re-checks it when the put-away is sent).
      next = suggestion?.known ? suggestion : { suggested: null, why: "", known: false };
    }
    if (mine !== asked) return;
    suggestion = next;
    $("target").dataset.state = next.known ? "ready" : "offline";
    $("target").dataset.qty = next.qty ?? "";
    if (step === "to") renderTarget();
  })();
  return suggesting;
}

function askSoon() {
  clearTimeout(timer);
  timer = setTimeout(ask, 350);
}

function setFrom(code) {
  from = code;
  pending = null;
  suggestion = null;
  go("item");
  showLocationStock(from);
}

async function onScan(code) {
  const answer = await resolveScan(code);
  const loc = locationOf(answer);
  const unknown = answer.kind === "unknown"; // offline: the step says what it must be
  if (step === "from") {
    if (!loc && !unknown) throw wrongScan(t("not_location", { code }));
    outcome(null);
    setFrom(locationCode(answer, code));
    return;
  }
  if (step === "item") {
    if (loc) {
      outcome(null);
      setFrom(loc.code);
      return;
    }
    if (answer.kind !== "item" && !unknown) throw wrongScan(t("not_item", { code }));
    const item = itemFrom(answer, code);
    pending = { item };
    suggestion = null;
    stepper.set(item.units, { quiet: true });
    showItem(item);
    outcome(null);
    go("to");
    ask();
    return;
  }
  // step "to": the same item again counts up; a location is the bin it goes into.
  if (answer.kind === "item") {
    countUpSameItem(pending.item, answer, code, stepper);
    return;
  }
  if (!loc && !unknown) throw wrongScan(t("not_location", { code }));
  await place(locationCode(answer, code), scanStamp());
}

async function place(to, stamp) {
  if (timer) await ask(); // a quantity change not asked about yet
  await suggesting;
  if (!pending) return; // the question was refused meanwhile
  const { item } = pending;
  const qty = stepper.value;
  const s = suggestion ?? { suggested: null, known: false };
  let reason = null;
  // Without an answer from the server we cannot know the bin is the right one: say why now,
  // rather than have the queued put-away refused later for want of a reason.
  if (!s.known || (s.suggested && !sameCode(to, s.suggested))) {
    reason = await askReason(s.suggested, to);
    if (!reason) return;
  }
  const body = { item: item.code, qty, from, to };
  // The bin shown at scan time: a queued put-away replayed later is judged against it.
  if (s.suggested) body.suggested = s.suggested;
  if (item.lot) body.lot = item.lot;
  if (reason) body.reason = reason;
  let res;
  try {
    res = await write("/api/putaways", body, stamp);
  } catch (err) {
    // The suggestion moved on since we asked: give the reason and send it again (a new request).
    if (err instanceof ApiProblem && err.code === "reason_required" && !reason) {
      reason = await askReason(s.suggested, to);
      if (!reason) return;
      res = await write("/api/putaways", { ...body, reason }, scanStamp());
    } else {
      throw err;
    }
  }
  pending = null;
  suggestion = null;
  const name = item.sku ?? item.raw.trim();
  if (res.queued) {
    outcome("queued", t("queued_putaway", { qty, item: name, to }));
  } else {
    const m = res.data;
    outcome("ok", t("putaway_done", { qty: m.qty ?? qty, item: m.item ?? name, to: m.to ?? to }));
  }
  go("item");
  showLocationStock(from);
}

function askReason(suggested, scanned) {
  $("reason-detail").textContent = suggested ? t("reason_detail", { suggested, scanned }) : "";
  return chooseReason();
}

function start() {
  if (!initShell()) return;
  initScanner($("scan"), sequential(onScan, { isBlocking, nudge, showProblem }));
  $("cancel-item").addEventListener("click", () => {
    pending = null;
    suggestion = null;
    outcome(null);
    go("item");
  });
  $("restart").addEventListener("click", () => {
    from = null;
    pending = null;
    outcome(null);
    $("from-stock").hidden = true;
    go("from");
  });
  go("from");
}

start();
