// Count (blind): "Next count" takes a task from the server, the counter scans its bin, then each item found
// there: every scan of the item in hand counts up by that barcode's units (a case counts its units), or
// one scan and the number typed; "Save count" writes the entry. A lot-tracked item takes its lot from the
// GS1 scan or asks for it (typed or scanned: never a list of the bin's lots, which would show quantities).
// "Bin is empty" confirms an empty bin, "Done" finishes; the answer says posted, recount requested or
// waiting for approval. The expected quantity is never on this screen: the server never sends it to a
// counter. Entries go through the offline queue, each with the key made when its item was scanned.
// API shapes: docs/counts-api.md.
import { ApiProblem, OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { $, outcome, sameCode, scanStamp, write, wrongScan } from "./flow.js";
import { t } from "./i18n.js";

const ANY_KIND = ["location", "tote", "item", "gs1", "order", "package", "shipment", "user"];
const codeOf = (v) => (v && typeof v === "object" ? v.code ?? v.sku ?? null : v ?? null);
const binOf = (task) => codeOf(task?.location);
const itemName = (s) => s.item.sku ?? s.item.raw.trim();

// The finished task's state as the server answered it, in the counter's words (never a number).
const OUTCOME_TEXT = {
  posted: "count_posted",
  recount: "count_recount",
  approval: "count_approval",
};

function finishedText(answer, location) {
  return t(OUTCOME_TEXT[answer?.status] ?? "count_finished", { location });
}

async function nextCount(engine) {
  let answer;
  try {
    answer = await api.get("/api/counts/next");
  } catch (err) {
    if (err instanceof OfflineError) throw wrongScan(t("count_needs_network"));
    if (err instanceof ApiProblem && err.code === "no_count_task") answer = null;
    else throw err;
  }
  const task = answer;
  if (!task?.id) {
    engine.reset("idle");
    outcome("ok", t("count_none"));
    return;
  }
  engine.reset("bin", { task, counted: task.entries?.length ?? 0 });
  outcome(null);
}

// Writes that close the task in hand: the empty-bin confirmation and "Done".
async function closeTask(engine, { empty }) {
  const { task } = engine.state;
  if (!task || engine.state.item) return;
  const location = binOf(task);
  try {
    if (empty) {
      await write(`/api/counts/tasks/${task.id}/empty`, {}, scanStamp(), t("label_count_empty", { location }));
    }
    const res = await write(`/api/counts/tasks/${task.id}/finish`, {}, scanStamp(),
                            t("label_count_finish", { location }));
    // The server may hand the next bin at once; offline the counter taps "Next count" when back online.
    const next = res.queued ? null : res.data?.next;
    if (next?.id) engine.reset("bin", { task: next, counted: 0 });
    else engine.reset("idle");
    if (res.queued) outcome("queued", t("queued_count_finish", { location }));
    else outcome(res.data?.status === "posted" ? "ok" : "warn", finishedText(res.data, location));
  } catch (err) {
    showProblem(err);
  }
}

runScreen({
  name: "count",
  start: "idle",
  initial: () => ({ task: null, counted: 0 }),
  persist: ["task", "counted"],
  resume: (s) => (s.task ? "bin" : "idle"),
  restart: { to: "bin", keep: ["task", "counted"] },
  itemStep: "item",
  facts: {
    "count-bin": (s, step) => (step === "idle" ? null : binOf(s.task)),
    "count-item": (s, step) => (step === "idle" ? null : codeOf(s.task?.item)),
    "count-lines": (s, step) => (step === "idle" || !s.counted ? null : String(s.counted)),
  },
  steps: {
    idle: {
      prompt: "p_count_idle",
      raw: () => {
        throw wrongScan(t("count_tap_next"));
      },
    },
    bin: {
      prompt: (s) => t("p_count_bin", { location: binOf(s.task) }),
      accepts: ANY_KIND,
      check: (s, scan) => {
        const code = scan.location?.code ?? scan.raw.trim();
        return sameCode(code, binOf(s.task)) ? null : t("wrong_location", { expected: binOf(s.task) });
      },
      next: "item",
    },
    item: {
      prompt: "p_count_item",
      accepts: ["item"],
      item: true,
      next: (s, scan) => (scan.item.tracksLot && !scan.item.lot ? "lot-entry" : "qty"), // the item is not in s yet
    },
    // The lot of a lot-tracked item scanned without one: scanned from its label or typed.
    "lot-entry": {
      prompt: (s) => t("p_count_lot", { item: itemName(s) }),
      raw: (engine, code) => {
        const lot = code.trim();
        if (!lot) return;
        engine.go("qty", { item: { ...engine.state.item, lot } });
      },
    },
    qty: {
      prompt: (s) => t("p_count_qty", { item: itemName(s) }),
      accepts: ["item"],
      countUp: true,
      action: true,
      write: (s) => {
        const body = { item: s.item.code, qty: s.qty };
        if (s.item.lot) body.lot = s.item.lot;
        const label = t("label_count", { qty: s.qty, item: itemName(s), location: binOf(s.task) });
        return { path: `/api/counts/tasks/${s.task.id}/entries`, body, label };
      },
      done: (s, e, { body }) => ({ text: t("counted", { qty: body.qty, item: itemName(s) }) }),
      queued: (s, { body }) => t("queued_count", { qty: body.qty, item: itemName(s) }),
      after: (s) => ({ counted: s.counted + 1 }),
      next: "item",
      keep: ["task", "counted"],
    },
  },
  buttons: {
    "next-count": (engine) => nextCount(engine).catch(showProblem),
    "count-empty": (engine) => closeTask(engine, { empty: true }),
    "count-done": (engine) => closeTask(engine, { empty: false }),
  },
  render: (engine, step) => {
    $("idle-step").hidden = step !== "idle";
    $("count-tools").hidden = step !== "item";
    $("count-empty").hidden = Boolean(engine.state.counted); // counted something: the bin is not empty
  },
});
