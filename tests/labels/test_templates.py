"""The label templates: every script prints, no data can change a label's commands, GS1 content, golden
files for the shipping label."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from labels import templates
from labels.benchmark import sample_labels, shipping_labels_per_second
from labels.parse import command_names, tokenize
from labels.templates import Address, postal_element
from tests.labels.helpers import field_texts
from tests.labels.samples import SCRIPTS, SSCC, UPS, WAREHOUSE, address, render_all, shipping

GOLDEN = Path(__file__).parent / "golden"
INJECTIONS = ["^XZ^XA^FO0,0^FDX^FS", "~JA", "^", "\\", "_5E", "_41", "__", "\\&", "~", "a^FS~JR_"]


def one_format(zpl: bytes) -> None:
    names = command_names(zpl)
    assert names[:2] == ["^XA", "^CI"] and tokenize(zpl)[1].params == "28"
    assert names.count("^XA") == 1 and names[-1] == "^XZ"


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_template_prints_every_script(script):
    name, city = SCRIPTS[script]
    clean = render_all("Plain text")
    for template, zpl in render_all(f"{name} {city}", name=name, city=city).items():
        one_format(zpl)
        assert command_names(zpl) == command_names(clean[template]), template
        zpl.decode("utf-8")  # the bytes are UTF-8, as ^CI28 says
        texts = "\n".join(field_texts(zpl))
        if template not in ("tote", "cart"):  # their only data is the code
            assert name[:8] in texts, template  # (a long zone is cut to fit)
    ship_to = "\n".join(field_texts(render_all("x", name=name, city=city)["shipping"]))
    assert name in ship_to and city in ship_to


@pytest.mark.parametrize("payload", INJECTIONS)
def test_no_field_can_inject_commands(payload):
    clean = render_all("Jane Doe")
    for template, zpl in render_all(payload).items():
        assert command_names(zpl) == command_names(clean[template]), (template, payload)
        if template not in ("tote", "cart"):
            assert any(payload in text for text in field_texts(zpl)), template  # and it prints as it is


@pytest.mark.parametrize("payload", INJECTIONS + ["line\nbreak", "\x00\x1b\x7f"])
def test_every_shipping_label_field_is_data_only(payload):
    clean = templates.shipping_label(shipping())
    structure = command_names(clean)
    for field in ("name", "company", "line1", "line2", "line3", "city", "state", "phone"):
        ship_to = dataclasses.replace(address(), **{field: f"X{payload}"})
        ship_from = dataclasses.replace(WAREHOUSE, **{field: payload})
        for data in (shipping(ship_to=ship_to), shipping(ship_from=ship_from)):
            assert command_names(templates.shipping_label(data)) == structure, (field, payload)
    for field in ("carrier", "service", "order_ref", "reference2", "tracking_number"):
        data = shipping(**{field: f"X{payload}"})
        if field == "tracking_number" and not payload.isprintable():
            with pytest.raises(ValueError, match="Code 128 cannot encode"):
                templates.shipping_label(data)
            continue
        assert command_names(templates.shipping_label(data)) == structure, (field, payload)
    # A postal code that is not one drops the routing barcode, and nothing else changes.
    no_route = command_names(templates.shipping_label(shipping(ship_to=address(postal_code="N/A"))))
    assert len(no_route) < len(structure)
    injected = templates.shipping_label(shipping(ship_to=address(postal_code=f"787{payload}")))
    assert command_names(injected) == no_route


def test_the_tracking_number_keeps_its_characters_in_code_128():
    label = templates.shipping_label(shipping(tracking_number="AB^C~D>E_F\\G"))
    assert "AB^C~D>E_F\\G" in field_texts(label)


def test_the_shipping_label_carries_its_data():
    texts = field_texts(templates.shipping_label(shipping()))
    assert UPS in texts
    assert "00" + SSCC in texts and "(00) " + SSCC in texts  # GS1-128 AI 00 and its human-readable line
    assert "420787011234" in texts and "(420) 787011234" in texts  # ZIP+4
    joined = "\n".join(texts)
    for expected in ("PKG 1 OF 2", "ORDER 114-1234567-1234567", "UPS  GROUND", "2.35 KG", "2025-01-31", "PO 4711"):
        assert expected in joined
    assert "Jane Doe\n123 Elm St\nApt 4\nAustin, TX 78701-1234\nUS" in joined  # ship-to, country (international)
    zpl = templates.shipping_label(shipping()).decode()
    assert zpl.index(">;>800" + SSCC) > zpl.index(">:" + UPS) > zpl.index(">;>8420")  # the SSCC is lowest


def test_the_sscc_must_be_one():
    with pytest.raises(ValueError, match="not an SSCC"):
        templates.shipping_label(shipping(sscc="006141411234567891"))
    with pytest.raises(ValueError, match="not an SSCC"):
        templates.lpn_label("12345")


@pytest.mark.parametrize(
    "postal, country, element",
    [
        ("78701", "US", ("420", "78701")),
        ("78701-1234", "us", ("420", "787011234")),
        ("7870", "US", None),
        ("7870A", "US", None),
        ("10115", "DE", ("421", "27610115")),
        ("SW1A 1AA", "GB", ("421", "826SW1A1AA")),
        ("K1A 0B6", "CA", ("421", "124K1A0B6")),
        ("20121", "XX", None),
        ("1234567890", "DE", None),
        ("", "DE", None),
    ],
)
def test_postal_code_element(postal, country, element):
    assert postal_element(Address("X", postal_code=postal, country=country)) == element


def test_a_german_label_routes_with_ai_421():
    ship_to = address(postal_code="10115", country="DE", state="", city="Berlin")
    texts = field_texts(templates.shipping_label(shipping(ship_to=ship_to)))
    assert "42127610115" in texts and "(421) 27610115" in texts


def test_300_dpi_is_the_same_label_scaled():
    at_203, at_300 = render_all("x"), render_all("x", dpi=300)
    for template in at_203:
        assert command_names(at_300[template]) == command_names(at_203[template])
        assert field_texts(at_300[template]) == field_texts(at_203[template])
    header = tokenize(at_300["shipping"])
    assert [(c.name, c.params) for c in header[2:4]] == [("^PW", "1200"), ("^LL", "1800")]
    assert [(c.name, c.params) for c in tokenize(at_300["bin"])[2:4]] == [("^PW", "1200"), ("^LL", "600")]


def test_item_label_gtin_symbologies():
    ean = templates.item_label("SKU-1", "Widget", "036000241457").decode()  # UPC-A → EAN-13 with a leading 0
    assert "^BEN" in ean and "^FD003600024145^FS" in ean
    case = templates.item_label("SKU-1", "Widget", "10614141007346")  # GTIN-14 → GS1-128 (01)
    assert "0110614141007346" in field_texts(case) and "(01) 10614141007346" in field_texts(case)
    with pytest.raises(ValueError, match="not a GTIN"):
        templates.item_label("SKU-1", "Widget", "12345")
    with pytest.raises(ValueError, match="wrong check digit"):
        templates.item_label("SKU-1", "Widget", "4006381333932")
    assert "^BE" not in templates.item_label("SKU-1", "Widget").decode()


def test_packing_slip_sums_up_what_does_not_fit():
    lines = [(f"SKU-{n}", f"Item {n}", 2) for n in range(30)]
    texts = field_texts(templates.packing_slip("114-1", address(), lines))
    assert "SKU-20" in texts and "SKU-21" not in texts
    assert "+ 9 more lines, 18 units" in texts and "UNITS 60" in texts


def test_codes_that_code_128_cannot_carry_are_refused():
    with pytest.raises(ValueError, match="Code 128 cannot encode"):
        templates.tote_label("TOTE-中")
    slip = templates.packing_slip("订单-1", address(), [("SKU-1", "x", 1)])  # prints, without the order barcode
    assert "^BC" not in slip.decode() and "ORDER 订单-1" in field_texts(slip)


def test_chinese_font_is_a_parameter():
    zpl = templates.shipping_label(shipping(), font="E:ANMDS.TTF").decode()
    assert "^A@N,42,0,E:ANMDS.TTF" in zpl and "^A0" not in zpl
    with pytest.raises(ValueError, match="font name"):
        templates.bin_label("A-1", font="E:X^XZ")


@pytest.mark.parametrize("dpi", [203, 300])
def test_golden_shipping_label(dpi):
    """The whole label, byte for byte (a layout change updates tests/labels/golden/ on purpose)."""
    name, city = SCRIPTS["accented"]
    zpl = templates.shipping_label(shipping(ship_to=address(name, city)), dpi=dpi)
    assert zpl == (GOLDEN / f"shipping_{dpi}.zpl").read_bytes()


def test_benchmark_labels_are_valid_and_distinct():
    labels = sample_labels(50)
    rendered = {templates.shipping_label(data) for data in labels}
    assert len(rendered) == 50 and len({data.sscc for data in labels}) == 50
    assert shipping_labels_per_second(0.01) > 0


def test_an_address_may_leave_parts_out():
    bare = Address("X", company=None, line1="1 Via Po", line2=None, line3=None, city="Roma", state=None,
                   postal_code="00100", country="IT", phone=None)
    texts = field_texts(templates.shipping_label(shipping(ship_to=bare)))
    assert "X\n1 Via Po\n00100 Roma" in texts and "(421) 38000100" in texts
    assert "X\n1 Via Po\n00100 Roma\nIT" in field_texts(templates.packing_slip("1", bare, [("S", "n", 1)]))
