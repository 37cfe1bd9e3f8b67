"""POST /api/decode (CONTRACT.md "Images"): what a good picture answers, and a decoder that dies or hangs.

The decoder runs in a child process (server/decode/service.py): these tests go through the Flask test
client, so a child that aborts would take this very test process down if it were not a child.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from barcode import get_barcode_class
from barcode.writer import ImageWriter
from PIL import Image

from tests.helpers import assert_problem

pytestmark = pytest.mark.rollback  # nothing here writes: the database only checks the bearer token

GS1_FIELDS = {"01": "09506000134352", "17": "261231", "10": "ABC123"}  # GTIN, expiry, lot (variable: last)
EAN13 = "4006381333931"


def symbol(kind: str, data: str) -> Image.Image:
    """A barcode as python-barcode draws it (no human-readable line), in grayscale."""
    buf = io.BytesIO()
    get_barcode_class(kind)(data, writer=ImageWriter()).write(
        buf, {"module_width": 0.3, "module_height": 12, "quiet_zone": 6, "write_text": False})
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def on_paper(code: Image.Image, size=(1200, 800), at=(100, 200)) -> Image.Image:
    """The barcode on a light grey sheet, as a phone would frame it."""
    sheet = Image.new("L", size, 225)
    sheet.paste(code, at)
    return sheet


def encoded(picture: Image.Image, kind: str = "PNG", **options) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, kind, **options)
    return buf.getvalue()


def ean13_png() -> bytes:
    return encoded(on_paper(symbol("ean13", EAN13[:12])))


def post_picture(api, data: bytes, *, filename: str = "photo.png", role: str = "picker"):
    return api(role).client.post("/api/decode", data={"image": (io.BytesIO(data), filename)},
                                 headers=api(role).headers(), content_type="multipart/form-data")


def test_a_shared_test_image_decodes_to_its_known_text(api, shared_dir):
    folder = shared_dir / "testdata" / "barcodes"
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["image"] == "ean13-3/01.png")
    data = (folder / row["image"]).read_bytes()
    r = post_picture(api, data)
    assert r.status_code == 200, r.get_data(as_text=True)
    found = [(b["format"], b["text"]) for b in r.json["barcodes"]]
    assert (row["symbology"], row["expected_text"]) in found
    width, height = Image.open(io.BytesIO(data)).size
    for b in r.json["barcodes"]:
        x, y, w, h = b["bbox"]
        assert 0 <= x and 0 <= y and w > 0 and h > 0 and x + w <= width and y + h <= height, b
        assert b["gs1"] is None  # an EAN-13 carries a bare GTIN, not element strings
    assert r.json["ms"] > 0


def test_a_gs1_128_label_answers_its_parsed_element_strings(api):
    data = "".join(ai + value for ai, value in GS1_FIELDS.items())  # no separator: 01 and 17 are fixed length
    r = post_picture(api, encoded(on_paper(symbol("gs1_128", data))))
    assert r.status_code == 200, r.get_data(as_text=True)
    [barcode] = r.json["barcodes"]
    assert barcode["format"] == "Code128"
    assert barcode["gs1"] == GS1_FIELDS


def test_a_picture_without_a_barcode_answers_an_empty_list(api):
    blank = on_paper(Image.new("L", (300, 100), 225))
    r = post_picture(api, encoded(blank, "JPEG", quality=85), filename="wall.jpg")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["barcodes"] == []
    assert r.json["ms"] >= 0


def test_a_phone_photo_stored_sideways_is_read_upright(api):
    """EXIF orientation 6: the pixels are stored turned, the phone shows them upright; boxes are upright."""
    upright = on_paper(symbol("ean13", EAN13[:12]), size=(1200, 600), at=(50, 150))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the sensor wrote, 600x1200
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    r = post_picture(api, encoded(stored, "JPEG", quality=90, exif=exif), filename="photo.jpg")
    assert r.status_code == 200, r.get_data(as_text=True)
    [barcode] = r.json["barcodes"]
    assert barcode["text"] == EAN13
    x, y, w, h = barcode["bbox"]
    assert x + w <= 1200 and y + h <= 600 and w > h  # in the upright 1200x600 picture, bars side by side


def test_a_barcode_on_a_transparent_background_is_read(api):
    """A PNG exported with transparency: black bars over transparent black must not vanish."""
    code = symbol("ean13", EAN13[:12])
    rgba = Image.new("RGBA", code.size, (0, 0, 0, 0))
    rgba.putalpha(Image.eval(code, lambda v: 255 - v))  # only the bars are opaque
    r = post_picture(api, encoded(rgba))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [b["text"] for b in r.json["barcodes"]] == [EAN13]


def test_any_signed_in_role_may_decode(api):
    for role in ("picker", "packer", "receiver", "supervisor", "admin"):
        r = post_picture(api, ean13_png(), role=role)
        assert r.status_code == 200, (role, r.get_data(as_text=True))


def test_the_openapi_document_describes_the_upload_and_its_refusals(client):
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/decode"]["post"]
    upload = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rpartition("/")[2]
    assert spec["components"]["schemas"][upload]["properties"]["image"]["format"] == "binary"
    assert {"200", "401", "413", "415", "422"} <= set(operation["responses"])
    for status in ("401", "413", "415", "422"):
        assert "application/problem+json" in operation["responses"][status]["content"]
    assert operation["security"] == [{"BearerAuth": []}]


# --- the decoder's child process ------------------------------------------------------------------------------

@pytest.fixture
def one_backend(backend):
    if backend == "postgresql":
        pytest.skip("the child process never touches the database: SQLite covers it")


def _decoder_children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


def _gone(pid: int, within: float = 10.0) -> bool:
    """Whether the process ends (or is a zombie nobody reaps: a container's init may not) within the time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.02)  # polling the process table: there is no event to wait on for another's child
    return False


def test_a_decoder_that_crashes_answers_undecodable_and_the_next_picture_decodes(api, monkeypatch, one_backend):
    assert post_picture(api, ean13_png()).status_code == 200  # the child is up
    before = _decoder_children()
    monkeypatch.setenv("SHIPFLOOR_TEST_DECODER_FAULT", "abort")  # the child calls os.abort(), as zxing-cpp can
    body = assert_problem(post_picture(api, ean13_png()), 422, "undecodable_image")
    assert "take it again" in body["detail"]
    monkeypatch.delenv("SHIPFLOOR_TEST_DECODER_FAULT")
    r = post_picture(api, ean13_png())
    assert r.status_code == 200 and [b["text"] for b in r.json["barcodes"]] == [EAN13]
    assert before and not before & _decoder_children(), "the crashed child was replaced by a new one"


def test_an_error_in_the_decoder_answers_undecodable_and_keeps_the_child(api, monkeypatch, one_backend):
    assert post_picture(api, ean13_png()).status_code == 200
    before = _decoder_children()
    monkeypatch.setenv("SHIPFLOOR_TEST_DECODER_FAULT", "raise")  # a Python exception, not a crash
    assert_problem(post_picture(api, ean13_png()), 422, "undecodable_image")
    monkeypatch.delenv("SHIPFLOOR_TEST_DECODER_FAULT")
    assert post_picture(api, ean13_png()).status_code == 200
    assert _decoder_children() == before


def test_a_decoder_that_hangs_is_killed_at_the_time_limit(api, app, monkeypatch, one_backend):
    assert post_picture(api, ean13_png()).status_code == 200
    [hung] = _decoder_children()
    monkeypatch.setitem(app.config, "DECODE_TIMEOUT_S", 1.0)
    monkeypatch.setenv("SHIPFLOOR_TEST_DECODER_FAULT", "hang")
    started = time.monotonic()
    assert_problem(post_picture(api, ean13_png()), 422, "undecodable_image")
    assert time.monotonic() - started < 5
    assert _gone(hung), "the hung child is killed, not left running"
    monkeypatch.delenv("SHIPFLOOR_TEST_DECODER_FAULT")
    r = post_picture(api, ean13_png())
    assert r.status_code == 200 and [b["text"] for b in r.json["barcodes"]] == [EAN13]


def test_the_fault_hook_does_nothing_outside_tests(api, app, monkeypatch, one_backend):
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setenv("SHIPFLOOR_TEST_DECODER_FAULT", "abort")
    r = post_picture(api, ean13_png())
    assert r.status_code == 200 and [b["text"] for b in r.json["barcodes"]] == [EAN13]


def test_gs1_fields_come_from_gs1_data_only():
    """GS1 by its AIM id or its content; a code that looks like GS1 but does not parse is just not GS1 (null)."""
    from server.decode.engine import Barcode
    from server.decode.service import gs1_fields

    box = (0, 0, 10, 10)
    assert gs1_fields(Barcode("Code128", "0109506000134352" "17261231", box, "]C1")) == {"01": "09506000134352",
                                                                                      "17": "261231"}
    assert gs1_fields(Barcode("Code128", "0109506000134353", box, "]C1")) is None  # bad check digit
    assert gs1_fields(Barcode("DataMatrix", "(01)09506000134352(10)AB", box)) == {"01": "09506000134352",
                                                                                   "10": "AB"}
    assert gs1_fields(Barcode("ITF", "10614141007346", box)) is None  # a GTIN-14, not AI 10 data
    assert gs1_fields(Barcode("EAN-13", "1061414100734", box)) is None
    assert gs1_fields(Barcode("QRCode", "https://example.com/hello", box)) is None


def test_a_server_process_killed_outright_leaves_no_decoder_behind():
    """A gunicorn worker killed by its timeout gets SIGKILL: its decoder child and forkserver must end too."""
    script = ("import multiprocessing, sys, numpy as np\n"
              "from server.decode import service\n"
              "service.decoder.decode(np.zeros((50, 50), np.uint8), timeout=60)\n"
              "print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
              "sys.stdin.read()\n")
    server = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        child = int(server.stdout.readline())
        forkserver = int(Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()[1])  # its parent
    finally:
        server.kill()
        server.wait()
    assert _gone(child) and _gone(forkserver)
