"""GS1 keys (GTIN, SSCC, GLN): check digits and the 14-digit GTIN form. Pure functions, no Flask, no DB.

Kept apart from the scanning package so that the catalogue can check its barcodes without depending on
scanning (which depends on the catalogue to resolve codes).
"""

from __future__ import annotations

import re

_DIGITS_RE = re.compile(r"[0-9]+")  # str.isdigit() would accept "²" and other Unicode digits


def gs1_check_digit(data: str) -> int:
    """Return the GS1 mod-10 check digit for `data` (all digits except the check digit)."""
    if not _DIGITS_RE.fullmatch(data):
        raise ValueError(f"check digit data must be digits, got {data!r}")
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def is_valid_gs1_key(code: str) -> bool:
    """Tell whether `code` is a GTIN-8/12/13/14, GLN, GSIN or SSCC with a correct check digit."""
    return (bool(_DIGITS_RE.fullmatch(code)) and len(code) in (8, 12, 13, 14, 17, 18)
            and gs1_check_digit(code[:-1]) == int(code[-1]))


def looks_like_gtin(code: str) -> bool:
    """Tell whether `code` has the shape of a GTIN (8, 12, 13 or 14 digits), check digit aside."""
    return bool(_DIGITS_RE.fullmatch(code)) and len(code) in (8, 12, 13, 14)


def normalize_gtin(code: str) -> str | None:
    """Return the 14-digit form of a valid GTIN, or None; padding keeps the check digit valid."""
    return code.zfill(14) if looks_like_gtin(code) and is_valid_gs1_key(code) else None
