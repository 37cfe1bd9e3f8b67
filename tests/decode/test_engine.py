"""The decoder cascade (server/decode/engine.py) on real pictures from the shared test set and on codes rendered
here at known places: what it reads, the boxes it gives, GS1 text as a wedge scanner sends it, and its bounds
(input checks, the pixel cap, the time budget). How fast and how many it reads is bench/decode.py's business."""

from __future__ import annotations

import csv
import time

import cv2
import numpy as np
import pytest
import zxingcpp

from server.decode import engine
from server.decode.engine import decode_gray, read_picture
from server.scanning import gs1

# A few images per symbology; the later ones of each are read only by a stage after plain zxing-cpp.
MANIFEST_IMAGES = [
    "code128-1/2.png", "code128-1/6.png", "code39-3/01.png", "code39-3/03.png", "datamatrix-1/C40.png",
    "datamatrix-3/abcd-48x8.png", "ean13-3/01.png", "ean13-4/16.png", "ean8-1/1.png", "itf-1/1.png",
    "pdf417-2/01.png", "pdf417-2/22.png", "qrcode-1/1.png", "qrcode-3/01.png", "upca-4/2.png", "upca-5/02.png",
    "upca-5/19.png", "upce-1/1.png", "upce-3/04.png",
]
GS1_128 = "(01)09501101530003(10)ABC123(21)XYZ"  # the lot is variable-length: a GS must follow it
GS1_128_SENT = "0109501101530003" + "10ABC123\x1d21XYZ"


@pytest.fixture(scope="module")
def manifest(shared_dir):
    folder = shared_dir / "testdata" / "barcodes"
    with open(folder / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = {r["image"]: r for r in csv.DictReader(f)}
    return folder, rows


def render(content: str, fmt, *, scale: int = 3, height: int | None = None, **options) -> np.ndarray:
    bars = np.array(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(content, fmt, **options), scale=scale))
    if height:
        bars = cv2.resize(bars, (bars.shape[1], height), interpolation=cv2.INTER_NEAREST)
    return bars


def paste(canvas: np.ndarray, img: np.ndarray, x: int, y: int) -> tuple[int, int, int, int]:
    canvas[y:y + img.shape[0], x:x + img.shape[1]] = img
    return x, y, img.shape[1], img.shape[0]


def turned(img: np.ndarray, degrees: float, margin: int = 100) -> tuple[np.ndarray, tuple[float, float]]:
    """`img` on a white square, turned about its centre; returns the picture and the code's centre in it."""
    side = int(np.hypot(*img.shape)) + 2 * margin
    paper = np.full((side, side), 255, np.uint8)
    paste(paper, img, (side - img.shape[1]) // 2, (side - img.shape[0]) // 2)
    m = cv2.getRotationMatrix2D((side / 2, side / 2), degrees, 1.0)
    return cv2.warpAffine(paper, m, (side, side), borderValue=255), (side / 2, side / 2)


def overlap(a, b) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0) / min(a[2] * a[3], b[2] * b[3]) if min(a[2] * a[3], b[2] * b[3]) else 0.0


def contains(box, point) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


@pytest.mark.parametrize("image", MANIFEST_IMAGES)
def test_reads_the_shared_images_with_the_manifests_format_and_text(manifest, image):
    folder, rows = manifest
    row = rows[image]
    found = decode_gray(cv2.imread(str(folder / image), cv2.IMREAD_GRAYSCALE))
    assert (row["symbology"], row["expected_text"]) in [(b.format, b.text) for b in found]


def test_gs1_code128_from_the_shared_set_is_marked_gs1(manifest):
    folder, rows = manifest
    [found] = decode_gray(cv2.imread(str(folder / "code128-1/5.png"), cv2.IMREAD_GRAYSCALE))
    assert found.text == rows["code128-1/5.png"]["expected_text"] and found.aim == "]C1"


def test_gs1_128_text_is_what_a_wedge_scanner_sends_and_parses_as_gs1():
    canvas = np.full((300, 1100), 255, np.uint8)
    paste(canvas, render(GS1_128, zxingcpp.BarcodeFormat.Code128, gs1=True, height=120), 40, 80)
    [found] = decode_gray(canvas)
    assert (found.format, found.text, found.aim) == ("Code128", GS1_128_SENT, "]C1")
    fields = {"01": "09501101530003", "10": "ABC123", "21": "XYZ"}
    assert gs1.parse_element_strings(found.text) == fields
    assert gs1.try_gs1(found.text) == fields


def test_two_codes_on_one_picture_come_back_each_with_a_box_around_it():
    canvas = np.full((700, 1000), 255, np.uint8)
    ean = paste(canvas, render("9501101530003", zxingcpp.BarcodeFormat.EAN13, height=180), 60, 80)
    qr = paste(canvas, render("TOTE-0042", zxingcpp.BarcodeFormat.QRCode, scale=8), 600, 350)
    found = {b.text: b for b in decode_gray(canvas)}
    assert set(found) == {"9501101530003", "TOTE-0042"}
    assert found["9501101530003"].format == "EAN-13" and found["TOTE-0042"].format == "QRCode"
    assert overlap(found["9501101530003"].bbox, ean) > 0.5 and overlap(found["9501101530003"].bbox, qr) == 0
    assert overlap(found["TOTE-0042"].bbox, qr) > 0.5 and overlap(found["TOTE-0042"].bbox, ean) == 0


def test_an_ean13_turned_30_degrees_is_read():
    picture, centre = turned(render("9501101530003", zxingcpp.BarcodeFormat.EAN13, height=150), 30)
    [found] = decode_gray(picture)
    assert (found.format, found.text) == ("EAN-13", "9501101530003")
    assert contains(found.bbox, centre)


def test_a_wide_gs1_128_label_turned_30_degrees_is_read_and_boxed_in_the_pictures_pixels():
    """Too tilted for a scan line across it: read from a turned copy, the box mapped back to this picture."""
    bars = render(GS1_128, zxingcpp.BarcodeFormat.Code128, scale=2, gs1=True, height=90)
    picture, (cx, cy) = turned(bars, 30)
    [found] = decode_gray(picture)
    assert found.text == GS1_128_SENT
    # The turned code's own extent: its four corners turned about the centre.
    h, w = bars.shape
    a = np.radians(30)
    half_w = (w * abs(np.cos(a)) + h * abs(np.sin(a))) / 2
    half_h = (w * abs(np.sin(a)) + h * abs(np.cos(a))) / 2
    assert overlap(found.bbox, (cx - half_w, cy - half_h, 2 * half_w, 2 * half_h)) > 0.5
    assert contains(found.bbox, (cx, cy))


def test_a_12_megapixel_photo_is_read_from_a_bounded_copy_and_boxed_in_its_own_pixels():
    photo = np.full((3000, 4000), 200, np.uint8)
    place = paste(photo, render("9501101530003", zxingcpp.BarcodeFormat.EAN13, scale=8, height=500), 2500, 1900)
    seen = []

    def spy(img):
        seen.append(img.size)
        return engine.read_zxing(img)

    reading = read_picture(photo, stages=[engine.Stage("spy", engine.as_is, spy)])
    [found] = reading.barcodes
    assert found.text == "9501101530003" and seen and max(seen) <= engine.MAX_WORKING_PIXELS
    assert overlap(found.bbox, place) > 0.5
    assert decode_gray(photo) == reading.barcodes


def test_a_blank_picture_has_no_barcodes():
    assert decode_gray(np.full((480, 640), 255, np.uint8)) == []


@pytest.mark.parametrize("array", [
    np.zeros((40, 40, 3), np.uint8), np.zeros((40, 40), np.float32), np.zeros((40, 40), np.uint16),
    np.zeros(1600, np.uint8), [[0, 255], [255, 0]],
], ids=["colour", "float", "16-bit", "1-D", "list"])
def test_anything_but_a_2d_uint8_array_is_refused(array):
    with pytest.raises(ValueError):
        decode_gray(array)


def test_the_budget_stops_the_cascade_on_a_huge_noise_picture():
    noise = np.random.default_rng(11).integers(0, 256, (5000, 5000), dtype=np.uint8)
    started = time.perf_counter()
    reading = read_picture(noise, budget_s=0.3)
    elapsed = time.perf_counter() - started
    assert reading.barcodes == []
    assert reading.stages_run < len(engine.STAGES)
    assert elapsed < 0.3 + 10  # the deadline, with room for the one stage running when it passes
