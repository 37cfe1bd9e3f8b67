// The app shell page: badge + PIN sign-in, then the home screen with the task tiles.
import { ApiProblem, api, showProblem } from "./api.js";
import { confirmDialog, goodBeep } from "./feedback.js";
import { t } from "./i18n.js";
import { initScanner } from "./scanner.js";
import {
  clearSession, deviceId, deviceProof, getSession, saveDeviceProof, saveSession, updateUser,
} from "./session.js";
import { initShell } from "./shell.js";

const $ = (id) => document.getElementById(id);
let badge = null; // the scanned badge, kept only until the PIN is sent

function showBadgeStep() {
  badge = null;
  $("pin").value = "";
  $("pin-step").hidden = true;
  $("badge-step").hidden = false;
  document.dispatchEvent(new Event("shipfloor:refocus"));
}

function showPinStep() {
  $("badge-step").hidden = true;
  $("pin-step").hidden = false;
  $("badge-ok").textContent = t("badge_ok");
  $("pin").value = "";
  $("pin").focus();
}

function showLogin() {
  $("home-screen").hidden = true;
  $("login-screen").hidden = false;
  showBadgeStep();
}

// A role the page has no label for is shown as the server spells it.
function roleLabel(role) {
  const label = t(`role_${role}`);
  return label === `role_${role}` ? role : label;
}

// The task tiles, from the screen list the server renders (handheld_web/screens.py): a screen not
// built yet shows disabled; each tile names the roles the server lets do that screen's writes.
function buildTiles() {
  const nav = $("tiles");
  if (nav.children.length) return;
  for (const screen of JSON.parse($("screens").textContent)) {
    const tile = document.createElement(screen.url ? "a" : "button");
    tile.id = `tile-${screen.name}`;
    tile.className = screen.url ? "tile" : "tile tile-off";
    tile.dataset.roles = screen.roles.join(" ");
    tile.dataset.icon = screen.icon;
    tile.textContent = screen.title;
    if (screen.url) {
      tile.href = screen.url;
    } else {
      tile.type = "button";
      tile.disabled = true;
      const soon = document.createElement("small");
      soon.textContent = t("coming_soon");
      tile.append(" ", soon);
    }
    nav.append(tile);
  }
}

function showHome(user) {
  $("user-name").textContent = user?.name ?? "";
  $("user-role").textContent = user?.role ? roleLabel(user.role) : "";
  buildTiles();
  // Tasks of other roles stay out of the way (the server refuses them anyway).
  for (const tile of document.querySelectorAll(".tile[data-roles]")) {
    tile.hidden = !tile.dataset.roles.split(" ").includes(user?.role);
  }
  $("login-screen").hidden = true;
  $("home-screen").hidden = false;
}

async function signIn(e) {
  e.preventDefault();
  const pin = $("pin").value;
  if (!pin) {
    $("pin").focus();
    return;
  }
  $("pin-submit").disabled = true;
  try {
    const answer = await api.post("/api/auth/badge-login", {
      badge, pin, device_id: deviceId(), device_proof: deviceProof(),
    });
    saveDeviceProof(answer.device_proof);
    saveSession(answer);
    goodBeep();
    showHome(answer.user);
    api.replay(); // scans left waiting (or refused) on this device show up now
  } catch (err) {
    $("pin").value = "";
    await showProblem(err);
    // Throttled or locked: start over with the badge; otherwise let them try the PIN again.
    if (err instanceof ApiProblem && err.status === 429) showBadgeStep();
    else $("pin").focus();
  } finally {
    $("pin-submit").disabled = false;
  }
}

async function signOut() {
  await api.replay(); // give waiting scans a last chance to go out with this token
  const waiting = await api.pendingCount();
  if (waiting) {
    const question = t("logout_pending", { n: waiting });
    const sure = await confirmDialog(question, { yes: t("logout_yes"), no: t("logout_no") });
    if (!sure) return;
    // Leave the token valid on the server (it ends with the shift) so the queue can still go out.
  } else {
    try {
      await api.post("/api/auth/logout");
    } catch (err) {
      console.warn("logout not confirmed by the server", err); // the token expires on its own
    }
  }
  clearSession();
  showLogin();
}

// Check the stored session with the server when we can; offline, trust it until it expires.
async function verify() {
  if (navigator.onLine === false) return;
  try {
    const { user } = await api.get("/api/me");
    updateUser(user);
    showHome(user);
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 401) showLogin(); // api.js cleared it
  }
}

function start() {
  if (!initShell({ needsSession: false })) return;
  initScanner($("scan"), ({ code }) => {
    badge = code;
    goodBeep();
    showPinStep();
  });
  $("pin-step").addEventListener("submit", signIn);
  $("pin-back").addEventListener("click", showBadgeStep);
  $("logout").addEventListener("click", signOut);
  document.addEventListener("shipfloor:signedout", showLogin);

  const session = getSession();
  if (session) {
    showHome(session.user);
    verify();
  } else {
    showLogin();
  }
}

start();
