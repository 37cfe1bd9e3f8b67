// The scan-step engine (DESIGN decision 13, STYLE §10). A screen declares its steps; the engine owns
// the rest: kind guards and wrong-scan feedback, count-up of the item in hand, the quantity stepper,
// the lot question, undo, the offline write (stamped when the confirming scan is made) and the
// outcome line. Rules every screen gets the same way:
// - every accepted scan beeps (the good-read beep, or the outcome's own sound);
// - a location scanned where an item is expected is refused with the error buzz, never taken as a
//   new "From" (A5): the worker taps "Start again" to change it;
// - the item in hand scanned again counts up by that barcode's units; another item waits its turn;
// - a lot-tracked item taken from a location holding 2+ lots of it asks which lot before the write;
// - a scan a step refuses (wrong kind, another item in hand, a screen's check) is logged as an error scan with
//   what the step expected (flow.js reportWrongScan). check(s, scan) answers null, the words of a refusal,
//   or {text, expected, reason}.
//
// A step: {prompt, accepts: [kinds], item?, lot?, countUp?, check?, then?, says?, next, enter?,
//          write?, action?, done?, queued?, refused?, keep?, raw?}; refused(err) may answer a new
//          request to send, "cancel" (drop it quietly) or null (show the refusal). See screens in move.js,
// putaway.js and receive.js.
import { ApiProblem, api, showProblem } from "./api.js";
import { errorBuzz, goodBeep, isBlocking, nudge, onTap } from "./feedback.js";
import {
  $, Stepper, clearNode, el, isContainer, itemFrom, locationOf, outcome, prompt, refocus, reportWrongScan,
  resolveScan, sameCode, sameItem, scanStamp, sequential, setFact, showItem, write, wrongScan,
} from "./flow.js";
import { formatDate, t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";
import { readJson, writeJson } from "./storage.js";

// The engine's own step: which lot of the item in hand (shown when a location holds several).
const LOT_STEP = { prompt: "p_choose_lot", accepts: ["item"] };

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));
const call = (v, ...args) => (typeof v === "function" ? v(...args) : v);

// What a scan is, as the steps see it. Offline (kind "unknown") both guesses are filled in: the
// step being worked on says which it must be, and the server checks when the write lands.
function toScan(raw, answer) {
  const unknown = answer.kind === "unknown";
  const loc = locationOf(answer);
  return {
    raw,
    kind: answer.kind,
    answer,
    offline: Boolean(answer.offline),
    location: loc ?? (unknown ? { code: raw.trim(), kind: null, parent: null } : null),
    container: isContainer(answer),
    item: answer.kind === "item" || unknown ? itemFrom(answer, raw) : null,
    gs1: answer.gs1 ?? null,
  };
}

// The lots of an item at a location, first to expire first (undated last), as the server holds them.
export async function lotsAt(locationCode, sku) {
  if (!locationCode || !sku || navigator.onLine === false) return [];
  let stock;
  try {
    stock = await api.get(`/api/locations/${encodeURIComponent(locationCode)}/stock`);
  } catch {
    return []; // no answer: the server decides when the write lands (422 lot_required)
  }
  // The server lists them first-expiry-first with the one to take marked: the ledger's rule, not ours.
  return (stock.items ?? []).filter((line) => line.item === sku && line.lot && line.qty > 0);
}

export function runScreen(def) {
  if (!initShell()) return null;
  const root = $(`${def.name}-screen`);
  const initial = () => ({ ...def.initial(), item: null, stamp: null, lots: null, lotNext: null, lotRetry: null });
  let s = initial();
  let step = def.start;
  let history = []; // snapshots before each accepted scan, for undo
  let sending = false;

  const stepOf = (name) => (name === "lot" ? LOT_STEP : def.steps[name]);

  // What a screen keeps across a reload (the receipt and dock in hand), per tab.
  const saveKey = `shipfloor.${def.name}`;
  const save = () => def.persist && writeJson(sessionStorage, saveKey, pick(s, def.persist));
  const restore = () => {
    if (def.persist) s = { ...s, ...pick(readJson(sessionStorage, saveKey, {}), def.persist) };
  };

  function renderLots() {
    const box = $("lot-choice");
    if (!box) return;
    box.hidden = step !== "lot";
    if (box.hidden) return;
    const list = clearNode($("lot-list"));
    for (const lot of s.lots ?? []) {
      const facts = [
        t("lot_is", { lot: lot.lot }),
        lot.expiry && t("expiry_is", { expiry: formatDate(lot.expiry) }),
        (lot.available ?? lot.qty) != null && t("qty_here", { qty: lot.available ?? lot.qty }), // unknown: unsaid
      ].filter(Boolean);
      const button = el("button", { cls: "choice", attrs: { type: "button", "data-lot": lot.lot } }, [
        el("span", { cls: "choice-title", text: facts.join(" · ") }),
      ]);
      if (lot.first_expiry) {
        button.dataset.first = "true";
        button.append(el("small", { cls: "badge", text: t("first_to_expire") }));
      }
      onTap(button, () => chooseLot(lot).catch(showProblem));
      list.append(el("li", {}, [button]));
    }
  }

  function render() {
    const st = stepOf(step);
    root.dataset.step = step;
    prompt(typeof st.prompt === "function" ? st.prompt(s) : t(st.prompt));
    for (const [id, fact] of Object.entries(def.facts ?? {})) setFact(id, fact(s, step));
    if (s.item) showItem(s.item);
    else $("item-card").hidden = true;
    const action = st.action ?? null;
    $("actions").hidden = !s.item && !action;
    $("qty-row").hidden = !s.item;
    if ($("confirm")) $("confirm").hidden = !action;
    $("cancel-item").hidden = !s.item;
    $("undo").hidden = !history.length || Boolean(s.item);
    if ($("restart")) $("restart").hidden = step === def.start || step === (def.restart?.to ?? def.start);
    renderLots();
    def.render?.(engine, step);
    save();
    refocus();
  }

  function go(next, patch = {}) {
    s = { ...s, ...patch };
    step = next;
    render();
    stepOf(step).enter?.(engine);
  }

  function snapshot() {
    history.push({ step, s, qty: engine.stepper.value });
    if (history.length > 20) history.shift();
  }

  const inHand = () => s.item.sku ?? s.item.raw.trim();
  const lotCodes = () => (s.lots ?? []).map((l) => l.lot).join(", ");

  function countUp(scan) {
    if (!sameItem(s.item, scan.item)) {
      throw wrongScan(t("finish_item_first", { item: s.item.name ?? s.item.raw }),
                      { expected: inHand(), reason: "wrong_item" });
    }
    engine.stepper.set(engine.stepper.value + scan.item.units);
    goodBeep();
  }

  function guardKind(st, scan) {
    if (scan.kind === "unknown" || st.accepts.includes(scan.kind)) return;
    const wantsItem = st.accepts.includes("item");
    const why = { expected: st.accepts.join(", "), reason: "wrong_kind" };
    // A5: a bin where an item is expected never replaces "From" behind the worker's back.
    if (wantsItem && locationOf(scan.answer)) {
      throw wrongScan(t("location_not_item", { code: scan.location.code }), why);
    }
    throw wrongScan(t(wantsItem ? "not_item" : "not_location", { code: scan.raw.trim() }), why);
  }

  // Run a step's judgement of a resolved scan; a refusal is logged as an error scan, then shown.
  async function judged(st, scan, judge) {
    try {
      return await judge();
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 0 && err.code === "wrong_scan") {
        reportWrongScan(scan, def.name, err, st.accepts.join(", "));
      }
      throw err;
    }
  }

  async function askLot(lots, next, retry = null) {
    go("lot", { lots, lotNext: next, lotRetry: retry });
  }

  async function chooseLot(lot) {
    const retry = s.lotRetry;
    const item = { ...s.item, lot: lot.lot, expiry: lot.expiry ?? s.item.expiry };
    goodBeep();
    outcome(null);
    go(s.lotNext, { item, lots: null, lotNext: null, lotRetry: null });
    if (retry) await runWrite(def.steps[retry.step], retry.scan, scanStamp());
  }

  // A lot scanned (GS1 with AI 10) while the lots are shown picks that lot: which one it is.
  function lotScanned(scan) {
    if (!sameItem(s.item, scan.item)) {
      throw wrongScan(t("finish_item_first", { item: s.item.name ?? s.item.raw }),
                      { expected: inHand(), reason: "wrong_item" });
    }
    if (!scan.item.lot) throw wrongScan(t("scan_lot_label"), { expected: lotCodes(), reason: "no_lot" });
    const lot = (s.lots ?? []).find((l) => sameCode(l.lot, scan.item.lot));
    if (!lot) throw wrongScan(t("lot_not_here", { lot: scan.item.lot }), { expected: lotCodes(), reason: "wrong_lot" });
    return lot;
  }

  async function accept(st, scan) {
    snapshot();
    let patch = call(st.then, s, scan) ?? {};
    let next = call(st.next, { ...s, ...patch }, scan);
    if (st.item && scan.item) {
      patch = { ...patch, item: scan.item, stamp: scanStamp() };
      engine.stepper.set(scan.item.units, { quiet: true });
      if (st.lot && !scan.item.lot) {
        const lots = await lotsAt(st.lot(s), scan.item.sku);
        if (lots.length > 1) {
          s = { ...s, ...patch };
          goodBeep();
          outcome(null);
          await askLot(lots, next);
          return;
        }
      }
    }
    s = { ...s, ...patch };
    const says = st.says?.(s, scan);
    if (says) outcome("ok", says); // beeps
    else {
      outcome(null);
      goodBeep();
    }
    go(next);
  }

  // Send the step's write through the offline queue. A refusal keeps the work in hand.
  async function runWrite(st, scan, stamp) {
    s = { ...s, qty: engine.stepper.value };
    const request = await st.write(s, scan, engine);
    if (!request) return; // the screen's question was cancelled: nothing sent
    let res;
    try {
      res = await write(request.path, request.body, { ...stamp, ref: request.ref }, request.label);
    } catch (err) {
      if (err instanceof ApiProblem && err.code === "lot_required") {
        const here = err.lots?.length ? err.lots : await lotsAt(request.body.from, s.item?.sku);
        if (here.length) {
          errorBuzz();
          await askLot(here, step, { step, scan });
          return;
        }
      }
      const again = st.refused && (await st.refused(err, s, request, engine));
      if (again === "cancel") return; // the worker backed out of the screen's question
      if (!again) {
        if (s.item) s = { ...s, stamp: scanStamp() }; // a corrected try is a new request, with a new key
        throw err;
      }
      res = await write(again.path, again.body, scanStamp(), again.label);
    }
    const said = res.queued
      ? { state: "queued", text: st.queued(s, request) }
      : st.done(s, res.data, request);
    const after = st.after?.(s, res, request) ?? {};
    s = { ...initial(), ...pick(s, st.keep ?? []), ...after };
    history = [];
    go(call(st.next, s));
    outcome(said.state ?? "ok", said.text);
  }

  async function onScan(code) {
    const st = stepOf(step);
    if (st.raw) {
      await st.raw(engine, code); // steps that match codes themselves (receipt references)
      return;
    }
    const scan = toScan(code, await resolveScan(code, def.name));
    if (step === "lot") {
      // A bin scanned here is refused like anywhere an item is expected.
      const lot = await judged(LOT_STEP, scan, () => {
        guardKind(LOT_STEP, scan);
        return lotScanned(scan);
      });
      await chooseLot(lot);
      return;
    }
    if (s.item && st.countUp && scan.kind === "item") {
      await judged(st, scan, () => countUp(scan));
      return;
    }
    await judged(st, scan, async () => {
      guardKind(st, scan);
      const refusal = await st.check?.(s, scan, engine);
      if (refusal) throw typeof refusal === "string" ? wrongScan(refusal) : wrongScan(refusal.text, refusal);
    });
    if (st.write && !st.action) {
      await runWrite(st, scan, scanStamp());
      return;
    }
    await accept(st, scan);
  }

  async function act() {
    const st = stepOf(step);
    if (!st.action || sending) return;
    sending = true;
    $("confirm").disabled = true;
    try {
      await runWrite(st, null, s.stamp ?? scanStamp());
    } catch (err) {
      showProblem(err);
    } finally {
      sending = false;
      $("confirm").disabled = false;
    }
  }

  function cancelItem() {
    history = history.filter((h) => !h.s.item);
    outcome(null);
    go(def.itemStep ?? "item", { item: null, stamp: null, lots: null, lotNext: null, lotRetry: null });
  }

  function undo() {
    const last = history.pop();
    if (!last) return;
    outcome(null);
    s = last.s;
    engine.stepper.set(last.qty, { quiet: true });
    go(last.step);
  }

  function restart() {
    history = [];
    outcome(null);
    s = { ...initial(), ...pick(s, def.restart?.keep ?? []) };
    go(def.restart?.to ?? def.start);
  }

  const engine = {
    get state() {
      return s;
    },
    get step() {
      return step;
    },
    stepper: null,
    go,
    render,
    cancelItem,
    restart,
    set(patch) {
      s = { ...s, ...patch };
      render();
    },
    reset(next, patch = {}) {
      history = [];
      s = { ...initial(), ...patch };
      go(next);
    },
  };
  engine.stepper = new Stepper({ onChange: (n) => def.onQty?.(engine, n) });

  initScanner($("scan"), sequential(onScan, { isBlocking, nudge, showProblem }));
  onTap($("cancel-item"), cancelItem);
  onTap($("undo"), undo);
  if ($("restart")) onTap($("restart"), restart);
  if ($("confirm")) $("confirm").addEventListener("click", act);
  for (const [id, handler] of Object.entries(def.buttons ?? {})) $(id).addEventListener("click", () => handler(engine));
  restore();
  def.setup?.(engine);
  go(call(def.resume, s) ?? def.start);
  return engine;
}
