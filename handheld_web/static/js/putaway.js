// Put away: scan where the goods stand (the dock), scan the item, set the quantity; the server
// suggests a bin, shown huge; scanning that bin confirms. Another bin needs a reason.
import { ApiProblem, OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { $, chooseReason, sameCode, showLocationStock } from "./flow.js";
import { t } from "./i18n.js";

// The server's suggestion for the item in hand: {suggested, why, known}; known false = no answer.
let suggestion = null;
let suggesting = Promise.resolve(); // the question in flight, awaited before a bin scan is judged
let asked = 0;
let timer = null; // a quantity change waiting to be asked about

function renderTarget() {
  const s = suggestion;
  const has = Boolean(s?.suggested);
  $("suggested").textContent = has ? s.suggested : "";
  $("suggested").hidden = !has;
  $("suggested-why").textContent = !s ? "" : has || (s.known && s.why) ? s.why : t(s.known ? "suggest_none" : "suggest_offline");
}

// Ask the server where this quantity should go; the latest question wins.
function ask(eng) {
  clearTimeout(timer);
  timer = null;
  const { item, from } = eng.state;
  if (!item) return Promise.resolve();
  const mine = ++asked;
  const qs = new URLSearchParams({ item: item.code, qty: String(eng.stepper.value), from });
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
        suggestion = null;
        eng.cancelItem();
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
    if (eng.step === "to") eng.render();
  })();
  return suggesting;
}

function askReason(suggested, scanned) {
  $("reason-detail").textContent = suggested ? t("reason_detail", { suggested, scanned }) : "";
  return chooseReason();
}

const itemName = (s) => s.item.sku ?? s.item.raw.trim();

runScreen({
  name: "putaway",
  start: "from",
  initial: () => ({ from: null }),
  facts: { "from-code": (s) => s.from },
  steps: {
    from: {
      prompt: "p_putaway_from",
      accepts: ["location", "tote"],
      then: (s, scan) => ({ from: scan.location.code }),
      next: "item",
    },
    item: {
      prompt: "p_scan_item",
      accepts: ["item"],
      item: true,
      lot: (s) => s.from,
      next: "to",
      enter: (eng) => {
        suggestion = null;
        showLocationStock(eng.state.from);
      },
    },
    to: {
      prompt: () => t(suggestion?.suggested || !suggestion ? "p_putaway_bin" : "p_putaway_any_bin"),
      accepts: ["location", "tote"],
      countUp: true,
      enter: ask,
      write: async (s, scan, eng) => {
        if (timer) await ask(eng); // a quantity change not asked about yet
        await suggesting;
        if (!eng.state.item) return null; // the question was refused meanwhile
        const to = scan.location.code;
        const shown = suggestion ?? { suggested: null, known: false };
        const body = { item: s.item.code, qty: eng.stepper.value, from: s.from, to };
        // Without an answer from the server we cannot know the bin is the right one: say why now,
        // rather than have the queued put-away refused later for want of a reason.
        if (!shown.known || (shown.suggested && !sameCode(to, shown.suggested))) {
          body.reason = await askReason(shown.suggested, to);
          if (!body.reason) return null;
        }
        // The bin shown at scan time: a queued put-away replayed later is judged against it.
        if (shown.suggested) body.suggested = shown.suggested;
        if (s.item.lot) body.lot = s.item.lot;
        const label = t("label_putaway", { qty: body.qty, item: itemName(s), from: s.from, to });
        return { path: "/api/putaways", body, label };
      },
      // The suggestion moved on since we asked: give the reason and send it again (a new request).
      refused: async (err, s, { body, label }) => {
        if (!(err instanceof ApiProblem && err.code === "reason_required" && !body.reason)) return null;
        const reason = await askReason(suggestion?.suggested, body.to);
        return reason ? { path: "/api/putaways", body: { ...body, reason }, label } : "cancel";
      },
      done: (s, m, { body }) => ({ text: t("putaway_done", { qty: m.qty ?? body.qty, item: m.item ?? itemName(s),
                                                             to: m.to ?? body.to }) }),
      queued: (s, { body }) => t("queued_putaway", { qty: body.qty, item: itemName(s), to: body.to }),
      next: "item",
      keep: ["from"],
    },
  },
  onQty: (eng) => {
    clearTimeout(timer);
    timer = setTimeout(() => ask(eng), 350);
  },
  render: (eng, step) => {
    $("target").hidden = step !== "to";
    if (step === "to") renderTarget();
    if (step === "from") $("from-stock").hidden = true;
  },
});
