"""Receiving from a photo of a carton label (issue 11): the phone's camera app takes the picture, POST /api/decode
reads it, the receiver taps the barcode to use and the flow takes it exactly as a wedge scan."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from server.http import run_in_transaction
from server.scanning.gs1 import gs1_check_digit
from tests.factories import FloorPlan, place, sku
from tests.handheld.steps import fresh_session, open_task, set_qty, sign_in, wedge_scan

LOT_GTIN = "09506000134352"  # GS1 example GTIN-14, valid check digit
LOT = "A12"
EXPIRY = date.today() + timedelta(days=400)
CARTON_TEXT = "CARTON 3 OF 12"  # a supplier's own Code 128, nothing the warehouse knows


SSCC = "00614141123456789" + str(gs1_check_digit("00614141123456789"))  # extension 0, prefix 0614141


@pytest.fixture
def floor_plan():
    """A dock and a lot- and expiry-tracked yoghurt."""
    return FloorPlan(locations=(place("DOCK-1", "dock"),),
                     items=(sku("YOG-1", "Yoghurt", barcodes=[LOT_GTIN], tracks_lot=True, tracks_expiry=True),))


@pytest.fixture
def receipt(floor):
    """PO-4711 expects 10 yoghurts."""
    from server.receiving.services import create_receipt
    return run_in_transaction(lambda: create_receipt("PO-4711", supplier="Dairy Co", lines=[("YOG-1", 10)]).id)


@pytest.fixture
def choosing(receipt, page, live_server, users):
    """The receiver on the Receive screen, choosing a receipt."""
    sign_in(page, live_server, users["receiver"])
    open_task(page, "receive", "receive")
    return page


@pytest.fixture
def receiving(choosing):
    """The receiver on PO-4711, receiving at DOCK-1: the item step."""
    page = choosing
    page.locator("#receipt-list button", has_text="PO-4711").click()
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#receive-screen")).to_have_attribute("data-step", "item")
    return page


def barcode_image(content: str, fmt, *, gs1: bool = False, scale: int = 5) -> np.ndarray:
    symbol = zxingcpp.create_barcode(content, fmt, gs1=gs1) if gs1 else zxingcpp.create_barcode(content, fmt)
    return np.array(zxingcpp.write_barcode_to_image(symbol, scale=scale))


def save_label(path, size: tuple[int, int], codes: list[tuple[np.ndarray, tuple[int, int]]]) -> str:
    """A white carton label (width, height) with barcodes pasted at (x, y), as a phone would save it (JPEG)."""
    label = np.full((size[1], size[0]), 255, np.uint8)
    for image, (x, y) in codes:
        h, w = image.shape
        label[y:y + h, x:x + w] = image
    Image.fromarray(label).convert("RGB").save(path, "JPEG", quality=90)
    return str(path)


@pytest.fixture
def carton_label(tmp_path):
    """A 3000 px photo (larger than the phone sends) of a label with an item GS1-128 (GTIN, lot, expiry), an
    SSCC GS1-128 and an unrelated Code 128, at different places."""
    item = barcode_image(f"(01){LOT_GTIN}(10){LOT}(17){EXPIRY:%y%m%d}", zxingcpp.BarcodeFormat.Code128, gs1=True)
    sscc = barcode_image(f"(00){SSCC}", zxingcpp.BarcodeFormat.Code128, gs1=True)
    carton = barcode_image(CARTON_TEXT, zxingcpp.BarcodeFormat.Code128)
    return save_label(tmp_path / "label.jpg", (3000, 2000), [(sscc, (200, 150)), (item, (300, 900)),
                                                             (carton, (1600, 1600))])


def squeezed(text: str) -> str:
    """A choice's text with the spaces between digit groups taken out (0 0614141 ... → 00614141...)."""
    return re.sub(r"(?<=\d)\s(?=\d)", "", text)


def uploaded_picture(request) -> Image.Image:
    """The picture in the multipart body of POST /api/decode."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    part = request.post_data_buffer.split(b"--" + boundary)[1]
    data = part.partition(b"\r\n\r\n")[2].removesuffix(b"\r\n")
    return Image.open(io.BytesIO(data))


def take_photo(page, path: str) -> None:
    """Tap Photo of label and give the camera app's picture."""
    with page.expect_file_chooser() as chooser:
        page.locator("#photo-take").click()
    chooser.value.set_files(path)


def stock_lines(api, item: str) -> list[dict]:
    fresh_session()
    r = api("supervisor").get(f"/api/stock?item={item}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["locations"]


def test_a_photo_of_a_carton_label_lists_its_barcodes_in_words_and_the_chosen_ones_are_received(
        receiving, carton_label, api):
    page = receiving
    held = []  # the upload, held back to see the screen while it is read
    page.route("**/api/decode", lambda route: held.append(route))
    with page.expect_request("**/api/decode") as upload:
        take_photo(page, carton_label)
    expect(page.locator("#photo-busy")).to_be_visible()
    expect(page.locator("#photo-take")).to_be_disabled()  # no second upload while this one is read
    assert len(held) == 1
    sent = uploaded_picture(upload.value)
    assert sent.format == "JPEG" and max(sent.size) <= 2000 < max(Image.open(carton_label).size)
    held[0].continue_()

    choices = page.locator("#photo-codes button")
    expect(choices).to_have_count(3)
    expect(page.locator("#photo-busy")).to_be_hidden()
    item_choice = choices.filter(has_text=LOT)
    sscc_choice = choices.filter(has_text="SSCC")
    carton_choice = choices.filter(has_text=CARTON_TEXT)
    for choice in (item_choice, sscc_choice, carton_choice):
        expect(choice).to_have_count(1)
    item_words = squeezed(item_choice.inner_text())
    assert LOT_GTIN.lstrip("0") in item_words and str(EXPIRY.year) in item_words
    assert SSCC in squeezed(sscc_choice.inner_text())

    sscc_choice.click()  # the pallet first: the list stays for the item's code
    expect(page.locator("#plate-code")).to_have_text(SSCC)
    expect(page.locator("#receive-screen")).to_have_attribute("data-step", "item")
    item_choice.click()
    expect(page.locator("#item-name")).to_have_text("Yoghurt")
    expect(page.locator("#item-lot")).to_contain_text(LOT)
    expect(page.locator("#lot-fields")).to_be_hidden()  # lot and expiry came with the code: nothing to type
    expect(page.locator("#photo")).to_be_hidden()  # one action now: Receive
    set_qty(page, 6)
    page.locator("#confirm").click()
    expect(page.locator("#outcome")).to_contain_text("Received 6")
    assert stock_lines(api, "YOG-1") == [
        {"location": SSCC, "qty": 6, "reserved": 0, "lot": LOT, "expiry": EXPIRY.isoformat()}]
    expect(page.locator("#photo-codes button")).to_have_count(0)  # the next carton is a new photo


def test_the_po_number_on_a_label_opens_its_receipt(choosing, tmp_path):
    page = choosing
    po = barcode_image("PO-4711", zxingcpp.BarcodeFormat.Code128)
    take_photo(page, save_label(tmp_path / "po.jpg", (900, 500), [(po, (60, 120))]))
    page.locator("#photo-codes button", has_text="PO-4711").click()
    expect(page.locator("#receipt-ref")).to_have_text("PO-4711")
    expect(page.locator("#receive-screen")).to_have_attribute("data-step", "location")
    expect(page.locator("#photo")).to_be_hidden()  # a dock is scanned where it is, not photographed


def test_a_photo_without_a_barcode_says_so_and_offers_another_photo_or_typing(receiving, tmp_path):
    page = receiving
    blank = save_label(tmp_path / "blank.jpg", (800, 600), [])
    take_photo(page, blank)
    expect(page.locator("#photo-none")).to_be_visible()
    expect(page.locator("#photo-codes button")).to_have_count(0)
    with page.expect_file_chooser():
        page.locator("#photo-again").click()
    page.locator("#photo-type").click()
    expect(page.locator("#photo-none")).to_be_hidden()
    expect(page.locator("#scan-keyboard")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#scan")).to_be_focused()


def test_a_file_the_server_refuses_shows_its_reason_in_red(receiving, tmp_path, api):
    page = receiving
    not_a_picture = tmp_path / "label.jpg"
    not_a_picture.write_bytes(b"%PDF-1.4\n% a delivery note, not a photo\n")
    take_photo(page, str(not_a_picture))
    expect(page.locator("#error-overlay")).to_be_visible()
    refusal = api("receiver").post("/api/decode", data={"image": (io.BytesIO(not_a_picture.read_bytes()),
                                                                   "label.jpg")}, content_type="multipart/form-data")
    assert 400 <= refusal.status_code < 500
    expect(page.locator("#error-detail")).to_have_text(refusal.json["detail"])
    page.locator("#error-ok").click()
    expect(page.locator("#photo-take")).to_be_enabled()


def test_offline_the_photo_button_says_a_connection_is_needed(receiving):
    page = receiving
    page.context.set_offline(True)
    page.locator("#photo-take").click()
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-detail")).to_contain_text("needs the network")
