"""Say what a scanned code is: location, item, tote, order, user badge, or parsed GS1 data.

The rules are CONTRACT.md's (Scanning). Everything the code could be is worked out first, without the
database (GTIN and UPC-E readings, GS1 fields); then one query (lookup.py) fetches every candidate, and
the first reading that found something wins:

  unmarked code:  location > item by barcode > item by SKU > order > badge > item by its UPC-E reading
                  > then a GTIN-shaped number is a GTIN (unknown: 404), anything else may be GS1 data
  GS1-marked:     license plate by SSCC (AI 00) > package by SSCC > item by GTIN (AI 01/02) > kind "gs1"

Packages (SSCC, tracking number) and shipments (SHP-<id>) come from the shipping domain through
register_resolver, asked only when every kind above missed (so a known code pays nothing for them).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput, NotFound
from ..inventory.codes import LocationKind
from ..schemas import MAX_QTY
from . import gs1
from .lookup import Found, Wanted, look_up

ORDER_CODE = re.compile(r"^ORD-?(\d{1,12})$", re.IGNORECASE)
MAX_ORDER_ID = 2**31 - 1
# Symbologies that carry EAN/UPC only; after ]E0 eight digits are a UPC-E, after ]E4 an EAN-8.
UPC_E_AIM, EAN_8_AIM = "]E0", "]E4"
# Kinds other domains resolve (shipping: packages, shipments), asked only after every kind here missed:
# fn(code, gs1 fields or None) → an answer or None; each looks nothing up for a code that cannot be its.
_extra_resolvers: list[Callable[[str | None, dict | None], dict | None]] = []


def register_resolver(fn: Callable[[str | None, dict | None], dict | None]) -> None:
    if fn not in _extra_resolvers:
        _extra_resolvers.append(fn)


def _resolve_extra(code: str | None, fields: dict | None) -> dict | None:
    return next((answer for fn in _extra_resolvers if (answer := fn(code, fields)) is not None), None)


class UnknownCode(NotFound):
    code, title = "unknown_code", "Unknown code"


class BadCheckDigit(InvalidInput):
    code, title = "bad_check_digit", "Bad check digit"


class MalformedGS1(InvalidInput):
    code, title = "malformed_gs1", "Malformed GS1 barcode"


def _gs1_problem(err: gs1.GS1Error) -> DomainError:
    cls = BadCheckDigit if isinstance(err, gs1.BadCheckDigit) else MalformedGS1
    return cls(str(err), field="code", expected=err.expected)


def _bad_check_digit(code: str, expected: int) -> BadCheckDigit:
    return BadCheckDigit(_("%(code)s has a wrong check digit: probably a misread. Scan it again.", code=code),
                         field="code", expected=f"check digit {expected}")


def _item_answer(found: Found, item: dict, units: int | None = None) -> dict:
    view = {key: item[key] for key in ("sku", "name", "unit", "units")}
    if units is not None:
        view["units"] = units
    view["barcodes"] = found.barcodes.get(item["id"], [])
    view.update({key: item[key] for key in ("tracks_lot", "tracks_expiry", "tracks_serial")})
    return {"kind": "item", "item": view}


def _location_answer(loc: dict) -> dict:
    kind = "tote" if loc["kind"] == LocationKind.TOTE.value else "location"
    return {"kind": kind, kind: dict(loc)}


def _gs1_keys(fields: dict[str, str], want: Wanted) -> None:
    """Add what GS1 data can point at: a license plate by SSCC, an item by GTIN."""
    if "00" in fields:
        want.location_keys.add(fields["00"])
    gtin = fields.get("01") or fields.get("02")
    if gtin:
        want.barcodes.add(gtin)
        want.sku_keys.add(gtin)


def _gs1_answer(fields: dict[str, str], found: Found) -> dict:
    """Name what GS1 data points at, always with its fields."""
    base = {"gs1": fields}
    plate = found.locations.get(fields.get("00", ""))
    if plate is not None:
        return {**_location_answer(plate), **base}
    extra = _resolve_extra(None, fields) if "00" in fields else None
    if extra is not None:
        return {**extra, **base}
    gtin = fields.get("01") or fields.get("02")
    item = gtin and (found.items_by_barcode.get(gtin) or found.items_by_sku.get(gtin))
    if item:
        described = gs1.describe(fields)
        units = item["units"] * int(described.get("count") or 1) if "02" in fields else None
        if units is not None and units > MAX_QTY:  # AI 37 takes 8 digits: no scan stands for 99,999,999 cases
            shown, largest = format(units, ","), format(MAX_QTY, ",")
            raise InvalidInput(_("The scan stands for %(n)s units, more than the %(max)s one scan may carry.",
                                 n=shown, max=largest), field="code", expected=f"at most {MAX_QTY}")
        answer = _item_answer(found, item, units)
        for key in ("lot", "expiry", "serial", "best_before"):
            if described.get(key):
                answer["item"][key] = described[key]
        return {**answer, **base}
    return {"kind": "gs1", **base}


def _resolve_gs1(payload: str) -> dict:
    try:
        fields = gs1.parse_element_strings(payload)
    except gs1.GS1Error as err:
        raise _gs1_problem(err) from None
    want = Wanted()
    _gs1_keys(fields, want)
    return _gs1_answer(fields, look_up(want))


def _gtin_readings(code: str, aim: str | None) -> tuple[list[str], BadCheckDigit | None]:
    """The 14-digit GTINs a GTIN-shaped number may be, best first, or the check-digit refusal."""
    upc_a = gs1.expand_upc_e(code) if aim != EAN_8_AIM else None
    if aim == UPC_E_AIM and len(code) == 8 and code[0] in "01":  # ]E0 + 8 digits: a UPC-E, never EAN-8
        if upc_a:
            return [upc_a.zfill(14)], None
        return [], _bad_check_digit(code, gs1.upc_e_check_digit(code))
    readings = [code.zfill(14)] if gs1.is_valid_gs1_key(code) else []
    if upc_a and upc_a.zfill(14) not in readings:
        readings.append(upc_a.zfill(14))  # a bare UPC-E, tried when it fails as a GTIN-8
    return readings, None if readings else _bad_check_digit(code, gs1.gs1_check_digit(code[:-1]))


def _resolve_plain(code: str, aim: str | None) -> dict:
    """An unmarked scan (or one behind a non-GS1 AIM prefix): a code we print or stock, a GTIN, or GS1."""
    want = Wanted(location_keys={code.upper()}, sku_keys={code.upper()}, badge=code)
    gtin_shaped = gs1.looks_like_gtin(code)
    readings, bad_check = _gtin_readings(code, aim) if gtin_shaped else ([], None)
    exact_barcode = readings[0] if readings and readings[0] == code.zfill(14) else code.upper()
    want.barcodes = {exact_barcode, *readings}
    order_no = ORDER_CODE.match(code)
    if order_no:
        order_id = int(order_no.group(1))
        # Ids are 32-bit integers: a larger number would make PostgreSQL refuse the query (a 500).
        want.order_id = order_id if order_id <= MAX_ORDER_ID else -1
    else:
        want.channel_order_id = code
    # Wedge scanners often drop the ]C1 prefix: unmarked GS1 that parses completely is GS1 — except a
    # GTIN-shaped number, which is a GTIN (CONTRACT.md), so "4006381333931" is never AI 400 data.
    fields, gs1_error = None, None
    if not gtin_shaped:
        try:
            fields = gs1.parse_element_strings(code)
            _gs1_keys(fields, want)
        except gs1.BadCheckDigit as err:
            gs1_error = err
        except gs1.GS1Error:
            pass

    found = look_up(want)
    loc = found.locations.get(code.upper())
    if loc is not None and loc["kind"] != LocationKind.VIRTUAL.value:
        return _location_answer(loc)
    item = found.items_by_barcode.get(exact_barcode) or found.items_by_sku.get(code.upper())
    if item:
        return _item_answer(found, item)
    if found.orders:
        order = found.orders[0]
        return {"kind": "order", "order": {key: order[key] for key in ("id", "channel", "channel_order_id",
                                                                      "status")}}
    if found.users:
        return {"kind": "user", "user": found.users[0]}
    item = next((found.items_by_barcode[r] for r in readings if r in found.items_by_barcode), None)
    if item:
        return _item_answer(found, item)
    extra = _resolve_extra(code, None) if not fields else None
    if extra is not None:
        return extra
    if bad_check is not None:
        raise bad_check
    if fields:
        return _gs1_answer(fields, found)
    if gs1_error is not None:
        raise _gs1_problem(gs1_error)
    raise UnknownCode(_("%(code)s is not a known location, item, tote, order or badge.", code=code),
                      field="code", expected="a location, item, tote, order or badge barcode")


def resolve_code(raw: str, *, gs_substitutes=None) -> dict:
    """Resolve one scan as CONTRACT.md's POST /api/scan describes (one query); raise a problem otherwise."""
    if gs_substitutes is None:  # the configured wedge substitutes for the GS1 separator
        gs_substitutes = (current_app.config.get("SCAN_GS_SUBSTITUTES", ("|",)) if has_app_context()
                          else ("|",))
    parsed = gs1.parse_scan(raw, substitutes=gs_substitutes)
    if not parsed.payload.strip():
        raise InvalidInput(_("The scan was empty."), field="code")
    if parsed.is_gs1_marked:
        return _resolve_gs1(parsed.payload)
    return _resolve_plain(parsed.payload.strip(), parsed.aim)
