// Pack at 360x640: scan a tote, cart slot or order (a pack-station label first names where slips and labels
// print), then every unit — each checked by the server against what was picked for the order, a wrong or
// extra one refused loudly — into package 1, 2...; close a package with its box (scanned or tapped, the
// suggested one first) and its weight; when every unit is packed, tap the carrier service and the labels
// print. Packing needs the server to judge each unit: nothing is queued offline. API: docs/packing-api.md.
import { ApiProblem, OfflineError, api, showProblem } from "./api.js";
import { runScreen } from "./engine.js";
import { onTap } from "./feedback.js";
import { $, clearNode, el, outcome, resolveScan, wrongScan } from "./flow.js";
import { formatDate, t } from "./i18n.js";

let eng = null;
let order = null; // the pack state the server answered last
let station = null;
let sortTote = null; // a sort-later tote waiting for its item scan
let box = null; // the box chosen for the package being closed

const openPackage = () => order?.packages.find((p) => p.number === order.open_package) ?? null;

function nextStep() {
  if (!order) return "order";
  if (order.ready_to_ship) return order.packages.some((p) => p.tracking_number) ? "done" : "ship";
  return "item";
}

async function post(path, body) {
  try {
    return await api.post(path, body);
  } catch (err) {
    if (err instanceof OfflineError) throw wrongScan(t("offline_needed"));
    throw err;
  }
}

async function take(state, step = null) {
  order = state;
  eng.reset(step ?? nextStep());
}

// ---- the order -----------------------------------------------------------------------------------

async function startOrder(engine, code) {
  const answer = await resolveScan(code).catch(() => null);
  if (answer?.kind === "location" && answer.location.kind === "pack_station") {
    station = answer.location.code;
    $("pack-station").textContent = t("pack_station_set", { station });
    $("pack-station").hidden = false;
    outcome("ok", t("pack_station_set", { station }));
    return;
  }
  try {
    await take(await post("/api/packing/start", { code: code.trim(), station }));
    outcome(null);
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "scan_item_first") {
      sortTote = code.trim();
      engine.reset("sort");
      return;
    }
    throw err;
  }
}

async function sortItem(engine, code) {
  const state = await post("/api/packing/start", { code: sortTote, station, item: code.trim() });
  sortTote = null;
  order = state;
  await scanItem(engine, code);
}

// ---- units -----------------------------------------------------------------------------------------

async function scanItem(engine, code) {
  const state = await post(`/api/packing/orders/${order.id}/scan`, { code: code.trim() });
  await take(state, state.units.left === 0 ? "box" : "item");
  outcome("ok", t("pack_packed", state.last));
}

async function newPackage() {
  if (!order || order.ready_to_ship) return;
  await take(await post(`/api/packing/orders/${order.id}/packages`, { station }), "item");
}

function closePackage(engine) {
  if (openPackage()?.units) engine.reset("box");
}

// ---- box and weight --------------------------------------------------------------------------------

function chooseBox(code) {
  box = code;
  eng.reset("weight");
}

async function scanBox(engine, code) {
  const known = (await api.get("/api/packing/boxes")).boxes.find((b) => b.code.toUpperCase() === code.trim().toUpperCase());
  if (!known) throw wrongScan(t("problem_unknown_box"));
  chooseBox(known.code);
}

async function renderBoxes() {
  const list = clearNode($("pack-boxes"));
  const suggested = openPackage()?.suggested_box?.code;
  const boxes = (await api.get("/api/packing/boxes")).boxes;
  boxes.sort((a, b) => (b.code === suggested) - (a.code === suggested));
  for (const b of boxes) {
    const button = el("button", { cls: "choice", attrs: { type: "button", "data-box": b.code } }, [
      el("span", { cls: "choice-title", text: `${b.code} · ${b.length_mm}×${b.width_mm}×${b.height_mm}` }),
    ]);
    if (b.code === suggested) button.append(el("small", { cls: "badge", text: t("pack_suggested") }));
    onTap(button, () => chooseBox(b.code));
    list.append(el("li", {}, [button]));
  }
}

async function closeWithWeight(engine, typed) {
  const text = String(typed ?? "").trim();
  if (!text) return;
  const body = /^\d+$/.test(text) ? { weight_g: Number(text), box } : { weight: text, box };
  const number = openPackage().number;
  const state = await post(`/api/packing/orders/${order.id}/packages/${number}/close`, body);
  $("weight").value = "";
  box = null;
  await take(state);
  outcome("ok", t("pack_closed", { package: number }));
}

// ---- ship --------------------------------------------------------------------------------------------

async function renderQuotes() {
  const list = clearNode($("pack-quotes"));
  const { quotes } = await api.get(`/api/shipping/rates?order=${order.id}`);
  if (!quotes.length) list.append(el("li", { cls: "note", text: t("pack_no_quotes") }));
  for (const q of quotes) {
    const price = `${(q.cents / 100).toFixed(2)} ${q.currency}`;
    const button = el("button", { cls: "choice", attrs: { type: "button", "data-carrier": q.carrier, "data-service": q.service } }, [
      el("span", { cls: "choice-title", text: t("pack_quote", { carrier: q.carrier, service: q.service_name, price,
                                                                delivery: formatDate(q.delivery_date) }) }),
    ]);
    if (q.suggested) button.append(el("small", { cls: "badge", text: t("pack_suggested") }));
    onTap(button, () => chooseQuote(q).catch(showProblem));
    list.append(el("li", {}, [button]));
  }
}

// A carrier that makes its own labels (UPS, USPS... without an API key) ships once the packer has scanned the
// tracking number off each package's carrier label; ours (local) makes the numbers itself.
let shipping = null; // {quote, numbers: []} while tracking numbers are scanned

function chooseQuote(quote) {
  if (quote.issues_tracking) return ship(quote);
  shipping = { quote, numbers: [] };
  eng.reset("tracking");
  return Promise.resolve();
}

async function scanTracking(engine, code) {
  const number = code.trim();
  if (shipping.numbers.includes(number)) throw wrongScan(t("pack_tracking_again", { number }));
  shipping.numbers.push(number);
  if (shipping.numbers.length < order.packages.length) {
    engine.reset("tracking");
    outcome("ok", t("pack_tracking_got", { number, n: shipping.numbers.length }));
    return;
  }
  const { quote, numbers } = shipping;
  shipping = null;
  await ship(quote, numbers).catch((err) => {
    eng.reset("ship"); // a number the carrier's format refuses: choose and scan again
    throw err;
  });
}

async function ship(quote, trackingNumbers = undefined) {
  const shipment = await post("/api/shipments", { order: order.id, carrier: quote.carrier, service: quote.service,
                                                  station, tracking_numbers: trackingNumbers });
  await take(await api.get(`/api/packing/orders/${order.id}`), "done");
  outcome("ok", t("pack_shipped", { carrier: shipment.carrier, tracking: (shipment.tracking_numbers ?? []).join(", ") }));
}

// ---- on screen ---------------------------------------------------------------------------------------

function renderOrder(step) {
  $("pack-order").hidden = !order;
  if (!order) return;
  $("pack-ref").textContent = order.channel_order_id;
  $("pack-package").textContent = String(order.open_package ?? order.packages.length);
  $("pack-left").textContent = t("pack_left", { left: order.units.left, ordered: order.units.ordered });
  const lines = clearNode($("pack-lines"));
  for (const line of order.lines.filter((x) => x.left > 0)) {
    lines.append(el("li", { text: t("pack_line", { left: line.left, sku: line.sku, name: line.name }), attrs: { "data-sku": line.sku } }));
  }
  const packages = clearNode($("pack-packages"));
  for (const p of order.packages) {
    packages.append(el("li", { text: t("pack_package", { number: p.number, units: p.units, status: p.status }) }));
  }
  $("pack-tools").hidden = step !== "item";
  $("close-package").hidden = !openPackage()?.units;
}

const packagePrompt = (key) => () => t(key, { package: order?.open_package ?? "" });

runScreen({
  name: "pack",
  start: "order",
  initial: () => ({}),
  resume: () => nextStep(),
  restart: { to: "order" },
  steps: {
    order: { prompt: "p_pack_order", raw: startOrder },
    sort: { prompt: () => t("p_pack_sort", { tote: sortTote }), raw: sortItem },
    item: { prompt: packagePrompt("p_pack_item"), raw: scanItem },
    box: { prompt: packagePrompt("p_pack_box"), raw: scanBox, enter: () => renderBoxes() },
    weight: { prompt: packagePrompt("p_pack_weight"), raw: closeWithWeight, enter: () => $("weight").focus() },
    ship: { prompt: "p_pack_ship", raw: startOrder, enter: () => renderQuotes() },
    tracking: {
      prompt: () => t("p_pack_tracking", { carrier: shipping?.quote.carrier.toUpperCase() ?? "",
                                           package: (shipping?.numbers.length ?? 0) + 1 }),
      raw: scanTracking,
    },
    done: { prompt: "p_pack_done", raw: startOrder },
  },
  buttons: {
    "new-package": () => newPackage().catch(showProblem),
    "close-package": closePackage,
    "weight-ok": (engine) => closeWithWeight(engine, $("weight").value).catch(showProblem),
  },
  setup: (engine) => {
    eng = engine;
    $("weight").addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      closeWithWeight(engine, $("weight").value).catch(showProblem);
    });
  },
  render: (engine, step) => {
    if (step === "order") order = null;
    $("pack-box").hidden = step !== "box";
    $("pack-weight").hidden = step !== "weight";
    $("pack-ship").hidden = step !== "ship";
    renderOrder(step);
  },
});
