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


def expand_upc_e(code: str) -> str | None:
    """Return the UPC-A (12 digits) that an 8-digit UPC-E stands for, or None if `code` is not one.

    A UPC-E is number system 0 or 1, six digits and the check digit of its UPC-A; the last of the six
    says where the zeros suppressed from the manufacturer and product numbers go.
    """
    if not (len(code) == 8 and _DIGITS_RE.fullmatch(code) and code[0] in "01"):
        return None
    d = code[1:7]
    if d[5] in "012":
        body = d[:2] + d[5] + "0000" + d[2:5]
    elif d[5] == "3":
        body = d[:3] + "00000" + d[3:5]
    elif d[5] == "4":
        body = d[:4] + "00000" + d[4]
    else:
        body = d[:5] + "0000" + d[5]
    upc_a = code[0] + body
    return upc_a + code[7] if gs1_check_digit(upc_a) == int(code[7]) else None


def upc_e_check_digit(code: str) -> int:
    """The check digit an 8-digit UPC-E (number system 0 or 1) should end with."""
    return next(c for c in range(10) if expand_upc_e(code[:7] + str(c)))
