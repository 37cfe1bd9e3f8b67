"""Find every barcode in a grayscale picture: zxing-cpp first, pyzbar and OpenCV clean-ups where they add reads.

Pure functions over numpy arrays, no Flask. The cascade stops at the first stage that reads anything, so an
easy picture costs one zxing-cpp pass; the later stages only run on pictures nothing has read yet. Which
stages are here, and in which order, was measured with bench/decode.py on the shared test images (each stage
must add images the earlier ones miss); see the table in docs/decode.md.

Never pass is_pure=True to zxing-cpp 3.1: it aborts the process on some PDF417 images.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar


@dataclass(frozen=True)
class Barcode:
    """One barcode read from a picture. `bbox` is x, y, width, height in the picture's own pixels; `aim` is the
    AIM symbology identifier (]C1, ]d2, ]Q3, ]e0 mark GS1 data) when the decoder knows it."""

    format: str
    text: str
    bbox: tuple[int, int, int, int]
    aim: str | None = None


# zxing-cpp's and zbar's names → the names we answer with (those of the shared test manifest).
_ZXING_NAMES = {
    "EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "UPC-A", "UPCE": "UPC-E", "Code128": "Code128",
    "Code39": "Code39", "Code93": "Code93", "Codabar": "Codabar", "ITF": "ITF", "DataBar": "DataBar",
    "DataBarExpanded": "DataBarExpanded", "DataBarLimited": "DataBarLimited", "QRCode": "QRCode",
    "MicroQRCode": "MicroQRCode", "RMQRCode": "rMQRCode", "DataMatrix": "DataMatrix", "PDF417": "PDF417",
    "Aztec": "Aztec", "MaxiCode": "MaxiCode",
}
_ZBAR_NAMES = {
    "EAN13": "EAN-13", "EAN8": "EAN-8", "UPCA": "UPC-A", "UPCE": "UPC-E", "CODE128": "Code128",
    "CODE39": "Code39", "CODE93": "Code93", "CODABAR": "Codabar", "I25": "ITF", "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExpanded", "QRCODE": "QRCode", "PDF417": "PDF417",
}


def _retail(fmt: str, text: str) -> tuple[str, str]:
    """An EAN-13 that starts with 0 is a UPC-A: answer it as the 12 digits a wedge scanner sends for it."""
    if fmt == "EAN-13" and len(text) == 13 and text.startswith("0"):
        return "UPC-A", text[1:]
    return fmt, text


def _box(points: np.ndarray) -> tuple[int, int, int, int]:
    x, y, w, h = cv2.boundingRect(points.astype(np.float32))
    return int(x), int(y), int(w), int(h)


def read_zxing(gray: np.ndarray) -> list[Barcode]:
    found = []
    for r in zxingcpp.read_barcodes(gray):
        p = r.position
        points = np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                           [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]])
        fmt, text = _retail(_ZXING_NAMES.get(r.format.name, r.format.name), r.text)
        found.append(Barcode(fmt, text, _box(points), r.symbology_identifier or None))
    return found


def read_zbar(gray: np.ndarray) -> list[Barcode]:
    found = []
    for r in pyzbar.decode(gray):
        try:
            text = r.data.decode("utf-8")
        except UnicodeDecodeError:
            text = r.data.decode("latin-1")
        fmt, text = _retail(_ZBAR_NAMES.get(r.type, r.type), text)
        points = np.array([[p.x, p.y] for p in r.polygon]) if r.polygon else np.array(
            [[r.rect.left, r.rect.top], [r.rect.left + r.rect.width, r.rect.top + r.rect.height]])
        found.append(Barcode(fmt, text, _box(points), None))
    return found


# The cascade: each stage is a name and a reader over the grayscale picture.
Stage = tuple[str, Callable[[np.ndarray], list[Barcode]]]
STAGES: list[Stage] = [
    ("zxing", read_zxing),
    ("zbar", read_zbar),
]


def decode_gray(gray: np.ndarray, *, budget_s: float = 2.0) -> list[Barcode]:
    """Every distinct barcode in `gray` (2-D uint8), from the first stage of the cascade that reads any.

    Stages after the first stop once `budget_s` has passed, so a picture with nothing in it costs bounded time.
    """
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("decode_gray takes a 2-D uint8 (grayscale) array")
    gray = np.ascontiguousarray(gray)
    deadline = time.perf_counter() + budget_s
    for n, (_name, read) in enumerate(STAGES):
        if n and time.perf_counter() > deadline:
            break
        found = _distinct(read(gray))
        if found:
            return found
    return []


def _distinct(found: list[Barcode]) -> list[Barcode]:
    seen: dict[tuple[str, str], Barcode] = {}
    for b in found:
        seen.setdefault((b.format, b.text), b)
    return list(seen.values())
