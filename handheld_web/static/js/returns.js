// Returns: scan the return label, the order id or the tracking number (or type an RMA) to start a return
// (online only: the server finds the order); then each returned item: scan it (again to count up), tap its
// condition and what becomes of it. Restock and quarantine ask for the bin (quarantine: a blocked one),
// scrap writes at once. Each line goes through the offline queue; "Close return" ends the return.
// API shapes: server/returns/api.py.
import { OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { $, outcome, scanStamp, write, wrongScan } from "./flow.js";
import { t } from "./i18n.js";

const itemName = (s) => s.item.sku ?? s.item.raw.trim();
const refOf = (ret) => ret?.rma ?? ret?.channel_order_id ?? ret?.tracking_number ?? (ret ? `#${ret.id}` : null);
const CONDITION_TEXT = { sellable: "cond_sellable", damaged: "cond_damaged", defective: "cond_defective" };

async function startReturn(engine, body) {
  let ret;
  try {
    ret = await api.post("/api/returns", body);
  } catch (err) {
    if (err instanceof OfflineError) throw wrongScan(t("return_needs_network"));
    throw err;
  }
  engine.reset("item", { ret, lines: 0 });
  outcome("ok", t("return_started", { ref: refOf(ret) }));
}

function startByRma(engine) {
  const rma = $("rma").value.trim();
  if (!rma) return;
  startReturn(engine, { rma })
    .then(() => {
      $("rma").value = "";
    })
    .catch(showProblem);
}

function chooseCondition(engine, condition) {
  if (engine.step !== "condition") return;
  outcome(null);
  engine.go("disposition", { condition });
}

function chooseDisposition(engine, disposition) {
  if (engine.step !== "disposition") return;
  outcome(null);
  if (disposition === "scrap") {
    engine.go("save", { disposition });
    $("confirm").click(); // nothing more to ask: the scrap line is written now
  } else {
    engine.go("bin", { disposition });
  }
}

async function closeReturn(engine) {
  const { ret } = engine.state;
  if (!ret || engine.state.item) return;
  const ref = refOf(ret);
  try {
    const res = await write(`/api/returns/${ret.id}/close`, {}, scanStamp(), t("label_return_close", { ref }));
    engine.reset("return");
    outcome(res.queued ? "queued" : "ok", t(res.queued ? "queued_return_close" : "return_closed", { ref }));
  } catch (err) {
    showProblem(err);
  }
}

function lineRequest(s, location) {
  const body = { item: s.item.code, qty: s.qty, condition: s.condition, disposition: s.disposition };
  if (location) body.location = location;
  if (s.item.lot) body.lot = s.item.lot;
  const label = t("label_return_line", { qty: s.qty, item: itemName(s), disposition: t(`disp_${s.disposition}`) });
  return { path: `/api/returns/${s.ret.id}/lines`, body, label };
}

// What the line write says, and what the screen keeps after it: the return in hand.
const LINE_WRITTEN = {
  done: (s, line, { body }) => ({
    text: t(`returned_${body.disposition}`, { qty: body.qty, item: itemName(s), location: body.location ?? "" }),
  }),
  queued: (s, { body }) => t("queued_return_line", { qty: body.qty, item: itemName(s) }),
  after: (s) => ({ lines: s.lines + 1 }),
  next: "item",
  keep: ["ret", "lines"],
};

runScreen({
  name: "returns",
  start: "return",
  initial: () => ({ ret: null, lines: 0, condition: null, disposition: null }),
  persist: ["ret", "lines"],
  resume: (s) => (s.ret ? "item" : "return"),
  restart: { to: "item", keep: ["ret", "lines"] },
  itemStep: "item",
  facts: {
    "return-ref": (s) => refOf(s.ret),
    "return-lines": (s) => (s.lines ? String(s.lines) : null),
    "return-condition": (s, step) => (s.item && s.condition ? t(CONDITION_TEXT[s.condition]) : null),
  },
  steps: {
    // The label, order id or tracking number: the server matches it, so the code is sent as scanned.
    return: {
      prompt: "p_return_start",
      raw: (engine, code) => (code.trim() ? startReturn(engine, { code: code.trim() }) : undefined),
    },
    item: { prompt: "p_return_item", accepts: ["item"], item: true, next: "condition" },
    condition: {
      prompt: (s) => t("p_return_condition", { item: itemName(s) }),
      accepts: ["item"],
      countUp: true,
      next: "disposition",
    },
    disposition: {
      prompt: (s) => t("p_return_disposition", { item: itemName(s) }),
      accepts: ["item"],
      countUp: true,
      next: "bin",
    },
    bin: {
      prompt: (s) => t(s.disposition === "quarantine" ? "p_return_quarantine_bin" : "p_return_bin", { item: itemName(s) }),
      accepts: ["location"],
      write: (s, scan) => lineRequest(s, scan.location?.code ?? scan.raw.trim()),
      ...LINE_WRITTEN,
    },
    save: {
      prompt: (s) => t("p_return_scrap", { item: itemName(s) }),
      accepts: ["item"],
      countUp: true,
      action: true,
      write: (s) => lineRequest(s, null),
      ...LINE_WRITTEN,
    },
  },
  buttons: {
    "rma-start": startByRma,
    "return-close": closeReturn,
    "cond-sellable": (engine) => chooseCondition(engine, "sellable"),
    "cond-damaged": (engine) => chooseCondition(engine, "damaged"),
    "cond-defective": (engine) => chooseCondition(engine, "defective"),
    "disp-restock": (engine) => chooseDisposition(engine, "restock"),
    "disp-quarantine": (engine) => chooseDisposition(engine, "quarantine"),
    "disp-scrap": (engine) => chooseDisposition(engine, "scrap"),
  },
  render: (engine, step) => {
    const { condition } = engine.state;
    $("return-start").hidden = step !== "return";
    $("return-tools").hidden = step !== "item" || !engine.state.ret;
    $("condition-choice").hidden = step !== "condition";
    $("disposition-choice").hidden = step !== "disposition";
    $("disp-restock").hidden = condition !== "sellable"; // only a sellable unit goes back on a shelf
  },
});
