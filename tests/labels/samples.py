"""Label data for the tests: the same label in several scripts, and every template called with text fields
that a test can swap for other data."""

from __future__ import annotations

from datetime import date

from labels import templates
from labels.templates import Address, ShippingLabel

SSCC = "006141411234567890"  # gs1.md's worked example
UPS = "1Z999AA10123456784"

# A name and a place in each script the acceptance names.
SCRIPTS = {
    "ascii": ("Jane Doe", "Austin"),
    "cyrillic": ("Жанна Смирнова", "Москва"),
    "chinese": ("王小明", "上海市"),
    "accented": ("Éloïse Müller-Çelik", "Besançon"),
}

WAREHOUSE = Address(
    "Shipfloor Demo Warehouse", "Shipfloor S.r.l.", "Via Roma 1", city="Milano", state="MI", postal_code="20121",
    country="IT",
)


def address(name: str = "Jane Doe", city: str = "Austin", **fields: str) -> Address:
    values = dict(company="", line1="123 Elm St", line2="Apt 4", city=city, state="TX", postal_code="78701-1234",
                  country="US", phone="+1 512 555 0100")
    return Address(name, **(values | fields))


def shipping(**fields) -> ShippingLabel:
    values = dict(
        ship_from=WAREHOUSE, ship_to=address(), carrier="UPS", service="Ground", weight_g=2350,
        order_ref="114-1234567-1234567", package_number=1, package_count=2, tracking_number=UPS, sscc=SSCC,
        ship_date=date(2025, 1, 31), reference2="PO 4711",
    )
    return ShippingLabel(**(values | fields))


def render_all(text: str, name: str = "Jane Doe", city: str = "Austin", dpi: int = 203) -> dict[str, bytes]:
    """Every template once, `text` in each free-text field it has (names, company, items, zone, contents)."""
    to = address(name, city, company=text, line3=text)
    return {
        "shipping": templates.shipping_label(shipping(ship_to=to, reference2=text, service=text), dpi=dpi),
        "packing_slip": templates.packing_slip(
            "114-1234567-1234567", to, [("SKU-1", text, 2), ("SKU-2", name, 1)], 1, 2, dpi=dpi
        ),
        "bin": templates.bin_label("A-01-02-03", zone=text, dpi=dpi),
        "item": templates.item_label("SKU-000123", text, "4006381333931", dpi=dpi),
        "tote": templates.tote_label("TOTE-0042", dpi=dpi),
        "cart": templates.cart_label("CART-07", dpi=dpi),
        "lpn": templates.lpn_label(SSCC, contents=[text, name], dpi=dpi),
    }
