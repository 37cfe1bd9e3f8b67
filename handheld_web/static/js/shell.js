// Page chrome shared by every handheld screen: network and queue indicators in the header,
// the "refused write" dialog, the service worker, and the way back to sign-in.
import { api } from "./api.js";
import { confirmDialog, errorBuzz, hideOverlay, onTap, showOverlay } from "./feedback.js";
import { t } from "./i18n.js";
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
  document.getElementById("refused-detail").textContent = entry.problem?.detail || t("request_failed");
  document.getElementById("refused-what").textContent = t("refused_what", {
    method: entry.method,
    path: entry.path,
    when: new Date(entry.scannedAt).toLocaleString(),
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
