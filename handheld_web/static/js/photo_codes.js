// Photograph a label, then choose one of its barcodes (issue 11). The phone's own camera app takes the
// picture (<input capture>: no viewfinder, no camera permission), POST /api/decode reads every barcode
// on it, and each one becomes a big button that says what it is in words. The chosen code goes into
// the page's scan flow exactly as a wedge scan does, so the screen's steps judge it (kind guards, the
// wrong-scan buzz); this module knows nothing about the screen. Markup: the photo_codes macro (_photo.html).
import { OfflineError, api, showProblem } from "./api.js";
import { attentionBeep, errorBuzz, onTap, showError } from "./feedback.js";
import { $, clearNode, el, refocus } from "./flow.js";
import { formatDate, t } from "./i18n.js";
import { submitCode } from "./scanner.js";

// Phone photos are 3000-4000 px and several MB: over warehouse Wi-Fi that upload is the slow part, and
// barcodes read as well at 2000 px. A picture already this small goes as it is.
const MAX_SIDE = 2000;
const SMALL_BYTES = 1_500_000;
const JPEG_QUALITY = 0.85;

// Symbology names are names, the same in every language.
const FORMAT_NAMES = {
  Code128: "Code 128", Code39: "Code 39", Code93: "Code 93", QRCode: "QR Code", MicroQRCode: "Micro QR Code",
  DataMatrix: "Data Matrix", DataBar: "GS1 DataBar", DataBarExpanded: "GS1 DataBar Expanded",
  DataBarLimited: "GS1 DataBar Limited",
};
const GS1_NAMES = { Code128: "GS1-128", DataMatrix: "GS1 DataMatrix", QRCode: "GS1 QR Code" };
const RETAIL = new Set(["EAN-13", "EAN-8", "UPC-A", "UPC-E"]);
// The AIM identifier a scanner puts before GS1 data of each symbology: with it the server reads the code
// as GS1 for certain, as it does a wedge scan's.
const GS1_AIM = { DataMatrix: "]d2", QRCode: "]Q3", DataBar: "]e0", DataBarExpanded: "]e0", DataBarLimited: "]e0" };

// ---- the picture ------------------------------------------------------------------------------

// The photo made small enough to send quickly: at most MAX_SIDE on the long side, as JPEG. The
// browser turns it upright (EXIF) while decoding. What it cannot decode goes as it is: the server says
// what is wrong with it.
export async function shrink(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file;
  }
  try {
    const long = Math.max(bitmap.width, bitmap.height);
    if (long <= MAX_SIDE && file.size <= SMALL_BYTES) return file;
    const scale = Math.min(1, MAX_SIDE / long);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // a transparent PNG must not turn black as JPEG
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
    return blob && (blob.size < file.size || long > MAX_SIDE) ? blob : file;
  } finally {
    bitmap.close();
  }
}

// ---- what a barcode is, in words ------------------------------------------------------------------

// Digits in the groups printed under the bars, so the worker can compare them with the label.
const GROUPS = { 8: [4, 4], 12: [1, 5, 5, 1], 13: [1, 6, 6], 14: [1, 12, 1], 18: [1, 7, 9, 1] };

function grouped(digits) {
  const sizes = /^\d+$/.test(digits) ? GROUPS[digits.length] : null;
  if (!sizes) return digits;
  let at = 0;
  return sizes.map((n) => digits.slice(at, (at += n))).join(" ");
}

// A GTIN-14 as printed on the pack: GTIN-8, UPC-A or EAN-13 when its leading zeros are padding.
function printedGtin(gtin) {
  if (/^0{6}\d{8}$/.test(gtin)) return gtin.slice(6);
  if (/^00\d{12}$/.test(gtin)) return gtin.slice(2);
  if (/^0\d{13}$/.test(gtin)) return gtin.slice(1);
  return gtin;
}

// A GS1 date (YYMMDD) as a date in the page's language: the century by GS1's sliding window, day 00 the
// month's last day (GS1 General Specifications 7.12), as the server reads it.
function gs1Date(yymmdd) {
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(yymmdd ?? "");
  if (!m) return yymmdd;
  const now = new Date().getFullYear();
  const yy = Number(m[1]);
  const ahead = yy - (now % 100);
  const year = now - (now % 100) + yy + (ahead >= 51 ? -100 : ahead <= -50 ? 100 : 0);
  const month = Number(m[2]);
  const day = Number(m[3]) || new Date(year, month, 0).getDate();
  const pad = (n) => String(n).padStart(2, "0");
  return formatDate(`${year}-${pad(month)}-${pad(day)}`);
}

// The keys of GS1 data: the first one present says what the barcode is; the others are facts beside it.
const KEYS = [
  ["00", "photo_sscc", (v) => grouped(v)],
  ["01", "photo_gtin", (v) => grouped(printedGtin(v))],
  ["02", "photo_content", (v) => grouped(printedGtin(v))],
];
// The other application identifiers said in words, in the order a worker reads them.
const FACTS = [
  ["37", (v) => t("photo_count", { n: Number(v) })],
  ["10", (v) => t("photo_lot", { lot: v })],
  ["21", (v) => t("photo_serial", { serial: v })],
  ["15", (v) => t("photo_best_before", { date: gs1Date(v) })],
  ["17", (v) => t("photo_expires", { date: gs1Date(v) })],
  ["400", (v) => t("photo_order", { order: v })],
];
const SAID = new Set([...KEYS, ...FACTS].map(([ai]) => ai));

const printable = (text) => String(text ?? "").replace(/[\x00-\x1f\x7f]/g, " ").trim();
const formatName = (format) => FORMAT_NAMES[format] ?? format;

function describeGs1(barcode) {
  const fields = barcode.gs1;
  const keys = KEYS.filter(([ai]) => fields[ai] != null);
  const [main, ...others] = keys.length ? keys : [null];
  const facts = [
    ...others.map(([ai, what, number]) => t("photo_key_fact", { what: t(what), value: number(fields[ai]) })),
    ...FACTS.filter(([ai]) => fields[ai] != null).map(([ai, words]) => words(fields[ai])),
  ];
  const rest = Object.entries(fields).filter(([ai]) => !SAID.has(ai)).map(([ai, v]) => `(${ai}) ${printable(v)}`);
  const symbology = GS1_NAMES[barcode.format] ?? `GS1 ${formatName(barcode.format)}`;
  if (!main) return { title: symbology, value: rest.join(" "), facts: facts.join(" · "), detail: "" };
  return { title: t(main[1]), value: main[2](fields[main[0]]), facts: facts.join(" · "),
           detail: [symbology, ...rest].join(" · ") };
}

// {title, value, facts, detail}: what the barcode is, its number or text (big, on a line of its own so it
// wraps only between the groups printed on the label), the facts it carries, and its symbology (small).
export function describe(barcode) {
  if (barcode.gs1 && Object.keys(barcode.gs1).length) return describeGs1(barcode);
  if (RETAIL.has(barcode.format)) {
    return { title: t("photo_product"), value: grouped(barcode.text), facts: "", detail: barcode.format };
  }
  return { title: formatName(barcode.format), value: printable(barcode.text), facts: "", detail: "" };
}

// What to put into the scan flow: the text a wedge scanner sends, GS1 data marked by its AIM identifier.
export function scanCode(barcode) {
  const text = barcode.text;
  if (!barcode.gs1 || text.startsWith("]")) return text;
  return (GS1_AIM[barcode.format] ?? "]C1") + text;
}

// Top to bottom, left to right, as the label reads; a code printed twice is one choice.
function inReadingOrder(barcodes) {
  const seen = new Set();
  const top = (b) => b.bbox?.[1] ?? 0;
  const left = (b) => b.bbox?.[0] ?? 0;
  return [...barcodes]
    .sort((a, b) => top(a) - top(b) || left(a) - left(b))
    .filter((b) => {
      if (seen.has(b.text)) return false;
      seen.add(b.text);
      return true;
    });
}

// Into the page's scan flow by the scan field's own rule (scanner.js), marked as coming from a photo.
const feed = (code) => submitCode($("scan"), code, { wedge: true, source: "photo" });

// ---- the part on screen -----------------------------------------------------------------------

// Wire the photo part; the screen calls show(true/false) as its steps change. Hiding forgets the list:
// a label photographed for one step is not offered again for the next carton.
export function photoCodes() {
  const root = $("photo");
  const take = $("photo-take");
  const file = $("photo-file");
  let busy = false;
  let round = 0; // an answer that comes back after the part was hidden or cleared is dropped

  function setBusy(on) {
    busy = on;
    take.disabled = on;
    root.setAttribute("aria-busy", String(on));
    $("photo-busy").hidden = !on;
  }

  function clear() {
    round += 1;
    $("photo-none").hidden = true;
    $("photo-found").hidden = true;
    clearNode($("photo-codes"));
  }

  function open() {
    if (busy) return;
    if (navigator.onLine === false) {
      // Say it before the photo is taken, not after: reading it needs the server.
      errorBuzz();
      showError(t("photo_needs_network"), { title: t("offline") });
      return;
    }
    file.click();
  }

  function showCodes(barcodes) {
    const list = clearNode($("photo-codes"));
    for (const barcode of inReadingOrder(barcodes)) {
      const { title, value, facts, detail } = describe(barcode);
      const lines = [
        el("span", { cls: "photo-what", text: title }),
        value && el("span", { cls: "choice-title photo-value", text: value }),
        facts && el("span", { cls: "photo-facts", text: facts }),
        detail && el("small", { text: detail }),
      ];
      const attrs = { type: "button", "data-format": barcode.format };
      const button = el("button", { cls: "choice photo-code", attrs }, lines.filter(Boolean));
      onTap(button, () => {
        button.dataset.chosen = "true"; // the list stays for the step's next code (the pallet, then the item)
        feed(scanCode(barcode));
      });
      list.append(el("li", {}, [button]));
    }
    $("photo-found").hidden = !list.children.length;
    $("photo-none").hidden = Boolean(list.children.length);
    if (!list.children.length) attentionBeep();
  }

  async function read(picture) {
    clear();
    const mine = round;
    setBusy(true);
    try {
      const small = await shrink(picture);
      const name = small === picture ? picture.name || "label.jpg" : "label.jpg";
      const answer = await api.decodeImage(small, name);
      if (mine === round && !root.hidden) showCodes(answer.barcodes ?? []);
    } catch (err) {
      if (mine !== round) return;
      if (err instanceof OfflineError) {
        errorBuzz();
        showError(t("photo_needs_network"), { title: t("offline") });
      } else {
        showProblem(err); // too large, not an image: the server's sentence, big and red
      }
    } finally {
      setBusy(false);
      refocus();
    }
  }

  onTap(take, open);
  onTap($("photo-again"), open);
  onTap($("photo-type"), () => {
    $("photo-none").hidden = true;
    const keyboard = $("scan-keyboard");
    if (keyboard && keyboard.getAttribute("aria-pressed") !== "true") keyboard.click();
    else $("scan").focus();
  });
  file.addEventListener("change", () => {
    const picture = file.files?.[0];
    file.value = ""; // the same photo chosen again must still count
    if (picture && !busy) read(picture);
  });

  return {
    show(on) {
      if (!on) clear();
      root.hidden = !on;
    },
    clear,
  };
}
