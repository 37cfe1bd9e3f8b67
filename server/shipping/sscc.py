"""SSCCs (GS1 Serial Shipping Container Code, AI 00) for our packages: ../shared/reference/gs1.md."""

from __future__ import annotations

from flask import current_app

from ..gtin import gs1_check_digit
from .sequences import next_serial

DEMO_GS1_PREFIX = "0614141"  # GS1's example company prefix, the demo's


def sscc_for(serial: int, prefix: str = DEMO_GS1_PREFIX, extension: int = 0) -> str:
    """extension digit + company prefix + serial reference (17 digits together) + check digit."""
    if not (prefix.isascii() and prefix.isdigit() and 6 <= len(prefix) <= 12):
        raise ValueError(f"GS1 company prefix {prefix!r}: 6 to 12 digits")
    width = 16 - len(prefix)
    if serial >= 10 ** width:
        raise ValueError(f"SSCC serials of prefix {prefix} are exhausted")
    body = f"{extension}{prefix}{serial:0{width}d}"
    return body + str(gs1_check_digit(body))


def next_sscc() -> str:
    """The next SSCC of the configured prefix (SHIPFLOOR_GS1_PREFIX), in the caller's transaction."""
    prefix = current_app.config.get("GS1_PREFIX") or DEMO_GS1_PREFIX
    return sscc_for(next_serial("sscc"), prefix)


def is_sscc(text: str) -> bool:
    return len(text) == 18 and text.isascii() and text.isdigit() and gs1_check_digit(text[:17]) == int(text[17])
