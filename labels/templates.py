"""The label templates: plain values in, one ZPL format (`^XA … ^XZ`) out, at 203 or 300 dpi.

Layouts are in 203-dpi design dots (labels/zpl.py scales them). Sizes: shipping label and packing slip
4x6 in; bin, item, tote and cart labels 4x2 in; license plate 4x3 in. Text goes through `^FH` escaping in
labels/zpl.py, so any order or address data is safe; `font` picks the printer font (the default "0" prints
Latin; other scripts need a printer font that has them, e.g. font="E:ANMDS.TTF" for Chinese).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from labels.countries import iso_numeric
from labels.zpl import (
    BASE_DPI,
    Barcode128,
    Ean13,
    Font,
    Label,
    Line,
    Text,
    TextBlock,
    as_font,
    fit_module,
    gs1_check_digit,
    gs1_text,
    inches,
)

WIDTH = inches(4)  # 812 design dots
MARGIN = 30


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; the optional parts may be "" or None (an order's empty columns)."""

    name: str
    company: str | None = ""
    line1: str | None = ""
    line2: str | None = ""
    line3: str | None = ""
    city: str | None = ""
    state: str | None = ""
    postal_code: str | None = ""
    country: str = "US"
    phone: str | None = ""

    def city_line(self) -> str:
        """"AUSTIN, TX 78701" in North America and Australia, "20121 MILANO MI" elsewhere."""
        if self.country.upper() in ("US", "CA", "AU"):
            return " ".join(part for part in (f"{self.city},", self.state, self.postal_code) if part)
        return " ".join(part for part in (self.postal_code, self.city, self.state) if part)

    def lines(self, *, with_country: bool = True) -> list[str]:
        lines = [self.name, self.company, self.line1, self.line2, self.line3, self.city_line()]
        if with_country:
            lines.append(self.country.upper())
        return [line for line in lines if line and line.strip()]


@dataclass(frozen=True, slots=True)
class ShippingLabel:
    ship_from: Address
    ship_to: Address
    carrier: str
    service: str
    weight_g: int
    order_ref: str
    package_number: int
    package_count: int
    tracking_number: str
    sscc: str
    ship_date: date
    reference2: str | None = None


def clip(text: str | None, length: int) -> str:
    """At most `length` characters (a single-line field that would run off the label is cut with "…")."""
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


def check_sscc(sscc: str) -> str:
    if len(sscc) != 18 or not sscc.isdigit() or gs1_check_digit(sscc[:17]) != int(sscc[17]):
        raise ValueError(f"not an SSCC (18 digits with a GS1 check digit): {sscc!r}")
    return sscc


def postal_element(address: Address) -> tuple[str, str] | None:
    """The GS1 ship-to postal code element: AI 420 + ZIP (5 or 9 digits) in the US, AI 421 + the ISO 3166
    numeric country code + the postal code (letters and digits, at most 9) elsewhere; None when the postal
    code cannot be written as one (the label then carries no routing barcode)."""
    country = (address.country or "").strip().upper()
    postal = "".join(char for char in (address.postal_code or "").upper() if char not in " -")
    if country == "US":
        return ("420", postal) if postal.isdigit() and len(postal) in (5, 9) else None
    numeric = iso_numeric(country)
    if numeric is None or not 1 <= len(postal) <= 9 or not (postal.isascii() and postal.isalnum()):
        return None
    return "421", numeric + postal


def format_weight(grams: int) -> str:
    return f"{grams / 1000:.2f} KG  {grams / 453.59237:.2f} LB"


def _barcode_x(barcode_modules: int, module: int) -> int:
    """x that centres a symbol on the label."""
    return max(MARGIN, (WIDTH - barcode_modules * module) // 2)


# ---------------------------------------------------------------------------------------------------------
# 4x6 shipping label


@functools.lru_cache(maxsize=32)
def _shipping_static(dpi: int, font: Font) -> tuple[str, str]:
    """The fixed part of the shipping label (header, rules, captions) rendered once per dpi and font."""
    f = 1.0 if dpi == BASE_DPI else dpi / BASE_DPI
    label = Label(4, 6, dpi)
    parts = [
        Line(0, 150, WIDTH, 3),
        Text(MARGIN, 160, "SHIP TO:", height=26, font=font),
        Line(0, 560, WIDTH, 3),
        Line(0, 815, WIDTH, 3),
        Text(MARGIN, 826, "TRACKING #", height=24, font=font),
        Line(0, 1010, WIDTH, 3),
        Text(MARGIN, 1018, "SSCC", height=22, font=font),
    ]
    return label.header() + "".join(element.zpl(f) for element in parts), label.footer()


def shipping_label(data: ShippingLabel, *, dpi: int = BASE_DPI, font: Font | str | None = None) -> bytes:
    """The 4x6 in carrier label: ship-from, ship-to (large), carrier and service, weight, order reference,
    package i of n, the ship-to postal code as GS1-128 (AI 420/421), the tracking number as Code 128 and
    the package's SSCC as GS1-128 (AI 00), lowest on the label as GS1 asks."""
    font = as_font(font)
    head, tail = _shipping_static(dpi, font)
    f = 1.0 if dpi == BASE_DPI else dpi / BASE_DPI
    sscc = check_sscc(data.sscc)
    ship_to = data.ship_to
    international = ship_to.country.upper() != data.ship_from.country.upper()
    from_lines = data.ship_from.lines(with_country=international)
    to_lines = ship_to.lines(with_country=international)
    elements = [
        TextBlock(MARGIN, 22, from_lines, block_width=440, max_lines=5, height=22, line_spacing=2, font=font),
        Text(490, 22, data.ship_date.isoformat(), height=24, font=font),
        Text(490, 52, clip(format_weight(data.weight_g), 26), height=22, font=font),
        Text(490, 80, f"PKG {data.package_number} OF {data.package_count}", height=36, font=font),
        Text(490, 122, clip(f"ORDER {data.order_ref}", 28), height=22, font=font),
        TextBlock(60, 196, to_lines, block_width=720, max_lines=7, height=42, line_spacing=4, font=font),
        Text(MARGIN, 572, clip(f"{data.carrier}  {data.service}".upper(), 34), height=44, font=font),
    ]
    if data.reference2:
        elements.append(Text(420, 160, clip(data.reference2, 30), height=22, font=font))
    if ship_to.phone:
        elements.append(Text(60, 528, clip(f"TEL {ship_to.phone}", 40), height=22, font=font))
    postal = postal_element(ship_to)
    if postal is not None:
        elements.extend(_gs1_barcode([postal], y=628, height=140, largest=4, text_y=776, font=font))
    tracking = Barcode128(0, 0, data.tracking_number)  # sized first, then placed
    module = fit_module(tracking.modules, WIDTH, 3)  # quiet zones may use the margins
    elements.append(
        Barcode128(_barcode_x(tracking.modules, module), 858, data.tracking_number, height=112, module=module)
    )
    elements.extend(_gs1_barcode([("00", sscc)], y=1046, height=120, largest=4, text_y=1172, font=font))
    return (head + "".join(element.zpl(f) for element in elements) + tail).encode("utf-8")


def _gs1_barcode(elements, *, y: int, height: int, largest: int, text_y: int, font: Font, text_height: int = 28):
    """A centred GS1-128 symbol with its human-readable line "(AI) data" under it."""
    probe = Barcode128(0, 0, elements, gs1=True, interpretation=False)
    module = fit_module(probe.modules, WIDTH, largest)
    return [
        Barcode128(
            _barcode_x(probe.modules, module), y, elements, height=height, module=module, gs1=True,
            interpretation=False,
        ),
        Text(0, text_y, gs1_text(elements), height=text_height, justify="C", block_width=WIDTH, font=font),
    ]


# ---------------------------------------------------------------------------------------------------------
# 4x6 packing slip

SLIP_ROWS = 22


def packing_slip(
    order_ref: str,
    ship_to: Address,
    lines: Sequence[tuple[str, str, int]],
    package_number: int = 1,
    package_count: int = 1,
    *,
    dpi: int = BASE_DPI,
    font: Font | str | None = None,
) -> bytes:
    """What is in this package: order, package i of n, ship-to, one row a line (SKU, name, quantity); rows
    beyond what fits are summed up in a last row."""
    font = as_font(font)
    label = Label(4, 6, dpi)
    label.add(
        Text(MARGIN, 28, "PACKING SLIP", height=44, font=font),
        Text(520, 34, f"PKG {package_number} OF {package_count}", height=32, font=font),
        Text(MARGIN, 84, clip(f"ORDER {order_ref}", 48), height=30, font=font),
        Line(0, 125, WIDTH, 3),
        Text(MARGIN, 136, "SHIP TO:", height=22, font=font),
        TextBlock(MARGIN, 162, ship_to.lines()[:4], block_width=752, max_lines=4, height=26, font=font),
        Line(0, 285, WIDTH, 3),
        Text(MARGIN, 298, "SKU", height=24, font=font),
        Text(250, 298, "ITEM", height=24, font=font),
        Text(690, 298, "QTY", height=24, justify="R", block_width=92, font=font),
        Line(MARGIN, 328, WIDTH - 2 * MARGIN, 2),
    )
    shown = lines if len(lines) <= SLIP_ROWS else lines[: SLIP_ROWS - 1]
    y = 340
    for sku, name, qty in shown:
        label.add(
            Text(MARGIN, y, clip(sku, 17), height=24, font=font),
            Text(250, y, clip(name, 34), height=24, font=font),
            Text(690, y, str(qty), height=24, justify="R", block_width=92, font=font),
        )
        y += 34
    if len(shown) < len(lines):
        rest = lines[len(shown) :]
        more = f"+ {len(rest)} more lines, {sum(qty for _, _, qty in rest)} units"
        label.add(Text(250, y, more, height=24, font=font))
    label.add(
        Line(0, 1105, WIDTH, 3),
        Text(MARGIN, 1130, f"UNITS {sum(qty for _, _, qty in lines)}", height=30, font=font),
    )
    if order_ref.isascii() and order_ref.isprintable():  # the order barcode is a convenience: only if it encodes
        barcode = Barcode128(0, 0, order_ref)
        module = fit_module(barcode.modules, 520, 2)
        label.add(Barcode128(260, 1118, order_ref, height=70, module=module, interpretation=False))
    return label.zpl()


# ---------------------------------------------------------------------------------------------------------
# 4x2 in location and container labels


def _code_label(title: str, code: str, subtitle: str | None, dpi: int, font: Font | str | None) -> bytes:
    """A big code, a caption and the code as a wide Code 128: bins, totes and carts."""
    font = as_font(font)
    label = Label(4, 2, dpi)
    label.add(Text(MARGIN, 18, title, height=34, font=font))
    if subtitle:
        label.add(Text(400, 18, clip(subtitle, 24), height=34, justify="R", block_width=382, font=font))
    label.add(Text(0, 62, clip(code, 16), height=110, justify="C", block_width=WIDTH, font=font))
    barcode = Barcode128(0, 0, code)
    module = fit_module(barcode.modules, WIDTH, 4)
    x = _barcode_x(barcode.modules, module)
    label.add(Barcode128(x, 190, code, height=150, module=module, interpretation=False))
    return label.zpl()


def bin_label(code: str, *, zone: str | None = None, dpi: int = BASE_DPI, font: Font | str | None = None) -> bytes:
    return _code_label("BIN", code, f"ZONE {zone}" if zone else None, dpi, font)


def tote_label(code: str, *, dpi: int = BASE_DPI, font: Font | str | None = None) -> bytes:
    return _code_label("TOTE", code, None, dpi, font)


def cart_label(code: str, *, dpi: int = BASE_DPI, font: Font | str | None = None) -> bytes:
    return _code_label("CART", code, None, dpi, font)


def item_label(
    sku: str, name: str, gtin: str | None = None, *, dpi: int = BASE_DPI, font: Font | str | None = None
) -> bytes:
    """SKU, name, and the GTIN as EAN-13 (GTIN-12/13) or GS1-128 AI 01 (GTIN-8/14), with the SKU as Code 128."""
    font = as_font(font)
    label = Label(4, 2, dpi)
    label.add(
        Text(MARGIN, 18, clip(sku, 24), height=60, font=font),
        TextBlock(MARGIN, 86, name, block_width=752, max_lines=2, height=28, font=font),
    )
    sku_barcode = Barcode128(0, 0, sku)
    if gtin:
        digits = gtin.strip()
        if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
            raise ValueError(f"not a GTIN: {gtin!r}")
        if len(digits) in (12, 13):
            label.add(Ean13(MARGIN + 20, 160, digits.zfill(13), height=150, module=3))
        else:
            element = [("01", digits.zfill(14))]
            label.add(Barcode128(MARGIN + 20, 160, element, height=150, module=2, gs1=True, interpretation=False))
            label.add(Text(MARGIN, 318, gs1_text(element), height=22, font=font))
        module = fit_module(sku_barcode.modules, 380, 3)
        label.add(Barcode128(420, 160, sku, height=150, module=module))
    else:
        module = fit_module(sku_barcode.modules, WIDTH - 2 * MARGIN, 3)
        label.add(Barcode128(_barcode_x(sku_barcode.modules, module), 160, sku, height=150, module=module))
    return label.zpl()


def lpn_label(
    sscc: str, *, contents: str | Sequence[str] | None = None, dpi: int = BASE_DPI, font: Font | str | None = None
) -> bytes:
    """A license plate (4x3 in): the SSCC as a full-height GS1-128 (AI 00; 32 mm bars) with what it holds."""
    font = as_font(font)
    element = [("00", check_sscc(sscc))]
    label = Label(4, 3, dpi)
    label.add(
        Text(MARGIN, 18, "SSCC", height=30, font=font),
        Text(MARGIN, 56, sscc, height=50, font=font),
    )
    if contents:
        label.add(TextBlock(MARGIN, 118, contents, block_width=752, max_lines=4, height=26, font=font))
    label.extend(_gs1_barcode(element, y=250, height=260, largest=4, text_y=528, font=font, text_height=32))
    return label.zpl()

