// Camera mode of the scan field: the phone's rear camera as a barcode scanner, for workers without a rugged
// one. A code read from a frame goes the way a wedge scan goes (scanner.js submitCode): the same repeat
// filter, the same blocking-error check, the same `scan` event, so every screen's steps and beeps handle it.
// Frames are read in the browser: the native BarcodeDetector where it has our formats, else zxing-wasm,
// vendored and served by us (never a CDN); when neither works, JPEG frames go to POST /api/decode.
import { ApiProblem, OfflineError, api } from "./api.js";
import { errorBuzz, onTap, showError } from "./feedback.js";
import { t } from "./i18n.js";

const FRAME_MS = 120; // a browser read every ~120 ms, never two at once
const BREATHE_MS = 30; // the least pause between reads, so that a slow phone's page still answers taps
const SERVER_FRAME_MS = 700; // the server fallback: one frame in flight, at most this often
const GONE_MS = 1000; // a code counts again only after this long in frames without it
const DECODE_WIDTH = 640; // frames are scaled down to this before decoding: fast enough on a cheap phone
const MAX_FAILURES = 3; // a browser decoder that throws this many frames in a row gives way to the server
const HIT_MS = 400;

const CONSTRAINTS = {
  audio: false,
  video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
};
// zxing-cpp names. Plain text keeps GS1's FNC1 separators as GS (0x1D), as a wedge scanner sends them.
const ZXING_OPTIONS = {
  formats: ["EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "Code93", "Codabar", "ITF", "DataBar",
    "DataBarExp", "DataBarLtd", "QRCode", "MicroQRCode", "DataMatrix", "PDF417", "Aztec"],
  textMode: "Plain",
  tryHarder: true,
  maxNumberOfSymbols: 4,
};
const NATIVE_FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "code_93", "codabar", "itf",
  "qr_code", "data_matrix", "pdf417", "aztec"];
// Without these a native detector misses too much of the floor's labels: zxing-wasm reads them all.
const NATIVE_NEEDED = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "qr_code", "data_matrix"];

/**
 * The camera's repeat rule, for one decoded frame: which of its codes count as new scans.
 * `present` maps each code in view to when it was last seen. A code counts when it comes into view; it
 * counts again only once it has been out of view for `goneMs` of frames, so a frame that missed it (blur,
 * a slow decode) does not make a second scan, and a picker who wants the same item twice moves the camera
 * away and back. Pure: returns the codes to submit and the next `present`.
 */
export function admitCodes(present, codes, now, goneMs = GONE_MS) {
  const inView = new Set(codes);
  const next = new Map();
  for (const [code, seenAt] of present) {
    if (inView.has(code) || now - seenAt < goneMs) next.set(code, seenAt);
  }
  const fresh = [...inView].filter((code) => !next.has(code));
  for (const code of inView) next.set(code, now);
  return { fresh, present: next };
}

// An EAN-13 starting with 0 is a UPC-A: a wedge scanner sends its 12 digits (as server/decode/engine.py).
function retail(isEan, text) {
  return isEan && /^0\d{12}$/.test(text) ? text.slice(1) : text;
}

function zxingText(result) {
  // GS1 data gets its symbology identifier (]C1, ]d2, ]Q3, ]e0) in front, as a scanner with AIM ids sends:
  // /api/scan then reads it as GS1 for sure.
  if (result.contentType === "GS1") return result.symbologyIdentifier + result.text;
  return retail(result.symbology === "EANUPC", result.text);
}

const middle = (points) => ({
  x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
  y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
});

async function nativeDecoder() {
  if (!("BarcodeDetector" in window)) return null;
  const supported = await window.BarcodeDetector.getSupportedFormats();
  if (!NATIVE_NEEDED.every((f) => supported.includes(f))) return null;
  const detector = new window.BarcodeDetector({ formats: NATIVE_FORMATS.filter((f) => supported.includes(f)) });
  return {
    every: FRAME_MS,
    async read(canvas) {
      const found = await detector.detect(canvas);
      return found.map((b) => ({
        text: retail(b.format === "ean_13", b.rawValue),
        ...middle(b.cornerPoints?.length ? b.cornerPoints : [{ x: b.boundingBox.x, y: b.boundingBox.y },
          { x: b.boundingBox.right, y: b.boundingBox.bottom }]),
      }));
    },
  };
}

async function zxingDecoder() {
  const zxing = await import("../vendor/zxing-wasm/reader/index.js");
  // The library fetches its .wasm from a CDN unless told otherwise: ours only, so it works offline too.
  const wasm = new URL("../vendor/zxing-wasm/zxing_reader.wasm", import.meta.url).href;
  try {
    await zxing.prepareZXingModule({
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path) },
      fireImmediately: true,
    });
  } catch (err) {
    zxing.purgeZXingModule(); // the next camera start fetches it again instead of keeping this failure
    throw err;
  }
  return {
    every: FRAME_MS,
    async read(canvas, ctx) {
      const results = await zxing.readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), ZXING_OPTIONS);
      const p = (r) => [r.position.topLeft, r.position.topRight, r.position.bottomRight, r.position.bottomLeft];
      return results.filter((r) => r.isValid).map((r) => ({ text: zxingText(r), ...middle(p(r)) }));
    },
  };
}

// The fallback: the server reads a JPEG of the frame (its text is already what a wedge scanner sends).
const serverDecoder = {
  every: SERVER_FRAME_MS,
  server: true,
  async read(canvas) {
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
    if (!blob) throw new Error("no JPEG from the canvas");
    const { barcodes = [] } = await api.decodeImage(blob, "frame.jpg");
    return barcodes.map((b) => ({ text: b.text, x: b.bbox[0] + b.bbox[2] / 2, y: b.bbox[1] + b.bbox[3] / 2 }));
  },
};

let choice = null; // one decoder per page; a failed zxing-wasm load is tried again at the next start

function chooseDecoder() {
  choice ??= (async () => (await nativeDecoder().catch(() => null)) ?? (await zxingDecoder()))().catch((err) => {
    console.warn("camera: in-browser decoding unavailable, using the server", err);
    choice = null;
    return serverDecoder;
  });
  return choice;
}

function unavailable() {
  if (!window.isSecureContext) return t("camera_insecure");
  if (!navigator.mediaDevices?.getUserMedia) return t("camera_unsupported");
  return null;
}

function startProblem(err) {
  switch (err?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t("camera_denied");
    case "NotFoundError":
    case "OverconstrainedError":
      return t("camera_none");
    case "NotReadableError":
    case "AbortError":
      return t("camera_busy");
    default:
      return t("camera_failed");
  }
}

// The code the camera is aimed at: of those read inside the framing box, the one nearest its centre.
function aimedAt(found, canvas) {
  const distance = (c) => (c.x - canvas.width / 2) ** 2 + (c.y - canvas.height / 2) ** 2;
  return found.reduce((best, c) => (!best || distance(c) < distance(best) ? c : best), null);
}

/**
 * Wire the scan field's camera button (_scan.html) to `onCode(text)`. Returns {open, close}, or null
 * on a page without the button.
 */
export function initCamera(inputEl, onCode) {
  const button = document.getElementById("scan-camera");
  const panel = document.getElementById("camera");
  if (!button || !panel) return null;
  const view = panel.querySelector(".camera-view");
  const frame = panel.querySelector(".camera-frame");
  const video = document.getElementById("camera-video");
  const statusEl = document.getElementById("camera-status");
  const torch = document.getElementById("camera-torch");
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let session = null; // the open camera: {stream, track, decoder, present, timer, failures, frames, stopped}

  const say = (text, state = "ok") => {
    if (statusEl.textContent !== text) statusEl.textContent = text;
    statusEl.dataset.state = state;
  };

  const showOpen = (open) => {
    panel.hidden = !open;
    button.setAttribute("aria-pressed", String(open));
  };

  function close() {
    const current = session;
    if (!current) return;
    session = null;
    current.stopped = true;
    clearTimeout(current.timer);
    for (const track of current.stream?.getTracks() ?? []) track.stop(); // the camera's light goes off
    video.srcObject = null;
    torch.hidden = true;
    showOpen(false);
  }

  function fail(message) {
    close();
    errorBuzz();
    showError(message, { title: t("camera_title") });
  }

  // The framing box, in the video's own pixels (the video fills its view as object-fit: cover does).
  function boxInVideo() {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    const v = view.getBoundingClientRect();
    const b = frame.getBoundingClientRect();
    const scale = Math.max(v.width / vw, v.height / vh);
    const left = (b.left - v.left - (v.width - vw * scale) / 2) / scale;
    const top = (b.top - v.top - (v.height - vh * scale) / 2) / scale;
    const sx = Math.max(0, left);
    const sy = Math.max(0, top);
    return { sx, sy, sw: Math.min(vw - sx, b.width / scale), sh: Math.min(vh - sy, b.height / scale) };
  }

  function grab() {
    const { sx, sy, sw, sh } = boxInVideo();
    const scale = Math.min(1, DECODE_WIDTH / sw);
    const width = Math.round(sw * scale);
    const height = Math.round(sh * scale);
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    ctx.drawImage(video, sx, sy, sw, sh, 0, 0, width, height);
  }

  function take(current, found, at) {
    const aimed = aimedAt(found, canvas);
    const { fresh, present } = admitCodes(current.present, aimed ? [aimed.text] : [], at);
    current.present = present;
    for (const code of fresh) {
      panel.classList.add("camera-hit");
      setTimeout(() => panel.classList.remove("camera-hit"), HIT_MS);
      onCode(code);
      current.lastRead = code;
    }
  }

  // The viewfinder covers the item card: the line under it says what was read and what the screen wants next.
  function lastReadLine(code) {
    const next = document.getElementById("prompt")?.textContent.trim();
    return next ? t("camera_read", { code: code.replace(/^\][A-Za-z]\d/, "").replaceAll("\x1d", " "), next }) : code;
  }

  function readFailed(current, err) {
    if (current.decoder.server) {
      // Nothing left to fall back to: say why, and keep trying (the Wi-Fi may come back).
      if (err instanceof OfflineError) say(t("camera_offline"), "bad");
      else say(err instanceof ApiProblem && err.detail ? err.detail : t("camera_server_failed"), "bad");
      return;
    }
    current.failures += 1;
    if (current.failures >= MAX_FAILURES) {
      console.warn("camera: the in-browser decoder keeps failing, using the server", err);
      current.decoder = serverDecoder;
      say(t("camera_server"));
    }
  }

  async function readFrame(current) {
    if (current.stopped) return;
    if (!inputEl.isConnected || inputEl.offsetParent === null) {
      close(); // the scan field went away (signed in, another step): so does the camera
      return;
    }
    const started = performance.now();
    const decoder = current.decoder;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
      try {
        grab();
        const found = await decoder.read(canvas, ctx);
        current.failures = 0;
        if (current.stopped) return;
        panel.dataset.frames = String(++current.frames); // frames read since it opened: a test waits on it
        take(current, found, started);
        say(current.lastRead ? lastReadLine(current.lastRead) : t(decoder.server ? "camera_server" : "camera_aim"));
      } catch (err) {
        if (current.stopped) return;
        readFailed(current, err);
      }
    }
    const wait = Math.max(BREATHE_MS, current.decoder.every - (performance.now() - started));
    current.timer = setTimeout(() => readFrame(current), wait);
  }

  async function open() {
    const problem = unavailable();
    if (problem) {
      fail(problem);
      return;
    }
    const current = {
      stream: null, track: null, decoder: null, present: new Map(), timer: 0, failures: 0, frames: 0, stopped: false,
      lastRead: null,
    };
    session = current;
    panel.dataset.frames = "0";
    showOpen(true);
    say(t("camera_starting"));
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
    } catch (err) {
      if (!current.stopped) fail(startProblem(err));
      return;
    }
    if (current.stopped) {
      for (const track of stream.getTracks()) track.stop(); // closed while the permission question was up
      return;
    }
    current.stream = stream;
    current.track = stream.getVideoTracks()[0] ?? null;
    video.srcObject = stream;
    video.play().catch(() => undefined); // muted and inline: allowed; the frames are read either way
    torch.hidden = !current.track?.getCapabilities?.().torch;
    torch.setAttribute("aria-pressed", "false");
    current.decoder = await chooseDecoder();
    if (current.stopped) return;
    say(t(current.decoder.server ? "camera_server" : "camera_aim"));
    readFrame(current);
  }

  async function switchTorch() {
    const track = session?.track;
    if (!track) return;
    const on = torch.getAttribute("aria-pressed") !== "true";
    try {
      await track.applyConstraints({ advanced: [{ torch: on }] });
      torch.setAttribute("aria-pressed", String(on));
    } catch {
      say(t("camera_torch_failed"), "bad");
    }
  }

  onTap(button, () => (session ? close() : open()));
  onTap(document.getElementById("camera-close"), close);
  onTap(torch, switchTorch);
  // A camera left running drains the battery and keeps the light on: stop it whenever the page is not seen.
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && close());
  window.addEventListener("pagehide", close);
  return { open, close };
}
