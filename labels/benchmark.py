"""How many 4x6 shipping labels `labels.templates.shipping_label` makes a second on one core (for
bench/labels.py). Each label gets its own tracking number, SSCC and addressee, as in a real run."""

from __future__ import annotations

import time
from datetime import date

from labels.templates import Address, ShippingLabel, shipping_label
from labels.zpl import gs1_check_digit

SHIP_FROM = Address("Shipfloor Demo Warehouse", "Shipfloor S.r.l.", "Via Roma 1", city="Milano", state="MI",
                    postal_code="20121", country="IT")


def sample_labels(count: int = 200) -> list[ShippingLabel]:
    labels = []
    for n in range(count):
        serial = f"0614141{n:010d}"
        ship_to = Address(f"Customer {n} Müller", "", f"{n} Elm St", "Apt 4", city="Austin", state="TX",
                          postal_code=f"787{n % 100:02d}-{n % 10000:04d}", country="US", phone="+1 512 555 0100")
        labels.append(ShippingLabel(
            SHIP_FROM, ship_to, "UPS", "Ground", 1000 + n, f"114-{n:07d}-1234567", 1 + n % 3, 3,
            f"1Z999AA1{n:010d}", serial + str(gs1_check_digit(serial)), date(2025, 1, 31),
        ))
    return labels


def shipping_labels_per_second(seconds: float = 1.0, *, dpi: int = 203) -> float:
    """Labels rendered a second, measured for about `seconds` (after one warm-up label)."""
    labels = sample_labels()
    shipping_label(labels[0], dpi=dpi)
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for data in labels:
            shipping_label(data, dpi=dpi)
        done += len(labels)
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start)
