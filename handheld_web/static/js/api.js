// The only module that calls fetch. It adds auth, device and idempotency headers, turns
// problem+json answers into ApiProblem errors, and owns the offline write queue
// (DESIGN decision 10): writes wait in IndexedDB and are replayed in order, each with the
// Idempotency-Key made when it was scanned, so a resend can never post a move twice.
import { errorBuzz, showError } from "./feedback.js";
import { has, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as refs from "./refs.js"; // H2: ids of earlier queued writes in later paths (refs.js)
import { clearSession, deviceId, getSession, uuid } from "./session.js";

const READ_TIMEOUT_MS = 10000;
const DECODE_TIMEOUT_MS = 20000; // a phone photo uploads slowly over weak Wi-Fi
const WRITE_TIMEOUT_MS = 20000; // flaky Wi-Fi: give a write time before calling it lost
const REPLAY_EVERY_MS = 5000;
// Answers that mean "not processed, ask again later" (503, and a proxy that could not reach
// the API); with 409 request_in_progress these keep a write queued. Any other 4xx/5xx refuses it.
const TRANSIENT_STATUS = new Set([502, 503, 504]);

export class ApiProblem extends Error {
  constructor({ status, code, title, detail, field, expected, errors, type, lots }) {
    super(detail || title || `HTTP ${status}`);
    this.name = "ApiProblem";
    Object.assign(this, { status, code, title, detail, field, expected, errors, type, lots });
  }
}

// The request never got an answer (no network, timeout): safe to resend with the same key.
export class OfflineError extends Error {
  name = "OfflineError";
}

function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(`shipfloor:${name}`, { detail }));
}

function isTransient(err) {
  if (err instanceof OfflineError) return true;
  if (!(err instanceof ApiProblem)) return false;
  return TRANSIENT_STATUS.has(err.status) || err.code === "request_in_progress";
}

async function readBody(res) {
  let text;
  try {
    text = await res.text();
  } catch (e) {
    throw new OfflineError(e.message); // connection dropped mid-answer: resend with the same key
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toProblem(res, data) {
  const type = res.headers.get("Content-Type") || "";
  if (data && typeof data === "object" && (type.includes("problem+json") || data.code)) {
    return new ApiProblem({ status: res.status, ...data });
  }
  // A proxy or a crash answered, not our API: say so without inventing a code the UI switches on.
  return new ApiProblem({
    status: res.status,
    code: `http_${res.status}`,
    title: t("error"),
    detail: res.status >= 500 ? t("server_error") : t("request_failed"),
  });
}

async function send(method, path, body, { token, idempotencyKey, scannedAt, timeout }) {
  if (navigator.onLine === false) {
    emit("net", { online: false });
    throw new OfflineError("offline");
  }
  const headers = { Accept: "application/json, application/problem+json", "X-Device-Id": deviceId() };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method !== "GET") {
    if (!(body instanceof FormData)) headers["Content-Type"] = "application/json"; // FormData sets its own boundary
    headers["Idempotency-Key"] = idempotencyKey || uuid();
    headers["X-Scanned-At"] = scannedAt || new Date().toISOString();
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: method === "GET" ? undefined : body instanceof FormData ? body : JSON.stringify(body ?? {}),
      signal: abort.signal,
      credentials: "omit", // bearer tokens only, never a cookie session
      cache: "no-store",
    });
  } catch (e) {
    emit("net", { online: false });
    throw new OfflineError(e.message);
  } finally {
    clearTimeout(timer);
  }
  emit("net", { online: true });
  const data = await readBody(res);
  if (res.ok) return data ?? {};
  const problem = toProblem(res, data);
  // Only the current session's token ending means "sign in again"; a queued write may carry
  // the token of someone who signed out earlier.
  if (res.status === 401 && token && token === getSession()?.token) {
    clearSession();
    emit("signedout", { problem });
  }
  throw problem;
}

// One quiet retry with the same request (and so the same Idempotency-Key) for blips.
async function withRetry(fn) {
  try {
    return await fn();
  } catch (e) {
    if (!isTransient(e) || navigator.onLine === false) throw e;
    await new Promise((r) => setTimeout(r, 800));
    return fn();
  }
}

function get(path) {
  const token = getSession()?.token;
  return withRetry(() => send("GET", path, undefined, { token, timeout: READ_TIMEOUT_MS }));
}

// A direct POST (reads like /api/scan, login, logout): not queued, so it fails when offline.
function post(path, body = {}, { idempotencyKey } = {}) {
  const token = getSession()?.token;
  const key = idempotencyKey || uuid();
  const scannedAt = new Date().toISOString();
  const options = { token, idempotencyKey: key, scannedAt, timeout: READ_TIMEOUT_MS };
  return withRetry(() => send("POST", path, body, options));
}

// A picture to read barcodes from (POST /api/decode): a read, not a write, so never queued; it needs the network.
function decodeImage(blob, filename = "photo.jpg") {
  const token = getSession()?.token;
  const form = new FormData();
  form.append("image", blob, filename);
  return send("POST", "/api/decode", form, { token, timeout: DECODE_TIMEOUT_MS });
}

// ---- what a queued write does, in words ---------------------------------------------------

// For entries queued without a label (before labels existed): the action read from path and body.
const DESCRIPTIONS = [
  [/^\/api\/moves$/, (b) => t("label_move", { qty: b.qty, item: b.item, from: b.from, to: b.to })],
  [/^\/api\/container-moves$/, (b) => t("label_container_move", { container: b.container, to: b.to })],
  [/^\/api\/putaways$/, (b) => t("label_putaway", { qty: b.qty, item: b.item, from: b.from, to: b.to })],
  [/^\/api\/receipts\/blind$/, () => t("label_blind")],
  [/^\/api\/receipts\/[^/]+\/receive$/, (b) => {
    const item = String(b.code ?? "").replaceAll("\x1d", " "); // the scan as sent, GS1 separators and all
    return t("label_receive_into", { qty: b.qty, item, location: b.location });
  }],
  [/^\/api\/receipts\/([^/]+)\/close$/, (b, id) => t("label_close", { ref: id })],
  [/^\/api\/adjustments$/, (b) => t("label_adjust", { qty: b.qty, item: b.item, location: b.location })],
];

export function describeWrite({ label, path, body }) {
  if (label) return label;
  for (const [pattern, words] of DESCRIPTIONS) {
    const m = pattern.exec(path);
    if (m) return words(body ?? {}, ...m.slice(1).map(decodeURIComponent));
  }
  return t("label_other", { path });
}

// What the events about a queued write carry: enough for a screen to tell whether it is its own.
const writeDetail = (entry) => ({
  seq: entry.seq,
  method: entry.method,
  path: entry.path,
  body: entry.body,
  label: describeWrite(entry),
});

// ---- offline write queue ------------------------------------------------------------------

// seq -> {resolve, reject} for writes whose caller is still waiting for the server's answer.
const waiters = new Map();
let running = false;
let again = false;

// The queue as last announced, for the device report: replay stops at the first refused write, so only the
// head can be refused, and the head is the oldest entry.
let queueNow = { queued: 0, refused: 0, oldest_queued_at: null };

async function announce() {
  try {
    const [count, head] = await Promise.all([outbox.count(), outbox.first()]);
    emit("outbox", { count, refused: head?.state === "refused" ? head : null });
    const refused = head?.state === "refused" ? 1 : 0;
    const now = { queued: count - refused, refused, oldest_queued_at: head?.scannedAt ?? null };
    if (JSON.stringify(now) !== JSON.stringify(queueNow)) {
      queueNow = now;
      reportDevice(); // the dashboard hears of every change of the queue
    }
  } catch (e) {
    console.error("outbox unavailable", e);
  }
}

// Send queued writes oldest first; stop at the first one that cannot go now.
async function drain() {
  for (;;) {
    const entry = await outbox.first();
    if (!entry || entry.state === "refused" || navigator.onLine === false) return;
    const waiter = waiters.get(entry.seq);
    let data;
    try {
      const path = refs.resolvePath(entry.path); // H2: {ref:NAME} → the id an earlier write was given
      data = await send(entry.method, path, entry.body, { ...entry, timeout: WRITE_TIMEOUT_MS });
    } catch (e) {
      if (isTransient(e)) return; // stays queued with its key; the timer or `online` resends it
      // A record nobody has to decide about (a wrong scan's log): dropped when refused, never blocks the queue.
      if (entry.optional) {
        waiters.delete(entry.seq);
        await outbox.remove(entry.seq);
        waiter?.reject(e);
        continue;
      }
      // A 401 is kept even when someone waits: signing in again and tapping Retry saves it.
      if (waiter && e.status !== 401) {
        // The person who scanned is still on that screen and is shown the refusal there.
        waiters.delete(entry.seq);
        await outbox.remove(entry.seq);
        waiter.reject(e);
        continue;
      }
      // Nobody is waiting any more: keep it, mark it, and block the queue until a person decides.
      const problem = { status: e.status, code: e.code, title: e.title, detail: e.detail || e.message };
      await outbox.put({ ...entry, state: "refused", problem });
      return;
    }
    refs.remember(entry.ref, data); // H2: before removing it, so no later write can miss the id
    await outbox.remove(entry.seq);
    waiters.delete(entry.seq);
    if (waiter) waiter.resolve(data);
    else emit("landed", { ...writeDetail(entry), data }); // its screen only said "queued"
    await announce();
  }
}

// Replay the queue; concurrent calls fold into one run, and tabs take turns through a lock
// (a duplicate send would be harmless thanks to the key, but costs a 409 round trip).
export async function replay() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    do {
      again = false;
      const job = () => drain();
      await (navigator.locks ? navigator.locks.request("shipfloor-outbox", job) : job());
    } while (again);
  } catch (e) {
    console.error("replay failed", e);
  } finally {
    running = false;
    // Whatever is still queued now goes out in the background; callers get {queued: true}.
    for (const [seq, w] of waiters) {
      waiters.delete(seq);
      w.resolve({ queued: true });
      emit("queued", { seq });
    }
    await announce();
  }
}

// Queue a write and try to send it now. Resolves with the server's JSON once it lands, or
// {queued: true} when it has to wait; rejects with ApiProblem when the server refuses it
// while the caller waits (the caller shows it). `label` names the action for people ("Move 5 ×
// SKU-1 from A to B"): the refused-write dialog shows it, perhaps long after the screen is gone. `optional`: a
// record nobody has to decide about, dropped if the server refuses it instead of blocking the queue.
async function enqueueWrite(method, path, body = {}, { idempotencyKey, scannedAt, ref } = {},
                            { label, optional = false } = {}) {
  const s = getSession();
  const entry = {
    method,
    path,
    body,
    idempotencyKey: idempotencyKey || uuid(),
    scannedAt: scannedAt || new Date().toISOString(),
    ref: ref ?? null, // H2: keep this answer's id under that name (refs.js)
    token: s?.token ?? null,
    userId: s?.user?.id ?? null,
    deviceId: deviceId(),
    label: label || null,
    optional,
    state: "pending",
  };
  let seq;
  try {
    seq = await outbox.add(entry);
  } catch (e) {
    // No IndexedDB (private mode, full disk): nothing can wait, so send straight away.
    console.error("outbox unavailable, sending directly", e);
    return send(method, path, body, { ...entry, timeout: WRITE_TIMEOUT_MS });
  }
  // Wait for the answer from here on: a replay already running (the timer, another write) may send this entry
  // while announce() awaits, and its answer must reach this caller, not be reported as landed in the background.
  const answer = new Promise((resolve, reject) => waiters.set(seq, { resolve, reject }));
  await announce();
  if (navigator.onLine === false && waiters.delete(seq)) {
    emit("queued", { seq });
    return { queued: true };
  }
  replay();
  return answer;
}

// Send a refused write again. If the same person has signed in again since, their new token
// replaces an expired one; keys are scoped per user, so the key still means the same write.
async function retryRefused(seq) {
  const entry = await outbox.get(seq);
  if (!entry) return;
  const s = getSession();
  const token = s && entry.userId != null && s.user?.id === entry.userId ? s.token : entry.token;
  await outbox.put({ ...entry, token, state: "pending", problem: null });
  await replay();
}

// Drop a refused write for good. The UI asks for explicit confirmation before calling this.
async function discardRefused(seq) {
  const entry = await outbox.get(seq);
  await outbox.remove(seq);
  if (entry) emit("discarded", writeDetail(entry));
  await replay();
}

async function pendingCount() {
  try {
    return await outbox.count();
  } catch {
    return 0;
  }
}

// ---- device report -------------------------------------------------------------------------

// What this handheld tells the supervisor's dashboard (POST /api/devices/report): the page it shows, the batch
// in hand, its waiting and refused writes. Never queued: a stale status is worth nothing, so a report that
// cannot go now is dropped; the next one (the queue changed, a screen opened, every minute) says more.
const REPORT_EVERY_MS = 60000;
const REPORT_GATHER_MS = 250; // reports asked for together (a screen opening with its batch) go as one
const device = { batch: null };
let reportTimer = null;

async function sendReport() {
  const token = getSession()?.token;
  if (!token || navigator.onLine === false) return;
  try {
    const body = { screen: document.body?.dataset.page || null, batch: device.batch, ...queueNow };
    await send("POST", "/api/devices/report", body, { token, timeout: READ_TIMEOUT_MS });
  } catch (e) {
    if (!(e instanceof OfflineError)) console.warn("device report not sent", e);
  }
}

// Report soon; `patch` updates what this page holds ({batch: id or null}).
function reportDevice(patch = {}) {
  Object.assign(device, patch);
  reportTimer ??= setTimeout(() => {
    reportTimer = null;
    sendReport();
  }, REPORT_GATHER_MS);
}

let started = false;

// Start background replay and the device's reports; shell.js calls this once per page.
function startOutbox() {
  if (started) return;
  started = true;
  const visible = () => document.visibilityState === "visible";
  window.addEventListener("online", () => replay());
  document.addEventListener("visibilitychange", () => {
    if (!visible()) return;
    replay();
    reportDevice();
  });
  setInterval(() => replay(), REPLAY_EVERY_MS);
  setInterval(() => visible() && reportDevice(), REPORT_EVERY_MS);
  replay();
  reportDevice(); // a screen opened
}

// A title for people: ours for the codes we know, else the server's when it reads like words,
// never a code ("invalid_input") or a shout.
export function problemTitle(problem) {
  if (problem?.code && has(`problem_${problem.code}`)) return t(`problem_${problem.code}`);
  const title = problem?.title ?? "";
  return /[a-z]/.test(title) && !/_/.test(title) ? title : t("error");
}

// Buzz and show a failed request to the person holding the device.
export function showProblem(err) {
  errorBuzz();
  if (err instanceof ApiProblem) {
    return showError(err.detail || err.title || t("request_failed"), { title: problemTitle(err) });
  }
  if (err instanceof OfflineError) return showError(t("offline_needed"), { title: t("offline") });
  console.error(err);
  return showError(t("request_failed"));
}

export const api = {
  get,
  post,
  decodeImage,
  enqueueWrite,
  replay,
  retryRefused,
  discardRefused,
  pendingCount,
  startOutbox,
  reportDevice,
};
