"""The independent check: our labels rendered by another ZPL implementation (npm zpl-renderer-js, a wasm
build of Zebrash) and the image decoded by two barcode readers (zbar via pyzbar, and zxing-cpp) give back
exactly the tracking number, the SSCC (AI 00) and the ship-to postal code (AI 420/421), at 203 and 300 dpi.

Needs node and `(cd tests/zpl && npm ci)`; skipped when either is missing. One node process renders every
label of the module.
"""

from __future__ import annotations

import base64
import io
import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pyzbar import pyzbar

from labels import templates
from tests.labels.samples import SCRIPTS, SSCC, UPS, address, shipping

zxingcpp = pytest.importorskip("zxingcpp")

NODE_DIR = Path(__file__).resolve().parent.parent / "zpl"
RESOLUTIONS = {203: 8, 300: 12}  # dpi → the renderer's dots per mm
FEDEX = "9612019059803563315200123456789012"  # 34 digits: all subset C
LABELS = {
    # name: (label data, tracking, the GS1 routing element as zxing-cpp reads it)
    "us_zip4": (shipping(), UPS, "(420)787011234"),
    "us_zip5_cyrillic": (
        shipping(ship_to=address(*SCRIPTS["cyrillic"], postal_code="10001"), tracking_number=FEDEX),
        FEDEX,
        "(420)10001",
    ),
    "de_chinese": (
        shipping(ship_to=address(*SCRIPTS["chinese"], postal_code="10115", country="DE"),
                 tracking_number="TBA123456789012", sscc="006141410000000012"),
        "TBA123456789012",
        "(421)27610115",
    ),
}


def render(jobs: list[tuple[bytes, float, int]]) -> list[Image.Image]:
    payload = [{"zpl": zpl.decode("utf-8"), "width_mm": 101.6, "height_mm": height_mm, "dpmm": dpmm}
               for zpl, height_mm, dpmm in jobs]
    done = subprocess.run(
        ["node", str(NODE_DIR / "render.cjs")], input=json.dumps(payload).encode(), capture_output=True,
        timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return [Image.open(io.BytesIO(base64.b64decode(png))).convert("L") for png in json.loads(done.stdout)]


@pytest.fixture(scope="module")
def rendered():
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "zpl-renderer-js").is_dir():
        pytest.skip("node or tests/zpl/node_modules missing: run (cd tests/zpl && npm ci)")
    keys, jobs = [], []
    for dpi, dpmm in RESOLUTIONS.items():
        for name, (data, _, _) in LABELS.items():
            keys.append((name, dpi))
            jobs.append((templates.shipping_label(data, dpi=dpi), 152.4, dpmm))
    keys += ["codes", "item"]  # 4x2 in labels, at 203 dpi only (each render at 300 dpi costs about a second)
    jobs.append((templates.bin_label("A^B~C>D_E\\F"), 50.8, 8))
    jobs.append((templates.item_label("SKU-1", "Widget", "4006381333931"), 50.8, 8))
    return dict(zip(keys, render(jobs), strict=True))


def zxing_reads(image: Image.Image) -> dict[str, tuple[str, str]]:
    """text (GS1 data as "(AI)value") → (symbology identifier, format)."""
    return {r.text: (r.symbology_identifier, r.format.name) for r in zxingcpp.read_barcodes(image)}


def zbar_reads(image: Image.Image) -> set[str]:
    return {symbol.data.decode() for symbol in pyzbar.decode(image)}


@pytest.mark.parametrize("dpi", RESOLUTIONS)
@pytest.mark.parametrize("name", LABELS)
def test_shipping_label_decodes_to_exactly_its_data(rendered, name, dpi):
    data, tracking, routing = LABELS[name]
    image = rendered[name, dpi]
    assert image.width == math.ceil(101.6 * RESOLUTIONS[dpi])  # the renderer drew the label at that resolution
    assert zxing_reads(image) == {
        tracking: ("]C0", "Code128"),  # plain Code 128
        routing: ("]C1", "Code128"),  # GS1-128: FNC1 first
        f"(00){data.sscc}": ("]C1", "Code128"),
    }
    assert zbar_reads(image) == {tracking, routing.replace("(", "").replace(")", ""), "00" + data.sscc}


def test_code_128_escapes_reach_the_symbol(rendered):
    """^ ~ > written as invocation codes and _ as a ^FH escape come out of the symbol as themselves."""
    assert zbar_reads(rendered["codes"]) == {"A^B~C>D_E\\F"}
    assert zxing_reads(rendered["item"]) == {"4006381333931": ("]E0", "EAN13"), "SKU-1": ("]C0", "Code128")}
