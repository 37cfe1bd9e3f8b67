"""Amazon unshipped-orders reports written the way the reference documents them (amazon-fbm.md §1.1): the 28
columns in the seller integration's order, plus a few columns of newer variants the import must ignore."""

from __future__ import annotations

AMAZON_COLUMNS = (
    "order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
    "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
    "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level", "recipient-name",
    "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code",
    "ship-country", "is-business-order", "purchase-order-number", "price-designation", "is-sold-by-ab",
)
UNKNOWN_COLUMNS = ("is-prime", "is-global-express-enabled", "sales-channel", "signature-confirmation-recommended")
assert len(AMAZON_COLUMNS) == 28

# Buyers whose names and addresses must come back exactly as the report wrote them.
BUYERS = {
    "es": {"buyer-name": "José Ñúñez", "recipient-name": "María José Peña", "ship-address-1": "Calle de Alcalá 48",
           "ship-address-2": "3º izquierda", "ship-city": "Málaga", "ship-state": "Andalucía",
           "ship-postal-code": "29015", "ship-country": "ES"},
    "it": {"buyer-name": "Niccolò Caffè", "recipient-name": "Niccolò Caffè", "ship-address-1": "Via Sant'Agnese 7",
           "ship-address-2": "", "ship-city": "Forlì", "ship-state": "FC", "ship-postal-code": "47121",
           "ship-country": "IT"},
    "ru": {"buyer-name": "Анна Ковалёва", "recipient-name": "Анна Ковалёва", "ship-address-1": "ул. Тверская, д. 7",
           "ship-address-2": "кв. 12", "ship-city": "Москва", "ship-state": "", "ship-postal-code": "125009",
           "ship-country": "RU"},
    "zh": {"buyer-name": "王小明", "recipient-name": "李华", "ship-address-1": "朝阳区建国路88号",
           "ship-address-2": "SOHO现代城 2号楼 1501室", "ship-city": "北京市", "ship-state": "北京",
           "ship-postal-code": "100022", "ship-country": "CN"},
    "us": {"buyer-name": "Pat Doe", "recipient-name": "Pat Doe", "ship-address-1": "1 Main St",
           "ship-address-2": "", "ship-city": "Springfield", "ship-state": "IL", "ship-postal-code": "02134",
           "ship-country": "US"},
}


def item_row(order_id: str, item_id: str, sku: str, qty: int = 1, *, buyer: str = "us",
             purchased: str = "2026-05-04T09:30:00+00:00", **cells) -> dict:
    """One order-item row; cells override any column (also unknown ones)."""
    row = {"order-id": order_id, "order-item-id": item_id, "purchase-date": purchased,
           "payments-date": purchased, "reporting-date": purchased, "buyer-email": f"{item_id}@marketplace.example",
           "sku": sku, "product-name": f"Product {sku}", "quantity-purchased": str(qty), "quantity-shipped": "0",
           "quantity-to-ship": str(qty), "ship-service-level": "Standard", "is-business-order": "false",
           "is-prime": "false", "sales-channel": "Amazon.com", **BUYERS[buyer]}
    row.update(cells)
    return row


def report(rows: list[dict], *, columns=AMAZON_COLUMNS + UNKNOWN_COLUMNS, newline: str = "\n",
           bom: bool = False, encoding: str = "utf-8") -> bytes:
    """The report file: a header line, then one tab-separated line per row (missing cells blank)."""
    lines = ["\t".join(columns)] + ["\t".join(str(row.get(c, "")) for c in columns) for row in rows]
    data = (newline.join(lines) + newline).encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data
