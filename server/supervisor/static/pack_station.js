// The desktop pack station: one scan field that keeps the focus (a keyboard-wedge scanner types, then
// Enter), big tables, keys for the rest (F2 new package, F4 close, F8 ship, Esc next order). The page
// computes nothing: it shows the pack state the server answers (docs/packing-api.md) and the rate shop.
// The handheld's device identity (same browser install, same keys): a badge sign-in binds its token to it.
import { deviceId, deviceProof, saveDeviceProof } from "/hh/static/js/session.js";

const $ = (id) => document.getElementById(id);
const words = JSON.parse($("pack-words").textContent);
const SESSION = "shipfloor.packStation";

let session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
let order = null; // the pack state in hand
let pendingTote = null; // a sort-later tote waiting for its item scan
let quotes = [];
let boxChoice = null; // the box the packer chose by hand for a package: {package, code}

function say(key, values = {}) {
  return (words[key] ?? key).replace(/\{(\w+)\}/g, (_m, name) => String(values[name] ?? ""));
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function key() {
  return globalThis.crypto?.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

class Problem extends Error {
  constructor(body) {
    super(body.detail || body.title);
    this.body = body;
  }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json", "X-Device-Id": deviceId() };
  if (session?.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["Idempotency-Key"] = key();
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new Problem({ title: say("offline"), detail: "" });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && !path.startsWith("/api/auth/")) signOut();
  if (!response.ok) throw new Problem(data ?? { title: String(response.status), detail: "" });
  return data;
}

// ---- feedback ---------------------------------------------------------------------------------

let audio = null;
function beep(ok) {
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = ok ? 1200 : 220;
    tone.type = ok ? "sine" : "square";
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (ok ? 0.08 : 0.5));
  } catch {
    // no sound on this machine: the banner still says it
  }
}

function showError(err) {
  const body = err instanceof Problem ? err.body : { title: String(err), detail: "" };
  $("error-title").textContent = body.title ?? "";
  $("error-detail").textContent = body.detail ?? "";
  $("error").dataset.code = body.code ?? "";
  $("error").hidden = false;
  $("outcome").hidden = true;
  beep(false);
}

function showOutcome(text) {
  $("error").hidden = true;
  $("outcome").textContent = text;
  $("outcome").hidden = false;
  beep(true);
}

function focusScan() {
  if (!$("bench").hidden && document.activeElement?.tagName !== "SELECT" &&
      !["weight", "external-service"].includes(document.activeElement?.id) &&
      !document.activeElement?.closest("#external-numbers")) {
    $("scan").focus();
  }
}

// ---- rendering --------------------------------------------------------------------------------

function openPackage() {
  return order?.packages.find((p) => p.number === order.open_package) ?? null;
}

function promptText() {
  if (pendingTote) return say("scan_item_first", { tote: pendingTote });
  if (!order) return say("scan_order");
  if (order.ready_to_ship) return say("ready");
  if (order.units.left === 0 && openPackage()) return say("all_packed");
  return say("scan_items", { order: order.channel_order_id, package: order.open_package ?? "–" });
}

function renderLines() {
  const body = $("lines");
  body.replaceChildren();
  for (const line of order.lines) {
    const row = el("tr", null, { "data-sku": line.sku });
    for (const value of [line.sku, line.name, line.qty, line.picked, line.packed, line.left]) row.append(el("td", value));
    row.dataset.done = String(line.left === 0);
    body.append(row);
  }
}

function renderPackages() {
  const body = $("packages");
  body.replaceChildren();
  for (const p of order.packages) {
    const row = el("tr", null, { "data-package": String(p.number) });
    const contents = p.lines.map((l) => `${l.qty} × ${l.sku}${l.lot ? ` (${l.lot})` : ""}`).join(", ");
    for (const value of [`${p.number}`, p.status, contents, p.box ?? (p.length_mm ? `${p.length_mm}×${p.width_mm}×${p.height_mm}` : ""),
      p.weight_g ?? "", p.tracking_number ?? ""]) row.append(el("td", value));
    body.append(row);
  }
}

async function renderBoxes() {
  const open = openPackage();
  $("close-form").hidden = !open || order.ready_to_ship;
  if ($("close-form").hidden) return;
  const select = $("box");
  if (!select.options.length) {
    const boxes = await call("GET", "/api/packing/boxes").catch(() => ({ boxes: [] }));
    for (const box of boxes.boxes) {
      select.append(el("option", `${box.code} · ${box.name} (${box.length_mm}×${box.width_mm}×${box.height_mm})`,
        { value: box.code }));
    }
  }
  // The packer's own choice for this package stands; otherwise the server's suggestion for what it holds.
  const mine = boxChoice?.package === open.number ? boxChoice.code : null;
  const suggested = open.suggested_box?.code;
  if (mine || suggested) select.value = mine ?? suggested;
}

async function renderShip() {
  $("ship").hidden = !order.ready_to_ship || order.packages.some((p) => p.tracking_number);
  if ($("ship").hidden) return;
  const numbers = $("external-numbers");
  numbers.replaceChildren();
  for (const p of order.packages) {
    numbers.append(el("label", `#${p.number} `), el("input", null, { "data-package": String(p.number), autocomplete: "off" }));
  }
  try {
    quotes = (await call("GET", `/api/shipping/rates?order=${order.id}`)).quotes;
  } catch (err) {
    quotes = [];
    showError(err);
  }
  const body = $("quotes");
  body.replaceChildren();
  if (!quotes.length) body.append(el("tr", null).appendChild(el("td", say("no_quotes"), { colspan: "6" })).parentNode);
  quotes.forEach((q, i) => {
    const row = el("tr", null, { "data-carrier": q.carrier, "data-service": q.service });
    const pick = el("input", null, { type: "radio", name: "quote", value: String(i), id: `quote-${i}` });
    pick.checked = q.suggested;
    const cell = el("td");
    cell.append(pick);
    row.append(cell, el("td", q.carrier), el("td", q.service_name ?? q.service),
      el("td", `${(q.cents / 100).toFixed(2)} ${q.currency}`), el("td", q.delivery_date),
      el("td", [q.meets_promise ? say("meets") : say("late"), q.suggested ? say("suggested") : ""].filter(Boolean).join(" · ")));
    body.append(row);
  });
}

function renderSlip() {
  if (!order) return;
  $("slip-ref").textContent = order.channel_order_id;
  const to = order.ship_to;
  $("slip-to").textContent = [to.name, to.address1, to.address2, `${to.postal_code} ${to.city}`, to.country]
    .filter(Boolean).join(", ");
  const box = $("slip-packages");
  box.replaceChildren();
  for (const p of order.packages) {
    box.append(el("h3", `${p.number} / ${order.packages.length}`));
    const list = el("ul");
    for (const l of p.lines) list.append(el("li", `${l.qty} × ${l.sku} · ${l.name}`));
    box.append(list);
  }
}

async function render() {
  $("prompt").textContent = promptText();
  $("order").hidden = !order;
  if (!order) return;
  $("order-ref").textContent = order.channel_order_id;
  $("order-status").textContent = order.status;
  const to = order.ship_to;
  $("ship-to").textContent = [to.name, to.address1, to.city, to.postal_code, to.country].filter(Boolean).join(", ");
  renderLines();
  renderPackages();
  renderSlip();
  await renderBoxes();
  await renderShip();
}

async function take(state, text) {
  order = state;
  if (text) showOutcome(text);
  await render();
  focusScan();
}

// ---- actions ----------------------------------------------------------------------------------

async function onScan(code) {
  if (!code) return;
  try {
    if (pendingTote) {
      const tote = pendingTote;
      pendingTote = null;
      const state = await call("POST", "/api/packing/start", { code: tote, station: session.station, item: code });
      order = state;
      await scanItem(code);
      return;
    }
    if (!order || order.ready_to_ship) {
      await start(code);
      return;
    }
    await scanItem(code);
  } catch (err) {
    if (err instanceof Problem && err.body.code === "scan_item_first") {
      pendingTote = code;
      $("error").hidden = true;
      beep(true);
      await render();
      return;
    }
    showError(err);
    await render();
  }
}

async function start(code) {
  const state = await call("POST", "/api/packing/start", { code, station: session.station });
  pendingTote = null;
  await take(state, null);
  $("error").hidden = true;
  beep(true);
}

async function scanItem(code) {
  const state = await call("POST", `/api/packing/orders/${order.id}/scan`, { code });
  await take(state, say("packed_n", state.last));
}

async function closePackage() {
  const open = openPackage();
  if (!open) return;
  const typed = $("weight").value.trim();
  if (!typed) {
    showError(new Problem({ title: say("weight_needed"), detail: "" }));
    $("weight").focus();
    return;
  }
  // Digits alone are grams typed by hand; anything else is what the scale typed ("1.25 kg").
  const body = /^\d+$/.test(typed) ? { weight_g: Number(typed) } : { weight: typed };
  body.box = $("box").value || null;
  try {
    const state = await call("POST", `/api/packing/orders/${order.id}/packages/${open.number}/close`, body);
    $("weight").value = "";
    const closed = state.packages.find((p) => p.number === open.number);
    await take(state, say("closed", { package: open.number, weight: closed?.weight_g ?? "" }));
  } catch (err) {
    showError(err);
  }
}

async function newPackage() {
  if (!order || order.ready_to_ship) return;
  try {
    const state = await call("POST", `/api/packing/orders/${order.id}/packages`, { station: session.station });
    await take(state, null);
  } catch (err) {
    showError(err);
  }
}

async function ship() {
  if (!order?.ready_to_ship) return;
  const numbers = [...$("external-numbers").querySelectorAll("input")].map((i) => i.value.trim());
  let body;
  if ($("external").open && numbers.every(Boolean)) {
    body = { order: order.id, carrier: $("external-carrier").value, service: $("external-service").value.trim(),
             tracking_numbers: numbers, station: session.station };
  } else {
    const chosen = quotes[Number(document.querySelector("input[name=quote]:checked")?.value)];
    if (!chosen) return;
    body = { order: order.id, carrier: chosen.carrier, service: chosen.service, station: session.station };
  }
  try {
    const shipment = await call("POST", "/api/shipments", body);
    const state = await call("GET", `/api/packing/orders/${order.id}`);
    await take(state, say("shipped", { carrier: shipment.carrier, tracking: (shipment.tracking_numbers ?? []).join(", ") }));
  } catch (err) {
    showError(err);
  }
}

async function withReason(path, extra = {}) {
  const reason = window.prompt(say("reason_needed"));
  if (!reason) return;
  try {
    const state = await call("POST", path, { reason, ...extra });
    await take(state, path.endsWith("send-back") ? say("sent_back", { order: state.channel_order_id, reason }) : null);
  } catch (err) {
    showError(err);
  }
}

function nextOrder() {
  order = null;
  pendingTote = null;
  $("error").hidden = true;
  $("outcome").hidden = true;
  render();
  focusScan();
}

// ---- sign in ----------------------------------------------------------------------------------

function signedIn() {
  $("sign-in").hidden = true;
  $("bench").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = say("signed_in", { name: session.user?.name ?? "", station: session.station });
  render();
  focusScan();
}

function signOut() {
  session = null;
  sessionStorage.removeItem(SESSION);
  order = null;
  $("sign-in").hidden = false;
  $("bench").hidden = true;
  $("sign-out").hidden = true;
  $("who").textContent = "";
}

// Badge and PIN (floor staff) or name and password (supervisors): one form, two labels.
let signInMode = "badge";
$("sign-in-mode").addEventListener("click", () => {
  signInMode = signInMode === "badge" ? "name" : "badge";
  for (const id of ["username-label", "password-label", "sign-in-mode"]) $(id).textContent = $(id).dataset[signInMode];
  $("password").inputMode = signInMode === "badge" ? "numeric" : "text";
  $("username").focus();
});
// A badge scanner ends with Enter: go on to the PIN rather than submitting half a form.
$("username").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && signInMode === "badge" && !$("password").value) {
    e.preventDefault();
    $("password").focus();
  }
});

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("sign-in-error").hidden = true;
  try {
    const answer = signInMode === "badge"
      ? await call("POST", "/api/auth/badge-login", { badge: $("username").value.trim(), pin: $("password").value,
                                                      device_id: deviceId(), device_proof: deviceProof() })
      : await call("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
    saveDeviceProof(answer.device_proof);
    session = { token: answer.token, user: answer.user, station: $("station").value };
    sessionStorage.setItem(SESSION, JSON.stringify(session));
    $("password").value = "";
    signedIn();
  } catch (err) {
    $("sign-in-error").textContent = err instanceof Problem ? err.body.detail || err.body.title : String(err);
    $("sign-in-error").hidden = false;
  }
});

$("sign-out").addEventListener("click", () => {
  call("POST", "/api/auth/logout").catch(() => null);
  signOut();
});

// A wedge scanner types fast and ends with Enter: the scan field takes it whole.
$("scan").addEventListener("keydown", (e) => {
  if (e.key !== "Enter") return;
  e.preventDefault();
  const code = $("scan").value.trim();
  $("scan").value = "";
  onScan(code);
});
// The scale types its reading into the weight field and Enter closes the package.
$("close-form").addEventListener("submit", (e) => {
  e.preventDefault();
  closePackage();
});
$("box").addEventListener("change", () => {
  boxChoice = { package: openPackage()?.number, code: $("box").value };
});
$("new-package").addEventListener("click", newPackage);
$("ship-go").addEventListener("click", ship);
$("next-order").addEventListener("click", nextOrder);
$("print-slip").addEventListener("click", () => window.print());
$("send-back").addEventListener("click", () => order && withReason(`/api/packing/orders/${order.id}/send-back`));
$("override").addEventListener("click", () => order && withReason(`/api/packing/orders/${order.id}/override`));
document.addEventListener("keydown", (e) => {
  if ($("bench").hidden) return;
  const actions = { F2: newPackage, F4: closePackage, F8: ship, Escape: nextOrder };
  if (actions[e.key]) {
    e.preventDefault();
    actions[e.key]();
  }
});
document.addEventListener("click", () => setTimeout(focusScan, 0));

if (session?.token) signedIn();
else signOut();
