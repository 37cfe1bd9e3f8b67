"""The SVG preview: our labels drawn with barcodes that scan, any bytes drawn without an error, and field
data never reaching the SVG as markup."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw
from pyzbar import pyzbar

from labels import templates
from labels.preview import svg, svgs
from labels.zpl import DataMatrix, Label, QrCode
from tests.labels.samples import SCRIPTS, SSCC, UPS, address, render_all, shipping

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = r"(-?[\d.]+)"


def rasterize(document: str, scale: int = 2) -> Image.Image:
    """Draw the SVG's black paths (bars and matrix modules: only M/h/v/Z rectangles) into an image."""
    root = ET.fromstring(document)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    image = Image.new("L", (int(width * scale), int(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    for path in root.iter(f"{SVG}path"):
        dx = dy = 0.0
        factor = 1.0
        transform = path.get("transform") or ""
        if match := re.search(rf"translate\({NUMBER} {NUMBER}\) scale\({NUMBER}\)", transform):
            dx, dy, factor = (float(v) for v in match.groups())
        for x, y, w, h in re.findall(rf"M{NUMBER} {NUMBER}h{NUMBER}v{NUMBER}h-?[\d.]+Z", path.get("d")):
            left, top = (dx + float(x) * factor) * scale, (dy + float(y) * factor) * scale
            draw.rectangle(
                [left, top, left + float(w) * factor * scale - 1, top + float(h) * factor * scale - 1], fill=0
            )
    return image


def texts(document: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(document).iter(f"{SVG}text")]


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_shipping_label_preview_scans(dpi):
    document = svg(templates.shipping_label(shipping(), dpi=dpi))
    root = ET.fromstring(document)
    assert root.get("viewBox") == ("0 0 812 1218" if dpi == 203 else "0 0 1200 1800")
    assert root.get("width") == "4.00in"
    decoded = {symbol.data.decode() for symbol in pyzbar.decode(rasterize(document))}
    assert decoded == {UPS, "00" + SSCC, "420787011234"}
    shown = texts(document)
    assert "Jane Doe" in shown and "PKG 1 OF 2" in shown and f"(00) {SSCC}" in shown


def test_two_dimensional_codes_and_ean_scan():
    label = Label(4, 3).add(QrCode(40, 40, "https://example.com/o/1?a=b&c=^", magnification=5),
                            DataMatrix(400, 40, "DM_42^", module=8))
    decoded = {(s.type, s.data.decode()) for s in pyzbar.decode(rasterize(svg(label.zpl())))}
    assert ("QRCODE", "https://example.com/o/1?a=b&c=^") in decoded
    import zxingcpp

    read = {r.text for r in zxingcpp.read_barcodes(rasterize(svg(label.zpl())))}
    assert "DM_42^" in read
    item = rasterize(svg(templates.item_label("SKU-1", "Widget", "4006381333931")))
    assert {s.data.decode() for s in pyzbar.decode(item)} == {"4006381333931", "SKU-1"}


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_template_previews_in_every_script(script):
    name, city = SCRIPTS[script]
    for template, zpl in render_all(f"{name} <b>&amp;</b>", name=name, city=city).items():
        document = svg(zpl)
        shown = "\n".join(texts(document))  # ET parsed it: well-formed, the markup in the data stayed text
        if template not in ("tote", "cart"):
            assert name[:6] in shown, template
        assert "<b>" not in document
        if template == "shipping":
            assert f"{name} <b>&amp;</b>" in shown and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in document


def test_several_labels_stack_and_split():
    stream = templates.tote_label("TOTE-1") + b"\n" + templates.cart_label("CART-1")
    assert len(svgs(stream)) == 2
    root = ET.fromstring(svg(stream))
    assert len(root.findall(f"{SVG}g")) == 2 and root.get("viewBox") == f"0 0 812 {406 * 2 + 40}"


@pytest.mark.parametrize(
    "stream",
    [
        b"",
        b"garbage without commands",
        b"^XA^FO10,10^FD<script>alert(1)</script>^FS^XZ",
        b"^XA^FOx,y^A0N,abc^FB-5,,,Q^FH^FD_zz_4^FS^BY99^BCN,-3^FD>>>^FS^GFA,10,10,0,ZZ^FS^XZ",
        b"^XA^BQN,2,5^FD^FS^BXN,5,200^FD^FS^BEN,100^FD12^FS^GB^FS~JA~HS^XZ^XA",
        "^XA^FO1,1^A@N,30,30,E:X.TTF^FD中文^FS^XZ".encode(),
        b"^XA^PW999999^LL-5^LH-3,abc^FO50,50^GB100,100,200^FS^XZ",
    ],
)
def test_any_bytes_preview_without_error(stream):
    document = svg(stream)
    ET.fromstring(document)
    assert "<script" not in document


def test_random_streams_never_break_the_preview():
    rng = random.Random(9)
    alphabet = "^~XAZFODSBCQYGHL0123456789,_>;:N "
    for _ in range(150):
        stream = "^XA" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) + "^XZ"
        ET.fromstring(svg(stream))


def test_a_block_keeps_data_backslashes_and_breaks_lines():
    zpl = templates.packing_slip("114-1", address(name="A\\&B", line1="x"), [("SKU-1", "back\\slash", 1)])
    shown = texts(svg(zpl))
    assert "A\\&B" in shown and "back\\slash" in shown
