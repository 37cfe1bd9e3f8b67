// Page chrome shared by every handheld screen: network and queue indicators in the header,
// the "refused write" dialog, the service worker, and the way back to sign-in.
import { api, describeWrite, problemTitle } from "./api.js";
import { confirmDialog, errorBuzz, hideOverlay, onTap, showOverlay } from "./feedback.js";
import { lang, t } from "./i18n.js";
import { getSession } from "./session.js";

const HOME = "/hh/";

function setNet(online) {
  const el = document.getElementById("net-status");
  el.dataset.state = online ? "online" : "offline";
  el.textContent = t(online ? "online" : "offline");
}

function setQueue(count, refused) {
  document.getElementById("queue-count").textContent = String(count);
  const badge = document.getElementById("queue-badge");
  badge.dataset.state = refused ? "refused" : count ? "waiting" : "empty";
  // Said in words too, not by the red colour alone.
  badge.querySelector(".pill-label").textContent = t(refused ? "queue_refused" : "queue_waiting");
}

let shownSeq = null; // the refused write on screen, so the 5 s replay does not re-open it

function showRefused(entry) {
  if (!entry || entry.seq === shownSeq) return;
  shownSeq = entry.seq;
  const el = document.getElementById("refused-overlay");
  // What was refused, in the words of the work done ("Move 50 × SKU-1001 from A to B"), and why.
  document.getElementById("refused-title").textContent = t("refused_title", { what: describeWrite(entry) });
  document.getElementById("refused-detail").textContent = entry.problem?.detail || problemTitle(entry.problem);
  document.getElementById("refused-what").textContent = t("refused_when", {
    when: new Date(entry.scannedAt).toLocaleString(lang()),
  });
  const close = () => {
    shownSeq = null;
    hideOverlay(el);
  };
  onTap(document.getElementById("refused-retry"), () => {
    close();
    api.retryRefused(entry.seq);
  });
  onTap(document.getElementById("refused-discard"), async () => {
    el.hidden = true; // the confirmation replaces it; it comes back if the answer is no
    const sure = await confirmDialog(t("discard_confirm"), { yes: t("discard_yes"), no: t("discard_no") });
    if (sure) {
      close();
      api.discardRefused(entry.seq);
    } else {
      el.hidden = false;
    }
  });
  errorBuzz();
  showOverlay(el);
}

// The "No connection … saved on this device" line of a screen describes the last write it was told
// is queued. Once that write has gone (sent, or refused and discarded) the line is no longer true.
let lastQueued = null;

function clearQueuedNotes() {
  for (const note of document.querySelectorAll('main [data-state="queued"]')) {
    note.hidden = true;
    delete note.dataset.state;
  }
}

function watchQueuedNotes() {
  document.addEventListener("shipfloor:queued", (e) => {
    lastQueued = e.detail.seq;
  });
  const gone = (e) => {
    if (lastQueued !== null && e.detail.seq >= lastQueued) clearQueuedNotes(); // the queue goes in order
  };
  document.addEventListener("shipfloor:landed", gone);
  document.addEventListener("shipfloor:discarded", gone);
  // Another tab may have sent it: an empty queue leaves nothing "saved on this device".
  document.addEventListener("shipfloor:outbox", (e) => e.detail.count === 0 && clearQueuedNotes());
}

// Call once from each page module. `needsSession`: pages other than sign-in leave without one.
export function initShell({ needsSession = true } = {}) {
  if (needsSession && !getSession()) {
    location.replace(HOME);
    return false;
  }
  setNet(navigator.onLine !== false);
  window.addEventListener("online", () => setNet(true));
  window.addEventListener("offline", () => setNet(false));
  document.addEventListener("shipfloor:net", (e) => setNet(e.detail.online));
  watchQueuedNotes();
  document.addEventListener("shipfloor:outbox", (e) => {
    setQueue(e.detail.count, e.detail.refused);
    // Signed out, the dialog would block the badge scan that could fix it (an expired token):
    // the red badge shows it now, the dialog comes with the next sign-in.
    if (getSession()) showRefused(e.detail.refused);
  });
  // The token ended: sign-in lives on the home page, which handles this event itself.
  document.addEventListener("shipfloor:signedout", () => {
    if (!document.getElementById("login-screen")) location.assign(HOME);
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(`${HOME}sw.js`, { scope: HOME })
      .catch((e) => console.warn("no offline shell", e));
  }
  api.startOutbox();
  return true;
}
