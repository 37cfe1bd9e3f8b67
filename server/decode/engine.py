"""Find every barcode in a grayscale picture: zxing-cpp first, pyzbar and OpenCV clean-ups where they add reads.

Pure functions over numpy arrays, no Flask. The cascade stops at the first stage that reads anything, so an
easy picture costs one zxing-cpp pass; the later stages only run on pictures nothing has read yet. Which
stages are here, and in which order, was measured with `python -m bench.decode --stages` on the shared test
images (each stage must add images the earlier ones miss); see docs/decode.md.

Never pass is_pure=True to zxing-cpp 3.1: it aborts the process on some PDF417 images.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar

# No stage works on more pixels than this: a 12 MP phone photo is read from a ~4 MP copy, which keeps one
# pass under about half a second on a noisy picture (and zxing-cpp still tries its own smaller copies).
MAX_WORKING_PIXELS = 4_000_000


@dataclass(frozen=True)
class Barcode:
    """One barcode read from a picture. `bbox` is x, y, width, height in the picture's own pixels; `aim` is the
    AIM symbology identifier (]C1, ]d2, ]Q3, ]e0 mark GS1 data) when the decoder knows it."""

    format: str
    text: str
    bbox: tuple[int, int, int, int]
    aim: str | None = None


@dataclass(frozen=True)
class Reading:
    """What the cascade did with one picture: the barcodes, the stage that read them and the stages run."""

    barcodes: list[Barcode]
    stage: str | None
    stages_run: int


@dataclass(frozen=True)
class _Found:
    """A read in the pixels of the picture the decoder saw: the symbol's corner points, not yet a box."""

    format: str
    text: str
    corners: np.ndarray  # N x 2, float
    aim: str | None


# zxing-cpp's and zbar's names → the names we answer with (those of the shared test manifest).
_ZXING_NAMES = {
    "EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "UPC-A", "UPCE": "UPC-E", "Code128": "Code128",
    "Code39": "Code39", "Code39Std": "Code39", "Code39Ext": "Code39", "Code93": "Code93", "Codabar": "Codabar",
    "ITF": "ITF", "ITF14": "ITF", "DataBar": "DataBar", "DataBarOmni": "DataBar", "DataBarStk": "DataBar",
    "DataBarStkOmni": "DataBar", "DataBarExp": "DataBarExpanded", "DataBarExpStk": "DataBarExpanded",
    "DataBarLtd": "DataBarLimited", "QRCode": "QRCode", "QRCodeModel1": "QRCode", "QRCodeModel2": "QRCode",
    "MicroQRCode": "MicroQRCode", "RMQRCode": "rMQRCode", "DataMatrix": "DataMatrix", "PDF417": "PDF417",
    "CompactPDF417": "PDF417", "MicroPDF417": "MicroPDF417", "Aztec": "Aztec", "AztecCode": "Aztec",
    "AztecRune": "Aztec", "MaxiCode": "MaxiCode",
}
_ZBAR_NAMES = {
    "EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "UPC-A", "UPCE": "UPC-E", "CODE128": "Code128",
    "CODE39": "Code39", "CODE93": "Code93", "CODABAR": "Codabar", "I25": "ITF", "QRCODE": "QRCode",
}
# The symbologies a warehouse meets. Leaving out the exotic ones zxing-cpp 3 reads by default (Telepen, DX
# film edge, PZN, EAN-2/5 alone...) keeps noise in a photo from being read as one of them.
_ZXING_FORMATS = zxingcpp.barcode_formats_from_str(
    "EAN13,EAN8,UPCA,UPCE,Code128,Code39,Code93,Codabar,ITF,DataBar,DataBarExp,DataBarLtd,"
    "QRCode,MicroQRCode,RMQRCode,DataMatrix,PDF417,MicroPDF417,Aztec,MaxiCode")

# zbar for these only: zxing-cpp reads DataBar and PDF417 better, and zbar's DataBar decoder trips an
# assertion of its own on noisy photos.
_ZBAR_SYMBOLS = [pyzbar.ZBarSymbol[name] for name in _ZBAR_NAMES]


def _retail(fmt: str, text: str) -> tuple[str, str]:
    """An EAN-13 that starts with 0 is a UPC-A: answer it as the 12 digits a wedge scanner sends for it."""
    if fmt == "EAN-13" and len(text) == 13 and text.startswith("0"):
        return "UPC-A", text[1:]
    return fmt, text


# --- readers: one decoder over one picture --------------------------------------------------------------

def read_zxing(img: np.ndarray) -> list[_Found]:
    # Plain text mode: GS1 data comes as the scanner sends it (FNC1 as 0x1D), not as "(01)..." (HRI).
    found = []
    for r in zxingcpp.read_barcodes(img, formats=_ZXING_FORMATS, text_mode=zxingcpp.TextMode.Plain):
        p = r.position
        corners = np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                            [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]], float)
        fmt, text = _retail(_ZXING_NAMES.get(r.format.name, r.format.name), r.text)
        if fmt == "UPC-E" and (r.extra or {}).get("UPCE"):
            text = r.extra["UPCE"]  # zxing-cpp 3 expands UPC-E to 13 digits; scanners send its own 8 by default
        found.append(_Found(fmt, text, corners, r.symbology_identifier or None))
    return found


def read_zbar(img: np.ndarray) -> list[_Found]:
    found = []
    for r in pyzbar.decode(img, symbols=_ZBAR_SYMBOLS):
        try:
            text = r.data.decode("utf-8")
        except UnicodeDecodeError:
            text = r.data.decode("latin-1")
        fmt, text = _retail(_ZBAR_NAMES.get(r.type, r.type), text)
        corners = np.array([[p.x, p.y] for p in r.polygon], float) if r.polygon else np.array(
            [[r.rect.left, r.rect.top], [r.rect.left + r.rect.width, r.rect.top + r.rect.height]], float)
        found.append(_Found(fmt, text, corners, None))
    return found


# --- views: a cleaned-up, scaled or rotated copy of the picture -----------------------------------------

@dataclass(frozen=True)
class View:
    """A variant of the working picture, with the 2x3 affine map from working pixels to its pixels."""

    image: np.ndarray
    to_view: np.ndarray | None = None  # None: the same pixels


_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def as_is(g: np.ndarray) -> View:
    return View(g)


def clahe(g: np.ndarray) -> View:
    """Local contrast: lifts bars out of glare and shadow on one side of a photo."""
    return View(_CLAHE.apply(g))


def blur(g: np.ndarray) -> View:
    """A 5x5 Gaussian blur: smooths JPEG noise and print texture that break bars into pieces."""
    return View(cv2.GaussianBlur(g, (5, 5), 0))


def rotate(degrees: float) -> Callable[[np.ndarray], View]:
    """Turn the picture so a tilted 1-D code lies closer to a scan line (zxing-cpp itself only tries 90°)."""

    def view(g: np.ndarray) -> View:
        h, w = g.shape
        a = math.radians(degrees)
        cw, ch = w * abs(math.cos(a)) + h * abs(math.sin(a)), w * abs(math.sin(a)) + h * abs(math.cos(a))
        f = min(1.0, math.sqrt(MAX_WORKING_PIXELS / (cw * ch)))  # the grown canvas keeps the pixel bound
        m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, f)
        m[0, 2] += cw * f / 2 - w / 2
        m[1, 2] += ch * f / 2 - h / 2
        size = (round(cw * f), round(ch * f))
        return View(cv2.warpAffine(g, m, size, flags=cv2.INTER_LINEAR, borderValue=255), m)

    return view


def dominant_tilt(g: np.ndarray) -> int:
    """The tilt in degrees (-45..45) of the picture's strongest edges, modulo 90°: a 1-D code's bars give a
    sharp peak in the histogram of gradient directions, text and clutter a flat floor under it."""
    f = min(1.0, math.sqrt(250_000 / g.size))  # the direction needs no detail: a small copy is enough
    small = cv2.resize(g, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else g
    gx, gy = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    # numpy, not cv2.magnitude/phase: OpenCV's last bits vary from call to call, and on a printed code many
    # magnitudes tie at the threshold, so the estimate flipped between runs.
    magnitude = np.hypot(gx, gy)
    direction = np.rint(np.degrees(np.arctan2(gy, gx))).astype(int) % 90
    strong = magnitude > np.percentile(magnitude, 90)
    hist = np.bincount(direction[strong], weights=magnitude[strong], minlength=90)
    hist = np.convolve(np.r_[hist[-2:], hist, hist[:2]], np.ones(5), "valid")  # smoothed, wrapping at 90°
    peak = int(np.argmax(hist))
    return peak if peak <= 45 else peak - 90


def deskew(g: np.ndarray) -> View | None:
    """Turn the picture by the tilt of its strongest edges, so that a tilted 1-D code stands upright.

    Both decoders read 1-D codes along rows and columns: a wide GS1-128 tilted by more than about 12° is lost
    to both (bench/decode.py's tilted set). Under 8° there is nothing to gain.
    """
    tilt = dominant_tilt(g)
    return rotate(tilt)(g) if abs(tilt) >= 8 else None


@dataclass(frozen=True)
class Stage:
    name: str
    view: Callable[[np.ndarray], View | None]
    reader: Callable[[np.ndarray], list[_Found]]


# The cascade (docs/decode.md has the figures). zxing-cpp reads 303 of the 358 shared test images by itself;
# CLAHE, blur and zbar-after-CLAHE each add images nothing before them reads (329 in all; no other candidate
# stage adds one after them). The deskew stages add nothing there but read tilted labels (bench/decode.py's
# tilted set: 86 of 90 against 39); the zxing one goes second because on an upright picture it is only the
# tilt estimate (about a millisecond) and on a tilted one it saves the three clean-ups.
STAGES: list[Stage] = [
    Stage("zxing raw", as_is, read_zxing),
    Stage("zxing deskew", deskew, read_zxing),
    Stage("zxing clahe", clahe, read_zxing),
    Stage("zxing blur", blur, read_zxing),
    Stage("zbar clahe", clahe, read_zbar),
    Stage("zbar deskew", deskew, read_zbar),
]


# --- the cascade --------------------------------------------------------------------------------------

def decode_gray(gray: np.ndarray, *, budget_s: float = 2.0) -> list[Barcode]:
    """Every distinct barcode in `gray` (2-D uint8), from the first stage of the cascade that reads any.

    Stages after the first stop once `budget_s` has passed, so a picture with nothing in it costs bounded time.
    """
    return read_picture(gray, budget_s=budget_s).barcodes


def read_picture(gray: np.ndarray, *, budget_s: float = 2.0, stages: list[Stage] | None = None) -> Reading:
    """Run the cascade (or `stages`) over `gray` and say which stage read it (bench/decode.py reports this)."""
    if not isinstance(gray, np.ndarray) or gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("decode_gray takes a 2-D uint8 (grayscale) array")
    if gray.size == 0:
        return Reading([], None, 0)
    deadline = time.perf_counter() + budget_s
    work, shrink = _working_copy(gray)
    run = 0
    for stage in STAGES if stages is None else stages:
        if run and time.perf_counter() > deadline:
            break
        view = stage.view(work)
        if view is None:
            continue
        run += 1
        found = _distinct([_to_barcode(f, view.to_view, shrink, gray.shape) for f in stage.reader(view.image)])
        if found:
            return Reading(found, stage.name, run)
    return Reading([], None, run)


def _working_copy(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The picture at most MAX_WORKING_PIXELS large, and the factor it was shrunk by (1.0: untouched)."""
    if gray.size <= MAX_WORKING_PIXELS:
        return np.ascontiguousarray(gray), 1.0
    f = math.sqrt(MAX_WORKING_PIXELS / gray.size)
    return cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), f


def _to_barcode(found: _Found, to_view: np.ndarray | None, shrink: float, shape: tuple[int, int]) -> Barcode:
    """Map the symbol's corners back through the view's transform and the working copy's shrink."""
    pts = found.corners
    if to_view is not None:
        back = cv2.invertAffineTransform(to_view)
        pts = pts @ back[:, :2].T + back[:, 2]
    pts = pts / shrink
    h, w = shape
    x0, y0 = np.clip(np.floor(pts.min(axis=0)), 0, [w, h])
    x1, y1 = np.clip(np.ceil(pts.max(axis=0)), 0, [w, h])
    return Barcode(found.format, found.text, (int(x0), int(y0), int(x1 - x0), int(y1 - y0)), found.aim)


def _distinct(found: list[Barcode]) -> list[Barcode]:
    seen: dict[tuple[str, str], Barcode] = {}
    for b in found:
        seen.setdefault((b.format, b.text), b)
    return list(seen.values())
