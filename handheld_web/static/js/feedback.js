// Sound, vibration and the blocking overlays. The scanner already beeps when it decodes; these
// sounds mean "the warehouse accepted / refused it", so they must stay distinct from it.
import { t } from "./i18n.js";

let audio = null;

// Browsers only allow audio after a user gesture; a wedge scan's keydown counts as one.
function unlockAudio() {
  if (audio) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  audio = new Ctx();
  audio.resume?.();
}
for (const type of ["pointerdown", "keydown", "touchend"]) {
  document.addEventListener(type, unlockAudio, { capture: true, passive: true });
}

// One tone, scheduled `at` seconds from now; a short ramp avoids loud clicks at the edges.
function tone(freq, ms, at = 0, wave = "square", volume = 0.25) {
  if (!audio) return;
  const start = audio.currentTime + at;
  const end = start + ms / 1000;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = wave;
  osc.frequency.setValueAtTime(freq, start);
  gain.gain.setValueAtTime(0, start);
  gain.gain.linearRampToValueAtTime(volume, start + 0.005);
  gain.gain.setValueAtTime(volume, end - 0.01);
  gain.gain.linearRampToValueAtTime(0, end);
  osc.connect(gain).connect(audio.destination);
  osc.start(start);
  osc.stop(end);
}

function vibrate(pattern) {
  navigator.vibrate?.(pattern);
}

export function goodBeep() {
  tone(2500, 100);
  vibrate(60);
}

// Two short beeps: "look at the screen", not "stop".
export function attentionBeep() {
  tone(2000, 80);
  tone(2000, 80, 0.16);
  vibrate([80, 80, 80]);
}

// Long, low and falling: recognisable through ear defenders and over forklift noise.
export function errorBuzz() {
  tone(400, 200, 0, "sawtooth", 0.35);
  tone(280, 250, 0.2, "sawtooth", 0.35);
  vibrate([200, 100, 200, 100, 200]);
}

// Overlays currently shown; while any is up, scans are refused (see scanner.js).
const open = new Set();

export function isBlocking() {
  return open.size > 0;
}

export function showOverlay(el) {
  open.add(el);
  el.hidden = false;
}

export function hideOverlay(el) {
  open.delete(el);
  el.hidden = true;
  // Give the scan field its focus back, or the next scan types into nothing.
  if (!open.size) document.dispatchEvent(new Event("shipfloor:refocus"));
}

// A scan arrived while an overlay waits for a tap: remind rather than dismiss.
export function nudge() {
  errorBuzz();
  for (const el of open) {
    el.classList.remove("shake");
    void el.offsetWidth; // restart the animation
    el.classList.add("shake");
  }
}

// Only a real tap counts: a wedge scanner's Enter on a focused button produces a click with
// detail 0, and a worker who keeps scanning must not dismiss the error unread.
export function onTap(button, handler) {
  button.onclick = (e) => {
    if (e.detail === 0 && !e.pointerType) return;
    handler();
  };
}

// Full-screen red error; resolves when the user taps OK.
export function showError(detail, { title = t("error") } = {}) {
  const el = document.getElementById("error-overlay");
  document.getElementById("error-title").textContent = title;
  document.getElementById("error-detail").textContent = detail;
  showOverlay(el);
  return new Promise((resolve) => {
    onTap(document.getElementById("error-ok"), () => {
      hideOverlay(el);
      resolve();
    });
  });
}

// Yes/no question with big buttons; resolves true for yes.
export function confirmDialog(text, { yes, no }) {
  const el = document.getElementById("confirm-overlay");
  document.getElementById("confirm-text").textContent = text;
  const yesBtn = document.getElementById("confirm-yes");
  const noBtn = document.getElementById("confirm-no");
  yesBtn.textContent = yes;
  noBtn.textContent = no;
  showOverlay(el);
  return new Promise((resolve) => {
    const done = (answer) => {
      hideOverlay(el);
      resolve(answer);
    };
    onTap(yesBtn, () => done(true));
    onTap(noBtn, () => done(false));
  });
}
