"""Carrier tracking numbers: recognise the format, check the check digit, give the number to store.

Pure rules from ../shared/reference/carriers.md (no Flask app, no database). A scan or a typed number is
normalised (spaces and dashes dropped, upper case), then tried against the formats of the carrier the
packer chose, or of every carrier when none is given: the first format whose check digit holds wins.
Formats collide (twelve digits can be FedEx or something else), so a known carrier is always the better
guide; detection alone is a hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ..errors import InvalidInput
from ..gtin import gs1_check_digit


class InvalidTracking(InvalidInput):
    code, title = "invalid_tracking", "Not a valid tracking number"


@dataclass(frozen=True)
class TrackingFormat:
    carrier: str
    name: str            # what the refusal lists: "UPS 1Z (18 characters)"
    read: Callable[[str], str | None]  # normalised text → the number to store, or None when it is not this


# --- check digits ------------------------------------------------------------------------------------

def _gs1_ok(digits: str) -> bool:
    return gs1_check_digit(digits[:-1]) == int(digits[-1])


def _ups_value(char: str) -> int:
    return int(char) if char.isdigit() else (ord(char) - 3) % 10  # A=2 … Z=7 (carriers.md §2)


def ups_check_digit(body: str) -> int:
    """The check digit of the 15 characters after "1Z": even positions (from 1) count twice."""
    total = sum(_ups_value(c) * (2 if i % 2 else 1) for i, c in enumerate(body))
    return (10 - total % 10) % 10


def fedex_express_check_digit(first11: str) -> int:
    total = sum(int(d) * w for d, w in zip(first11, (3, 1, 7) * 4))
    return total % 11 % 10


def fedex_barcode_check_digit(serial13: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial13, (1, 7, 3) * 5))
    return total % 11 % 10


def s10_check_digit(eight: str) -> int:
    r = sum(int(d) * w for d, w in zip(eight, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    return {0: 5, 1: 0}.get(r, 11 - r)


def dhl_check_digit(serial: str) -> int:
    return int(serial) % 7


def local_check_digit(serial: str) -> int:
    return gs1_check_digit(serial)


# --- the formats -------------------------------------------------------------------------------------

_UPS = re.compile(r"1Z[0-9A-Z]{16}")
_DIGITS = re.compile(r"[0-9]+")
_S10 = re.compile(r"[A-Z]{2}([0-9]{8})([0-9])[A-Z]{2}")
_AMZL = re.compile(r"TBA[0-9]{12}")
LOCAL_PREFIX = "SFL"
_LOCAL = re.compile(LOCAL_PREFIX + r"([0-9]{10})([0-9])")


def _digits(text: str, *lengths: int) -> bool:
    return bool(_DIGITS.fullmatch(text)) and len(text) in lengths


def _ups(t: str) -> str | None:
    if _UPS.fullmatch(t) and t[17].isdigit() and ups_check_digit(t[2:17]) == int(t[17]):
        return t
    return None


def _impb_tracking(t: str) -> str | None:
    """A USPS IMpb tracking number (22 or 26 digits, 9[1-5]…; 20-digit legacy)."""
    if _digits(t, 22, 26) and t[0] == "9" and t[1] in "12345" and _gs1_ok(t):
        return t
    if _digits(t, 20) and _gs1_ok(t):
        return t
    return None


def _usps(t: str) -> str | None:
    found = _impb_tracking(t)
    if found:
        return found
    if _digits(t, 30, 34) and t.startswith("420"):
        # The barcode: 420 + ZIP5 or ZIP+4, then the tracking number; the split that validates wins.
        for zip_len in (5, 9):
            found = _impb_tracking(t[3 + zip_len:])
            if found:
                return found
    m = _S10.fullmatch(t)
    if m and s10_check_digit(m.group(1)) == int(m.group(2)):
        return t
    return None


def _fedex(t: str) -> str | None:
    if _digits(t, 12) and fedex_express_check_digit(t[:11]) == int(t[11]):
        return t
    if _digits(t, 15) and _gs1_ok(t):
        return t
    if _digits(t, 22) and t.startswith("96") and _gs1_ok(t[-15:]):
        return t[-15:]  # the Ground barcode carries the 15-digit number in its last 15 digits
    if _digits(t, 34) and t.startswith("100") and fedex_barcode_check_digit(t[20:33]) == int(t[33]):
        return t
    if _digits(t, 18) and t.startswith("00") and _gs1_ok(t):
        return t  # Ground with an SSCC
    if _digits(t, 22) and t.startswith("92") and _gs1_ok(t):
        return t  # Ground Economy (SmartPost) on a USPS IMpb
    if _digits(t, 20) and _gs1_ok("92" + t):
        return t
    return None


def _dhl(t: str) -> str | None:
    if _digits(t, 10, 11) and dhl_check_digit(t[:-1]) == int(t[-1]):
        return t
    return None


def _amzl(t: str) -> str | None:
    return t if _AMZL.fullmatch(t) else None


def _local(t: str) -> str | None:
    m = _LOCAL.fullmatch(t)
    return t if m and local_check_digit(m.group(1)) == int(m.group(2)) else None


FORMATS: dict[str, tuple[TrackingFormat, ...]] = {
    "ups": (TrackingFormat("ups", "UPS 1Z + 16 characters", _ups),),
    "usps": (TrackingFormat("usps", "USPS IMpb 20/22/26 digits (or 420+ZIP barcode), S10 AA123456789US", _usps),),
    "fedex": (TrackingFormat("fedex", "FedEx 12, 15, 20, 22 (96…) or 34 digits", _fedex),),
    "dhl": (TrackingFormat("dhl", "DHL Express waybill 10 digits", _dhl),),
    "amzl": (TrackingFormat("amzl", "Amazon Logistics TBA + 12 digits", _amzl),),
    "local": (TrackingFormat("local", f"Local delivery {LOCAL_PREFIX} + 11 digits", _local),),
}
ALL_FORMATS = tuple(f for formats in FORMATS.values() for f in formats)


def normalise(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "").upper()


def _first_match(formats, text: str) -> tuple[str, str] | None:
    t = normalise(text)
    for fmt in formats:
        stored = fmt.read(t) if t else None
        if stored:
            return fmt.carrier, stored
    return None


def detect_tracking(text: str) -> tuple[str, str] | None:
    """(carrier, number to store) of the first carrier whose format and check digit the text passes, or None."""
    return _first_match(ALL_FORMATS, text)


def validate_tracking(carrier: str | None, text: str) -> tuple[str, str]:
    """→ (carrier code, the number to store); InvalidTracking (422) listing the formats tried otherwise.

    carrier given: only its formats; None: every carrier's, the first that validates wins."""
    if carrier is not None and carrier not in FORMATS:
        raise InvalidTracking(_("%(carrier)s is not a carrier we know.", carrier=carrier), field="carrier",
                              expected=", ".join(FORMATS))
    tried = FORMATS[carrier] if carrier else ALL_FORMATS
    found = _first_match(tried, text)
    if found:
        return found
    names = "; ".join(f.name for f in tried)
    raise InvalidTracking(_("%(text)s is not a valid tracking number (tried: %(formats)s). Scan it again or "
                            "check the digits.", text=text.strip() or "''", formats=names),
                          field="tracking_number", expected=names)


def local_tracking_number(serial: int) -> str:
    """The local-delivery carrier's number for this serial: SFL + 10 digits + GS1 check digit."""
    body = f"{serial:010d}"
    if len(body) > 10:
        raise ValueError("local tracking serials are exhausted")
    return f"{LOCAL_PREFIX}{body}{local_check_digit(body)}"
