// The page's one scan field. Keyboard-wedge scanners "type" the code in a fast burst ending
// in Enter or Tab; people type slowly and end with Enter or the Go button. Both become a
// `scan` event {code, wedge, source}; screens never read the field themselves. The camera (camera.js) feeds
// the same field through submitCode.
import { initCamera } from "./camera.js";
import { isBlocking, nudge } from "./feedback.js";

const MAX_GAP_MS = 40; // heuristic from reference/scanners.md §3; tune on real devices
const REPEAT_MS = 500; // scanners double-trigger; the same code this soon is one scan
const GS = "\x1d";

// Fields a person focuses on purpose; the scan field must not steal focus from them.
function isOtherField(el, scanEl) {
  return el && el !== scanEl && (el.matches("input, textarea, select") || el.isContentEditable);
}

// The last scan of each field, for the repeat filter, whichever way the code came.
const lastScans = new WeakMap();

function lastScanOf(inputEl) {
  if (!lastScans.has(inputEl)) lastScans.set(inputEl, { code: "", at: -Infinity });
  return lastScans.get(inputEl);
}

/**
 * Make `code` a scan of the field: the one rule for keys, the camera and photos alike. Nothing happens for
 * an empty code or the same code again within REPEAT_MS; while an error waits to be read the scan is refused
 * with a nudge. Returns whether the `scan` event was sent.
 */
export function submitCode(inputEl, code, { wedge = true, source = "keyboard" } = {}) {
  if (!code.trim()) return false;
  if (isBlocking()) {
    nudge(); // an error is still on screen: it must be read and tapped away first
    return false;
  }
  const last = lastScanOf(inputEl);
  const now = performance.now();
  if (code === last.code && now - last.at < REPEAT_MS) return false;
  last.code = code;
  last.at = now;
  inputEl.dispatchEvent(new CustomEvent("scan", { bubbles: true, detail: { code, wedge, source } }));
  return true;
}

export function initScanner(inputEl, onScan) {
  let started = false; // a keystroke of the current code has been seen
  let lastKeyAt = 0;
  let wedge = true;

  // Every keystroke or inserted text counts; a single gap >= MAX_GAP_MS means a person typed.
  const mark = () => {
    const now = performance.now();
    if (started && now - lastKeyAt >= MAX_GAP_MS) wedge = false;
    started = true;
    lastKeyAt = now;
  };

  const reset = () => {
    inputEl.value = "";
    started = false;
    wedge = true;
  };

  const finish = () => {
    mark(); // the gap before Enter/Tab counts too
    const code = inputEl.value;
    const isWedge = wedge;
    reset();
    submitCode(inputEl, code, { wedge: isWedge });
  };

  inputEl.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || (e.key === "Tab" && inputEl.value)) {
      e.preventDefault(); // no form submit, no focus move: the field stays ready for the next scan
      finish();
    } else if ((e.ctrlKey && (e.key === "]" || e.code === "BracketRight")) || e.key === GS) {
      // GS1 group separator: many wedge scanners send it as Ctrl+], which types nothing.
      e.preventDefault();
      mark();
      inputEl.setRangeText(GS, inputEl.selectionStart, inputEl.selectionEnd, "end");
    } else if (e.key.length === 1 || e.key === "Unidentified" || e.key === "Process") {
      mark(); // Android IMEs (DataWedge) report text keys as "Unidentified"
    }
  });
  inputEl.addEventListener("input", (e) => {
    if (e.inputType === "insertFromPaste" || e.inputType === "insertFromDrop") wedge = false;
    else mark();
  });
  // The Go button (and the soft keyboard's Go key where Enter is not reported).
  inputEl.form?.addEventListener("submit", (e) => {
    e.preventDefault();
    finish();
  });

  // Keep focus on the scan field: a scan typed into nowhere is the classic handheld bug.
  const refocus = () => {
    if (inputEl.disabled || !inputEl.isConnected || inputEl.offsetParent === null) return;
    if (isOtherField(document.activeElement, inputEl)) return;
    if (document.activeElement !== inputEl) inputEl.focus({ preventScroll: true });
  };
  inputEl.addEventListener("blur", () => setTimeout(refocus, 0));
  document.addEventListener("shipfloor:refocus", () => setTimeout(refocus, 0));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refocus());
  window.addEventListener("pageshow", refocus);

  // Phones without a hardware scanner need the soft keyboard; scanners are better without it.
  const kbd = document.getElementById("scan-keyboard");
  kbd?.addEventListener("click", () => {
    const on = inputEl.inputMode !== "text";
    inputEl.inputMode = on ? "text" : "none";
    kbd.setAttribute("aria-pressed", String(on));
    inputEl.blur();
    inputEl.focus(); // re-focus so Android shows or hides the keyboard now
  });

  // A tap between two scans of the same code (+, Receive, OK...) proves they are two acts, not one
  // double trigger: the next scan must count even within REPEAT_MS.
  document.addEventListener("pointerdown", () => {
    lastScanOf(inputEl).code = "";
  }, { capture: true, passive: true });

  if (onScan) inputEl.addEventListener("scan", (e) => onScan(e.detail, e));
  initCamera(inputEl, (code) => submitCode(inputEl, code, { source: "camera" }));
  refocus();
  replayEarlyScan(inputEl);
  return { focus: refocus, clear: reset };
}

// A scan made while the page was still loading (a slow phone, the first seconds after a tap) submits the
// field's form the browser's way before this script runs: the page comes back as ?scan=CODE. Take that code
// as the first scan instead of losing it — only when this very page sent it (a link from elsewhere does not
// scan anything) — and clean the address so a reload does not scan it again.
function replayEarlyScan(inputEl) {
  const url = new URL(window.location.href);
  const code = url.searchParams.get(inputEl.name);
  if (code === null) return;
  url.searchParams.delete(inputEl.name);
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  let from = null;
  try {
    from = new URL(document.referrer);
  } catch {
    return;
  }
  if (from.origin !== url.origin || from.pathname !== url.pathname || !code.trim()) return;
  // After the screen has set itself up (the caller finishes synchronously).
  setTimeout(() => inputEl.dispatchEvent(new CustomEvent("scan", { bubbles: true, detail: { code, wedge: true } })), 0);
}
