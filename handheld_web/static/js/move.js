// Move: scan where from, scan the item, set the quantity, scan where to. A tote or pallet as the
// first scan moves the whole container with one more scan (its destination).
import { showProblem } from "./api.js";
import { isBlocking, nudge } from "./feedback.js";
import {
  $, Stepper, isContainer, itemFrom, locationCode, locationOf, outcome, prompt, refocus, resolveScan, sameCode,
  scanStamp, sequential, setFact, showItem, showLocationStock, write, wrongScan, countUpSameItem,
} from "./flow.js";
import { t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import { initShell } from "./shell.js";

// from → item → to, or from (a container) → container-to.
let step = "from";
let from = null;
let container = null;
let pending = null; // {item}
const stepper = new Stepper();

function go(next) {
  step = next;
  $("move-screen").dataset.step = step;
  setFact("from-code", step === "container-to" ? null : from);
  setFact("container-code", step === "container-to" ? container : null);
  $("item-card").hidden = step !== "to";
  $("unpack").hidden = step !== "container-to";
  $("restart").hidden = step === "from";
  const prompts = {
    from: t("p_move_from"),
    item: t("p_scan_item"),
    to: t("p_move_to"),
    "container-to": t("p_container_to", { container }),
  };
  prompt(prompts[step]);
  refocus();
}

function takeFrom(code) {
  from = code;
  container = null;
  pending = null;
  go("item");
  showLocationStock(from);
}

function startOver() {
  from = null;
  container = null;
  pending = null;
  $("from-stock").hidden = true;
  go("from");
}

async function onScan(code) {
  const answer = await resolveScan(code);
  const loc = locationOf(answer);
  const unknown = answer.kind === "unknown"; // offline: the step says what it must be
  if (step === "from" || (step === "item" && loc)) {
    if (!loc && !unknown) throw wrongScan(t("not_location", { code }));
    outcome(null);
    if (isContainer(answer)) {
      container = loc.code;
      from = loc.code; // "take items out of it instead" starts from here
      pending = null;
      go("container-to");
      showLocationStock(container);
    } else {
      takeFrom(locationCode(answer, code));
    }
    return;
  }
  if (step === "container-to") {
    if (!loc && !unknown) throw wrongScan(t("not_location", { code }));
    const to = locationCode(answer, code);
    if (sameCode(to, container)) throw wrongScan(t("p_container_to", { container }));
    await moveContainer(to, scanStamp());
    return;
  }
  if (step === "item") {
    if (answer.kind !== "item" && !unknown) throw wrongScan(t("not_item", { code }));
    const item = itemFrom(answer, code);
    pending = { item };
    stepper.set(item.units, { quiet: true });
    showItem(item);
    outcome(null);
    go("to");
    return;
  }
  // step "to": the same item again counts up; a location is where it goes.
  if (answer.kind === "item") {
    countUpSameItem(pending.item, answer, code, stepper);
    return;
  }
  if (!loc && !unknown) throw wrongScan(t("not_location", { code }));
  await moveItem(locationCode(answer, code), scanStamp());
}

async function moveItem(to, stamp) {
  const { item } = pending;
  const qty = stepper.value;
  const body = { item: item.code, qty, from, to };
  if (item.lot) body.lot = item.lot;
  const res = await write("/api/moves", body, stamp); // a refusal keeps the item in hand
  pending = null;
  const name = item.sku ?? item.raw.trim();
  if (res.queued) {
    outcome("queued", t("queued_move", { qty, item: name, to }));
  } else {
    const m = res.data;
    outcome("ok", t("moved", { qty: m.qty ?? qty, item: m.item ?? name, from: m.from ?? from, to: m.to ?? to }));
  }
  go("item");
  showLocationStock(from);
}

async function moveContainer(to, stamp) {
  const res = await write("/api/container-moves", { container, to }, stamp);
  if (res.queued) outcome("queued", t("queued_container", { container, to }));
  else outcome("ok", t("container_moved", { container: res.data.container ?? container, to: res.data.to ?? to }));
  startOver();
}

function start() {
  if (!initShell()) return;
  initScanner($("scan"), sequential(onScan, { isBlocking, nudge, showProblem }));
  $("cancel-item").addEventListener("click", () => {
    pending = null;
    outcome(null);
    go("item");
  });
  $("unpack").addEventListener("click", () => takeFrom(container));
  $("restart").addEventListener("click", () => {
    outcome(null);
    startOver();
  });
  go("from");
}

start();
