// Pick: scan a cart (its totes bind to the batch's orders), then for each task of the walking route:
// scan the location, scan the item (a case-pack barcode counts its units; a lot-tracked item takes the
// lot from the GS1 scan or asks), confirm the quantity (automatic when the scans reached it), scan the
// tote. A line of one unit takes three scans. The batch's tasks are kept on the device, so the checks
// and the next task need no round trip: offline the picks queue (each with the key made at its tote
// scan) and the page moves on; the server's batch replaces ours once the queue has drained.
// API shapes: docs/picking-api.md.
import { ApiProblem, OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { hideOverlay, onTap, showOverlay } from "./feedback.js";
import { $, clearNode, el, outcome, sameCode, scanStamp, write, wrongScan } from "./flow.js";
import { formatDate, t } from "./i18n.js";
import { getSession } from "./session.js";
import { readJson, writeJson } from "./storage.js";

// Every kind a scan can be: each step judges the scan against the task itself, so that a wrong one
// says what was expected ("Wrong location: expected A-01-02") instead of "not a location".
const ANY_KIND = ["location", "tote", "item", "gs1", "order", "package", "shipment", "user"];
const TO_PICK = new Set(["open", "skipped"]);
const STORE_KEY = "shipfloor.pick";
const REROUTE_RETRY_MS = 5000;

let eng = null;
let batch = null; // the batch as last answered by the server, with the picks made here since

// ---- the batch on this device -----------------------------------------------------------------

const userId = () => getSession()?.user?.id ?? null;

function keep(next) {
  const before = batch?.id ?? null;
  batch = next;
  writeJson(localStorage, STORE_KEY, next ? { user: userId(), batch: next } : null);
  if ((next?.id ?? null) !== before) api.reportDevice({ batch: next?.id ?? null }); // who is on which batch
}

function stored() {
  const saved = readJson(localStorage, STORE_KEY, null);
  return saved && saved.user === userId() ? saved.batch : null;
}

const toPick = () => (batch?.tasks ?? []).filter((task) => TO_PICK.has(task.status));
// The tasks come in walking order with skipped ones last, so the first one still to pick is the next.
const currentTask = () => toPick()[0] ?? null;
const taskById = (id) => (batch?.tasks ?? []).find((task) => task.id === id) ?? null;

// Counted from the tasks held here: the same rule as the server's progress (docs/picking-api.md).
function progress() {
  const tasks = batch?.tasks ?? [];
  const totes = batch?.totes ?? [];
  const open = (number) => tasks.some((task) => task.tote_number === number && TO_PICK.has(task.status));
  return {
    tasksLeft: toPick().length,
    totes: totes.length,
    totesDone: totes.filter((tote) => !open(tote.number)).length,
  };
}

// A task as answered by the server replaces ours; tasks new to us (re-allocated) go at the end.
function merge(updated) {
  if (!batch || !updated?.length) return;
  const tasks = [...batch.tasks];
  for (const task of updated) {
    const i = tasks.findIndex((x) => x.id === task.id);
    if (i >= 0) tasks[i] = task;
    else tasks.push(task);
  }
  tasks.sort((a, b) => a.sequence - b.sequence); // walking order; a skipped task was given the last place
  keep({ ...batch, tasks });
}

// Our own change to a task while the server has not answered (offline).
function change(task, patch) {
  merge([{ ...task, ...patch }]);
}

async function refresh() {
  if (!batch || navigator.onLine === false || (await api.pendingCount()) > 0) return;
  const shown = currentTask()?.id ?? null;
  let fresh;
  try {
    fresh = await api.get(`/api/picking/batches/${batch.id}`);
  } catch (err) {
    if (!(err instanceof OfflineError)) console.warn("batch not refreshed", err);
    return;
  }
  if (fresh.id !== batch?.id) return; // another cart was started meanwhile
  keep(fresh);
  // The pick in hand stays (scans made and all) unless it is no longer the one to pick (cancelled, re-routed).
  if (!eng) return;
  if (currentTask()?.id === shown && eng.step !== "cart") eng.render();
  else eng.reset(resumeStep());
}

// ---- what a scan is, against the task ---------------------------------------------------------------

// GS1 element strings read offline (the server reads them online): the GTIN of AI 01, the lot of AI 10.
function gs1Offline(raw) {
  const code = raw.trim().replace(/^\](C1|e0|d2|Q3)/, "");
  const m = /^01(\d{14})(.*)$/.exec(code);
  if (!m) return null;
  const lot = /(?:^|\x1d)10([^\x1d]{1,20})/.exec(m[2].replace(/^(17|15)\d{6}/, ""));
  return { gtin: m[1], lot: lot?.[1] ?? null };
}

// The item scan matched to the task's item: {units, lot}, or null when it is another item.
function matchItem(task, scan) {
  if (scan.kind === "item") {
    return sameCode(scan.item.sku, task.item.sku) ? { units: scan.item.units, lot: scan.item.lot } : null;
  }
  if (scan.kind !== "unknown") return null;
  // Offline: the task carries every barcode of its item with the units it stands for.
  const raw = scan.raw.trim();
  const gs1 = gs1Offline(raw);
  const codes = gs1 ? [gs1.gtin] : [raw, raw.padStart(14, "0")];
  const barcode = task.item.barcodes.find((b) => codes.some((c) => sameCode(b.code, c)));
  if (barcode) return { units: barcode.units, lot: gs1?.lot ?? null };
  return sameCode(raw, task.item.sku) ? { units: 1, lot: null } : null;
}

const scannedCode = (scan) => scan.location?.code ?? scan.raw.trim();
const left = (task) => task.qty - task.qty_picked;
const itemLabel = (task) => [task.item.sku, task.item.name].filter(Boolean).join(" · ");

// The refusals say what the task expected (the engine logs them as error scans): {text, expected, reason}.
function checkLocation(s, scan) {
  const task = currentTask();
  if (sameCode(scannedCode(scan), task.location)) return null;
  const expected = task.location;
  return { text: t("wrong_location", { expected }), expected, reason: "wrong_location" };
}

// The units this scan adds, or a refusal.
function checkItem(s, scan, already) {
  const task = currentTask();
  const match = matchItem(task, scan);
  if (!match) {
    return { text: t("wrong_item", { expected: itemLabel(task) }), expected: task.item.sku, reason: "wrong_item" };
  }
  if (match.lot && task.lot && !sameCode(match.lot, task.lot)) {
    return { text: t("wrong_lot", { expected: task.lot }), expected: task.lot, reason: "wrong_lot" };
  }
  if (already + match.units > left(task)) {
    const n = left(task) - already;
    return { text: t("too_many", { n, units: match.units }), expected: `${n} units`, reason: "too_many" };
  }
  return null;
}

function checkTote(s, scan) {
  const task = currentTask();
  if (sameCode(scannedCode(scan), task.tote)) return null;
  return { text: t("wrong_tote", { expected: task.tote, number: task.tote_number }),
           expected: task.tote ?? `tote ${task.tote_number}`, reason: "wrong_tote" };
}

// After the item scan: the lot question if the scan carried none, then the quantity (unless the scan made
// it) and the tote.
const afterItem = (s, qty) => (currentTask().lot && !s.item.lot ? "lot" : afterQty(qty));
const afterQty = (qty) => (qty >= left(currentTask()) ? "tote" : "qty");

// ---- on screen -------------------------------------------------------------------------------------

function renderTask(step) {
  const task = currentTask();
  $("task").hidden = !task || !["location", "item", "qty", "lot", "tote"].includes(step);
  if ($("task").hidden) return;
  const p = progress();
  $("progress").textContent = t("pick_progress", { n: p.tasksLeft, done: p.totesDone, totes: p.totes });
  $("task-location").textContent = task.location;
  $("task-sku").textContent = task.item.sku;
  $("task-name").textContent = task.item.name ?? "";
  const lot = [task.lot && t("lot_is", { lot: task.lot }), task.expiry && t("expiry_is", { expiry: formatDate(task.expiry) })];
  $("task-lot").textContent = lot.filter(Boolean).join(" · ");
  $("task-lot").hidden = !task.lot && !task.expiry;
  $("task-qty").textContent = String(left(task));
  $("task-tote-number").textContent = String(task.tote_number);
  $("task-tote").textContent = task.tote ?? "";
  $("task-order").textContent = task.order?.channel_order_id ?? "";
  // Which scans of this pick are done: the location once scanned, the item once in hand.
  const at = ["location", "item", "qty", "lot", "tote"].indexOf(step);
  $("task-where").dataset.done = String(at > 0);
  $("task-what").dataset.done = String(step === "tote");
  $("task").dataset.skipped = String(task.status === "skipped");
}

function renderSummary() {
  const tasks = batch?.tasks ?? [];
  const picked = tasks.reduce((n, task) => n + task.qty_picked, 0);
  $("summary-orders").textContent = String(new Set(tasks.map((task) => task.order?.id)).size);
  $("summary-units").textContent = String(picked);
  $("summary-short").textContent = String(tasks.filter((task) => task.status === "short").length);
  const list = clearNode($("summary-totes"));
  for (const tote of batch?.totes ?? []) {
    const orders = (tote.orders ?? []).map((o) => o.channel_order_id).join(", ");
    list.append(el("li", { text: t("summary_tote", { number: tote.number, code: tote.code ?? "", orders }) }));
  }
}

function resumeStep() {
  if (!batch) return "cart";
  if (currentTask()) return "location";
  // A short pick made offline may send the picker to another bin: never say "done" before the server has said.
  return batch.tasks.some((x) => x.rerouting) ? "rerouting" : "done";
}

// ---- the cart --------------------------------------------------------------------------------------

async function startCart(engine, code) {
  const cart = code.trim();
  let answer;
  try {
    answer = await api.post("/api/picking/cart", { cart });
  } catch (err) {
    if (err instanceof OfflineError) throw wrongScan(t("cart_needs_network"));
    throw err;
  }
  keep(answer);
  engine.reset(resumeStep());
  outcome("ok", t("cart_bound", { cart: answer.cart ?? cart, n: answer.totes?.length ?? 0 }));
}

function nextCart(engine) {
  keep(null);
  outcome(null);
  engine.reset("cart");
}

// ---- short and skip ----------------------------------------------------------------------------------

// "How many did you find?": resolves the number, or null when the picker cancels.
function askFound(task) {
  const box = $("short-overlay");
  $("short-where").textContent = t("short_where", { location: task.location, item: itemLabel(task), qty: left(task) });
  $("short-found").value = "0";
  showOverlay(box);
  $("short-found").focus();
  $("short-found").select();
  return new Promise((resolve) => {
    const done = (value) => {
      hideOverlay(box);
      resolve(value);
    };
    const ok = () => {
      const n = Number.parseInt($("short-found").value, 10);
      if (!Number.isFinite(n) || n < 0 || n >= left(task)) {
        $("short-found").setAttribute("aria-invalid", "true");
        $("short-error").textContent = t("short_between", { max: left(task) - 1 });
        $("short-error").hidden = false;
        return;
      }
      $("short-found").removeAttribute("aria-invalid");
      $("short-error").hidden = true;
      done(n);
    };
    onTap($("short-ok"), ok);
    $("short-found").onkeydown = (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        ok();
      }
    };
    onTap($("short-cancel"), () => done(null));
  });
}

function shortNote(answer, task) {
  const parts = [t("count_requested", { location: answer.count_request?.location ?? task.location })];
  const added = answer.new_tasks ?? [];
  if (added.length) parts.push(t("rerouted", { n: added.length, locations: added.map((x) => x.location).join(", ") }));
  if (answer.missing) parts.push(t("short_missing", { n: answer.missing }));
  return parts.join(" ");
}

async function shortPick(engine) {
  const task = currentTask();
  if (!task) return;
  const found = await askFound(task);
  if (found === null) return;
  const body = { found, tote: task.tote };
  const label = t("label_short", { item: task.item.sku, location: task.location, found });
  let res;
  try {
    res = await write(`/api/picking/tasks/${task.id}/short`, body, scanStamp(), label);
  } catch (err) {
    showProblem(err);
    refresh();
    return;
  }
  if (res.queued) {
    change(task, { status: "short", qty_picked: task.qty_picked + found, rerouting: true });
    engine.reset(resumeStep());
    outcome("queued", t("queued_short", { location: task.location }));
    return;
  }
  merge([res.data.task, ...(res.data.new_tasks ?? [])]);
  engine.reset(resumeStep());
  outcome(res.data.missing ? "warn" : "ok", shortNote(res.data, task));
}

async function skipTask(engine) {
  const task = currentTask();
  if (!task || toPick().length < 2) return;
  const last = Math.max(...batch.tasks.map((x) => x.sequence));
  let res;
  try {
    res = await write(`/api/picking/tasks/${task.id}/skip`, {}, scanStamp(), t("label_skip", { location: task.location }));
  } catch (err) {
    showProblem(err);
    refresh();
    return;
  }
  if (res.queued) change(task, { status: "skipped", sequence: last + 1 });
  else merge([res.data.task]);
  engine.reset(resumeStep());
  outcome(res.queued ? "queued" : "ok", t(res.queued ? "queued_skip" : "skipped", { location: task.location }));
}

// ---- the step table ----------------------------------------------------------------------------------

runScreen({
  name: "pick",
  start: "cart",
  initial: () => ({ task: null }),
  resume: () => resumeStep(),
  restart: { to: "location" },
  itemStep: "item",
  steps: {
    cart: { prompt: "p_scan_cart", raw: startCart },
    location: {
      prompt: "p_pick_location",
      accepts: ANY_KIND,
      check: checkLocation,
      then: () => ({ task: currentTask().id }),
      next: "item",
    },
    item: {
      prompt: "p_pick_item",
      accepts: ANY_KIND,
      check: (s, scan) => checkItem(s, scan, 0),
      then: (s, scan) => {
        const match = matchItem(currentTask(), scan);
        eng.stepper.set(match.units, { quiet: true });
        const item = { ...scan.item, units: match.units, lot: match.lot, known: true, sku: currentTask().item.sku,
                       name: currentTask().item.name };
        const task = currentTask();
        const lots = task.lot ? [{ lot: task.lot, expiry: task.expiry }] : null;
        return { item, stamp: null, lots, lotNext: afterQty(match.units) };
      },
      next: (s) => afterItem(s, eng.stepper.value),
    },
    qty: {
      prompt: (s) => t("p_pick_qty", { n: left(currentTask()), qty: eng.stepper.value }),
      accepts: ANY_KIND,
      check: (s, scan) => checkItem(s, scan, eng.stepper.value),
      then: (s, scan) => {
        eng.stepper.set(eng.stepper.value + matchItem(currentTask(), scan).units, { quiet: true });
        return {};
      },
      next: () => afterQty(eng.stepper.value),
    },
    tote: {
      prompt: () => t("p_pick_tote", { number: currentTask().tote_number, tote: currentTask().tote }),
      accepts: ANY_KIND,
      check: checkTote,
      write: (s, scan) => {
        const task = currentTask();
        const body = { location: task.location, item: s.item.raw.trim(), qty: s.qty, tote: scannedCode(scan) };
        const lot = s.item.lot ?? task.lot;
        if (lot) body.lot = lot;
        const label = t("label_pick", { qty: s.qty, item: task.item.sku, location: task.location, tote: body.tote });
        return { path: `/api/picking/tasks/${task.id}/pick`, body, label };
      },
      done: (s, answer, { body }) => ({
        text: t("picked", { qty: body.qty, item: s.item.sku, number: taskById(s.task).tote_number }),
      }),
      queued: (s, { body }) => t("queued_pick", { qty: body.qty, item: s.item.sku, number: taskById(s.task).tote_number }),
      // The task as the server answered it; offline, as this pick leaves it (the server's comes after the replay).
      after: (s, res, { body }) => {
        const task = taskById(s.task);
        if (res.queued) {
          const picked = task.qty_picked + body.qty;
          change(task, { qty_picked: picked, status: picked >= task.qty ? "picked" : task.status });
        } else {
          merge([res.data.task]);
        }
        return {};
      },
      // A refusal the page could not foresee (the order was cancelled meanwhile): the server's batch is right.
      refused: (err) => {
        if (err instanceof ApiProblem && ["task_closed", "not_your_batch"].includes(err.code)) refresh();
        return null;
      },
      next: () => resumeStep(),
    },
    rerouting: {
      prompt: "p_pick_rerouting",
      raw: () => {
        throw wrongScan(t("p_pick_rerouting"));
      },
    },
    done: { prompt: "p_batch_done", raw: startCart },
  },
  buttons: {
    short: shortPick,
    skip: skipTask,
    "qty-done": (engine) => engine.step === "qty" && engine.go("tote"),
    "next-cart": nextCart,
  },
  // The quantity may be set with − and +, never above what the task still needs.
  onQty: (engine, n) => {
    const task = currentTask();
    if (task && n > left(task)) engine.stepper.set(left(task), { quiet: true });
  },
  setup: (engine) => {
    eng = engine;
    batch = stored();
    api.reportDevice({ batch: batch?.id ?? null });
    // Queued picks landed: the server's batch (re-allocated tasks included) replaces ours.
    let before = 0;
    // Waiting for a re-route: ask again now and then, in case the refresh after the drain failed.
    setInterval(() => eng.step === "rerouting" && refresh(), REROUTE_RETRY_MS);
    document.addEventListener("shipfloor:outbox", (e) => {
      if (before > 0 && e.detail.count === 0) refresh();
      before = e.detail.count;
    });
    if (navigator.onLine === false) return;
    api.get("/api/picking/current").then(
      (answer) => {
        if (batch && batch.id === answer.id && !eng.state.item) return refresh();
        if (!batch || batch.id !== answer.id) {
          keep(answer);
          eng.reset(resumeStep());
        }
        return null;
      },
      (err) => {
        // No batch in progress on the server: ours is finished (or was cancelled) unless picks still wait.
        if (err instanceof ApiProblem && err.code === "no_batch" && batch) refresh();
      },
    );
  },
  render: (engine, step) => {
    $("cart-step").hidden = step !== "cart";
    $("done-step").hidden = step !== "done";
    const atBin = step === "location" || step === "item";
    $("task-tools").hidden = !atBin;
    $("skip").hidden = toPick().length < 2;
    $("qty-done").hidden = step !== "qty";
    renderTask(step);
    if (step === "done") renderSummary();
  },
});
