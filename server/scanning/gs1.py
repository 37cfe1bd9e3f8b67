"""GS1 keys, element strings, bracket form and Digital Link: pure parsing, no Flask, no DB.

Reference: ../shared/reference/gs1.md. Every failure raises a GS1Error whose message a picker can read.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from ..gtin import (expand_upc_e, gs1_check_digit, is_valid_gs1_key, looks_like_gtin,  # noqa: F401 (re-exported)
                    normalize_gtin, upc_e_check_digit)

GS = "\x1d"
GS1_AIMS = frozenset({"]C1", "]d2", "]Q3", "]e0"})
_AIM_RE = re.compile(r"\][A-Za-z][0-9]")
_DIGITS_RE = re.compile(r"[0-9]+")  # str.isdigit() would accept "²" and other Unicode digits
# Text forms of GS that wedge configurations commonly emit (always mapped, besides `substitutes`).
_GS_TEXT_FORMS = ("<GS>", "{GS}", "\\x1d", "\\x1D", "\\u001d", "\\u001D")
_CHARSET_X = "!\"%&'()*+,\\-./0-9:;<=>?A-Z_a-z"  # GS1 82-character set, as a regex class body
_X_RE = re.compile(f"[{_CHARSET_X}]*")
_CHARSETS = {"N": "[0-9]", "X": f"[{_CHARSET_X}]", "Y": "[#\\-/0-9A-Z]", "Z": "[-0-9A-Z_a-z]"}


class GS1Error(ValueError):
    """A scan that is not acceptable GS1 data; `str(e)` is a sentence for the floor worker."""

    code = "malformed_gs1"

    def __init__(self, message: str, *, ai: str | None = None, expected: str | None = None):
        super().__init__(message)
        self.message, self.ai, self.expected = message, ai, expected


class MalformedGS1(GS1Error):
    code = "malformed_gs1"


class BadCheckDigit(GS1Error):
    code = "bad_check_digit"


# --- check digits and GTINs ---------------------------------------------------------------------

def require_gtin(code: str) -> str:
    """Return the 14-digit form of a GTIN, raising MalformedGS1 or BadCheckDigit when it is not one."""
    if not looks_like_gtin(code):
        raise MalformedGS1(f"{code!r} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits.",
                           ai="01", expected="8, 12, 13 or 14 digits")
    expected = gs1_check_digit(code[:-1])
    if expected != int(code[-1]):
        raise BadCheckDigit(f"The GTIN {code} has a wrong check digit: expected {expected}.",
                            ai="01", expected=f"check digit {expected}")
    return code.zfill(14)


# --- the AI table -------------------------------------------------------------------------------

class AISpec(NamedTuple):
    ai: str
    fmt: str          # GS1 notation: N numeric, X 82-char set, Y 39-char set, Z 64-char set (base64url);
                      # "N6" exact, "X..20" at most, "N13+[X..17]" parts, "[N4]" four digits or none
    title: str
    check: int        # the first `check` digits carry a mod-10 check digit (0: none)
    date_kind: int    # 0 no date, 1 YYMMDD, 2 YYMMDD where DD=00 means "end of month", 3 YYYYMMDD
    pattern: re.Pattern[str]
    min_len: int
    max_len: int
    numeric: bool


# AI  format ([..] = optional part)  flags  title.
# Flags: Cn check digit over the first n digits, D date (YYMMDD, then hhmm[ss] if longer), D0 date where
# DD=00 means end of month, D8 date as YYYYMMDD (then hhmm). GS1 General Specifications, section 3.
_TABLE = """
00 N18 C18 SSCC|01 N14 C14 GTIN|02 N14 C14 content GTIN|03 N14 C14 made-to-order GTIN
10 X..20 - batch/lot|11 N6 D0 production date|12 N6 D0 due date|13 N6 D0 packaging date
15 N6 D0 best-before date|16 N6 D0 sell-by date
17 N6 D0 expiry date|20 N2 - variant|21 X..20 - serial number|22 X..20 - consumer product variant
235 X..28 - TPX|240 X..30 - additional product id|241 X..30 - customer part number
242 N..6 - made-to-order variant|243 X..20 - packaging component number|250 X..30 - secondary serial
251 X..30 - reference to source|253 N13+[X..17] C13 document id (GDTI)|254 X..20 - GLN extension
255 N13+[N..12] C13 coupon number|30 N..8 - variable count|37 N..8 - count|400 X..30 - order number
401 X..30 - consignment number|402 N17 C17 shipment number (GSIN)|403 X..30 - routing code
410 N13 C13 ship-to GLN|411 N13 C13 bill-to GLN|412 N13 C13 purchased-from GLN
413 N13 C13 ship-for GLN|414 N13 C13 location GLN|415 N13 C13 pay-to GLN
416 N13 C13 production location GLN|417 N13 C13 party GLN|420 X..20 - ship-to postal code
421 N3+X..9 - ship-to postal code|422 N3 - country of origin|423 N3+[N..12] - country of initial processing
424 N3 - country of processing|425 N3+[N..12] - country of disassembly|426 N3 - country of full processing
427 X..3 - origin subdivision
4300 X..35 - ship-to company|4301 X..35 - ship-to contact|4302 X..70 - ship-to address line 1
4303 X..70 - ship-to address line 2|4304 X..70 - ship-to suburb|4305 X..70 - ship-to locality
4306 X..70 - ship-to region|4307 X2 - ship-to country|4308 X..30 - ship-to phone
4309 N20 - ship-to geolocation|4310 X..35 - return-to company|4311 X..35 - return-to contact
4312 X..70 - return-to address line 1|4313 X..70 - return-to address line 2|4314 X..70 - return-to suburb
4315 X..70 - return-to locality|4316 X..70 - return-to region|4317 X2 - return-to country
4318 X..20 - return-to postal code|4319 X..30 - return-to phone|4320 X..35 - service description
4321 N1 - dangerous goods flag|4322 N1 - authority-to-leave flag|4323 N1 - signature-required flag
4324 N10 D not-before delivery time|4325 N10 D not-after delivery time|4326 N6 D release date
4330 N6+[X1] - maximum temperature (F)|4331 N6+[X1] - maximum temperature (C)
4332 N6+[X1] - minimum temperature (F)|4333 N6+[X1] - minimum temperature (C)
7001 N13 - NATO stock number|7002 X..30 - meat cut
7003 N10 D expiry date and time|7004 N..4 - active potency|7005 X..12 - catch area
7006 N6 D first freeze date|7007 N6..12 D harvest date|7008 X..3 - aquatic species
7009 X..10 - fishing gear type|7010 X..2 - production method|7011 N6+[N4] D test-by date
7020 X..20 - refurbishment lot
7021 X..20 - functional status|7022 X..20 - revision status|7023 X..30 - assembly asset id
7040 N1+X3 - GS1 UIC with extension and importer index|7041 X..4 - freight unit type
710 X..20 - NHRN PZN|711 X..20 - NHRN CIP|712 X..20 - NHRN CN|713 X..20 - NHRN DRN|714 X..20 - NHRN AIM
715 X..20 - NHRN NDC|716 X..20 - NHRN AIC|717 X..20 - NHRN SRN|7240 X..20 - protocol id
7241 N2 - AIDC media type|7242 X..25 - version control number|7250 N8 D8 date of birth
7251 N12 D8 date and time of birth|7252 N1 - biological sex|7253 X..40 - family name
7254 X..40 - given name|7255 X..10 - name suffix|7256 X..90 - full name|7257 X..70 - address of person
7258 N1+X1+N1 - baby birth sequence|7259 X..40 - baby of family name
8001 N14 - roll dimensions|8002 X..20 - mobile phone id|8003 N14+[X..16] C14 returnable asset (GRAI)
8004 X..30 - individual asset (GIAI)|8005 N6 - price per unit|8006 N14+N2+N2 C14 trade item piece
8007 X..34 - IBAN|8008 N8+[N..4] D production date and time|8009 X..50 - sensor indicator
8010 Y..30 - component/part id (CPID)|8014 X..25 - device registration id (HIDRI)
8011 N..12 - part serial|8012 X..20 - software version|8013 X..25 - model number
8017 N18 C18 service provider (GSRN)|8018 N18 C18 service recipient (GSRN)
8019 N..10 - service relation instance|8020 X..25 - payment slip reference
8026 N14+N2+N2 C14 trade item piece content|8030 Z..90 - digital signature|8040 N15 - IMEI
8041 N15 - second IMEI|8042 N32 - eSIM id (EID)|8043 N18+[N..2] - SIM card id (ICCID)
8110 X..70 - coupon code (North America)|8111 N4 - loyalty points|8112 X..70 - paperless coupon code
8200 X..70 - product URL|90 X..30 - internal
"""
# Ten processors (7030-7039: ISO country + approval number) and ten certifications (7230-7239).
_NUMBERED = [(f"703{n}", "N3+X..27", f"processor {n} approval number") for n in range(10)] + [
    (f"723{n}", "X2+X..28", f"certification reference {n + 1}") for n in range(10)]
# Values with a rule narrower than their format's character set.
_NARROWER = {
    **{ai: "(?:[0-9]{3}){1,5}" for ai in ("423", "425")},            # one to five ISO 3166 country codes
    **{ai: "[A-Z]{2}" for ai in ("4307", "4317")},                  # ISO 3166 alpha-2 country code
    **{ai: "[01]" for ai in ("4321", "4322", "4323")},              # yes/no flags
    **{ai: "[0-9]{6}-?" for ai in ("4330", "4331", "4332", "4333")},  # hundredths of a degree, "-" below 0
    "7252": "[0129]",                                              # ISO/IEC 5218 sex code
    "8003": f"0[0-9]{{13}}[{_CHARSET_X}]{{0,16}}",                  # "0" + GRAI-13 + optional serial
    "7258": "[0-9]/[0-9]",                                         # "2/3": second of three
    "8030": "[-0-9A-Z_a-z]+={0,2}",                                # base64url, "=" padding at the end only
}
# Measures 31nn-36nn: the 4th digit is the number of decimals (0-5), data always N6.
_MEASURE_TITLES = {
    "310": "net weight (kg)", "311": "length (m)", "312": "width (m)", "313": "height (m)",
    "314": "area (m2)", "315": "net volume (l)", "316": "net volume (m3)", "320": "net weight (lb)",
    "330": "gross weight (kg)", "331": "length (m)", "332": "width (m)", "333": "height (m)",
    "335": "volume (l)", "336": "volume (m3)", "340": "gross weight (lb)",
}
_MEASURE_PREFIXES = [*range(310, 317), *range(320, 338), *range(340, 358), *range(360, 370)]
# Amounts: (prefix, format, title, highest decimal digit n).
_AMOUNTS = [("390", "N..15", "amount payable", 9), ("391", "N3+N..15", "amount payable", 9),
            ("392", "N..15", "price", 9), ("393", "N3+N..15", "price", 9),
            ("394", "N4", "coupon discount (%)", 3), ("395", "N6", "price per unit", 5)]
# Total length (AI + data) of element strings that never need FNC1, keyed by the AI's first 2 digits.
PREDEFINED_LENGTH = {"00": 20, "01": 16, "02": 16, "03": 16, "04": 18, "11": 8, "12": 8, "13": 8,
                     "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8, "20": 4, "31": 10, "32": 10,
                     "33": 10, "34": 10, "35": 10, "36": 10, "41": 16}


def _spec(ai: str, fmt: str, title: str, flags: str = "-") -> AISpec:
    regex, lo, hi = "", 0, 0
    for part in fmt.split("+"):
        m = re.fullmatch(r"(\[?)([NXYZ])(\d*)(\.\.)?(\d*)\]?", part)
        assert m, part
        cls = _CHARSETS[m[2]]
        pmax = int(m[5]) if m[4] else int(m[3])
        if m[1] and not m[4]:  # "[N4]": all of the optional part or none of it
            regex, hi = regex + f"(?:{cls}{{{pmax}}})?", hi + pmax
            continue
        pmin = 0 if m[1] else int(m[3]) if m[3] else 1
        regex, lo, hi = regex + f"{cls}{{{pmin},{pmax}}}", lo + pmin, hi + pmax
    check = int(flags[1:]) if flags.startswith("C") else 0
    dated = {"D": 1, "D0": 2, "D8": 3}.get(flags, 0)
    pattern = re.compile(_NARROWER.get(ai, regex))
    return AISpec(ai, fmt, title, check, dated, pattern, lo, hi, not set("XYZ") & set(fmt))


def _build_table() -> dict[str, AISpec]:
    table: dict[str, AISpec] = {}
    for entry in _TABLE.replace("\n", "|").split("|"):
        if entry.strip():
            ai, fmt, flags, title = entry.split(maxsplit=3)
            table[ai] = _spec(ai, fmt, title, flags)
    for ai, fmt, title in _NUMBERED:
        table[ai] = _spec(ai, fmt, title)
    for prefix in _MEASURE_PREFIXES:
        for n in range(6):
            table[f"{prefix}{n}"] = _spec(f"{prefix}{n}", "N6", _MEASURE_TITLES.get(str(prefix), "measure"))
    for prefix, fmt, title, top in _AMOUNTS:
        for n in range(top + 1):
            table[f"{prefix}{n}"] = _spec(f"{prefix}{n}", fmt, title)
    for ai in range(91, 100):
        table[str(ai)] = _spec(str(ai), "X..90", "company internal data")
    return table


AIS: dict[str, AISpec] = _build_table()  # GS1 AIs are prefix-free, so a scan position matches at most one


# --- validation of one element string -----------------------------------------------------------

def _full_year(yy: int, today: date | None = None) -> int:
    # GS1 General Specifications 7.12: a sliding window of -49..+50 years around the current year.
    year = (today or date.today()).year
    base, diff = year - year % 100, yy - year % 100
    return yy + (base - 100 if diff >= 51 else base + 100 if diff <= -50 else base)


def _valid_date(text: str, allow_day_00: bool, year_digits: int = 2) -> bool:
    """Tell whether `text` starts with a real date, YYMMDD (or YYYYMMDD), DD=00 if allowed."""
    y = year_digits
    year, mm, dd = int(text[:y]), int(text[y:y + 2]), int(text[y + 2:y + 4])
    if not 1 <= mm <= 12:
        return False
    last = calendar.monthrange(_full_year(year) if y == 2 else year, mm)[1]
    return 1 <= dd <= last or (dd == 0 and allow_day_00)


def _valid_time(text: str) -> bool:
    """hh, hhmm or hhmmss after a date (empty: no time)."""
    return len(text) % 2 == 0 and all(
        int(text[k:k + 2]) < limit for k, limit in zip(range(0, len(text), 2), (24, 60, 60)))


def _check_date(spec: AISpec, data: str) -> None:
    if spec.ai == "7007":  # a harvest date or a date range (two dates)
        ok = len(data) in (6, 12) and all(_valid_date(data[k:k + 6], False) for k in (0, len(data) - 6))
        ok = ok and _iso_date(data[:6], None) <= _iso_date(data[-6:], None)  # a range ends after it starts
    else:
        n = 8 if spec.date_kind == 3 else 6
        ok = _valid_date(data, spec.date_kind == 2, n - 4) and _valid_time(data[n:])
    if not ok:
        form = "YYYYMMDD" if spec.date_kind == 3 else "YYMMDD"
        raise MalformedGS1(f"The {spec.title} (AI {spec.ai}) {data} is not a valid date ({form}).",
                           ai=spec.ai, expected=f"a date as {form}")


def _validate(ai: str, data: str) -> None:
    spec = AIS[ai]
    unit = "digits" if spec.numeric else "characters"
    if not spec.min_len <= len(data) <= spec.max_len:
        if spec.min_len == spec.max_len:
            need, msg = f"{spec.max_len} {unit}", f"must be exactly {spec.max_len} {unit}"
        elif not data:
            need, msg = f"1 to {spec.max_len} {unit}", "is empty"
        elif len(data) > spec.max_len:
            need, msg = f"at most {spec.max_len} {unit}", f"is too long: at most {spec.max_len} {unit}"
        else:
            need, msg = f"at least {spec.min_len} {unit}", f"is too short: at least {spec.min_len} {unit}"
        tail = f"; the scan has {len(data)}" if data else ""
        raise MalformedGS1(f"The {spec.title} (AI {ai}) {msg}{tail}.", ai=ai, expected=need)
    if not spec.pattern.fullmatch(data):
        if spec.numeric:
            msg, need = "may only contain digits", "digits only"
        elif not _X_RE.fullmatch(data):
            msg, need = "contains a character that GS1 codes do not allow", "GS1 characters"
        else:
            msg, need = f"is not in the format {spec.fmt}", spec.fmt
        raise MalformedGS1(f"The {spec.title} (AI {ai}) {msg}.", ai=ai, expected=need)
    if spec.check:
        key = data[:spec.check]
        expected = gs1_check_digit(key[:-1])
        if expected != int(key[-1]):
            raise BadCheckDigit(f"The {spec.title} {key} has a wrong check digit: expected {expected}.",
                                ai=ai, expected=f"check digit {expected}")
    if spec.date_kind:
        _check_date(spec, data)
    if ai == "4309" and (int(data[:10]) > 1_800_000_000 or int(data[10:]) > 3_599_999_999):
        # Latitude + 90 and longitude + 180 (mod 360), each in 10^-7 degrees.
        raise MalformedGS1(f"The {spec.title} (AI {ai}) {data} is not a latitude and longitude.",
                           ai=ai, expected="latitude 0-1800000000, longitude 0-3599999999")


def _add(out: dict[str, str], ai: str, data: str) -> None:
    if ai not in AIS:
        raise MalformedGS1(f"The code contains an unknown GS1 field (AI {ai}).",
                           ai=ai, expected="a known GS1 Application Identifier")
    _validate(ai, data)
    # A label may repeat an element (e.g. two barcodes), but two different values cannot both be true.
    if out.get(ai, data) != data:
        raise MalformedGS1(f"The code gives two different values for the {AIS[ai].title} (AI {ai}).",
                           ai=ai, expected="one value per AI")
    out[ai] = data


# --- the three spellings of GS1 data ------------------------------------------------------------

def _parse_raw(s: str) -> dict[str, str]:
    out: dict[str, str] = {}
    i, n = 0, len(s)
    while i < n:
        if s[i] == GS:  # tolerated after fixed-length fields too; some printers emit one anyway
            i += 1
            continue
        ai = next((s[i:i + k] for k in (2, 3, 4) if s[i:i + k] in AIS), None)
        if ai is None:
            raise MalformedGS1(f"The code contains an unknown GS1 field starting {s[i:i + 4]!r}.",
                               expected="a known GS1 Application Identifier")
        start = i + len(ai)
        total = PREDEFINED_LENGTH.get(ai[:2])
        if total is not None:  # predefined length: no separator needed, stop early only at a GS
            end = min(start + total - len(ai), n)
            gs = s.find(GS, start, end)
            end = gs if gs >= 0 else end
        else:
            end = s.find(GS, start)
            end = n if end < 0 else end
        _add(out, ai, s[start:end])
        i = end
    return out


_BRACKET_AI_RE = re.compile(r"\((\d{2,4})\)")


def _parse_bracketed(s: str) -> dict[str, str]:
    s = s.replace(" ", "").replace(GS, "")  # printed HRI groups digits with spaces; not in the GS1 set
    marks = list(_BRACKET_AI_RE.finditer(s))
    if not marks or marks[0].start() != 0:
        raise MalformedGS1("The code does not start with a GS1 field like (01).", expected="(AI)data")
    out: dict[str, str] = {}
    for m, nxt in zip(marks, [*marks[1:], None]):
        _add(out, m[1], s[m.end():nxt.start() if nxt else len(s)])
    return out


_DL_PRIMARY = {"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006",
               "8013", "8017", "8018"}
_DL_RE = re.compile(r"https?://[^/?#]+/(?:[^?#]*/)?(?:%s)/[^/?#]+" % "|".join(sorted(_DL_PRIMARY)),
                    re.IGNORECASE)


def _parse_digital_link(s: str) -> dict[str, str]:
    url = urlsplit(s)
    segs = [unquote(p) for p in url.path.split("/")]
    # Anything before the primary key is the resolver's own path prefix.
    first = next((k for k, seg in enumerate(segs) if seg in _DL_PRIMARY and (len(segs) - k) % 2 == 0), None)
    if first is None:
        raise MalformedGS1("This web link is not a GS1 Digital Link.", expected="a GS1 Digital Link")
    if "" in segs[first:]:  # "/10//x": dropping the empty part would shift every value after it
        raise MalformedGS1("This GS1 Digital Link has an empty part (//).", expected="a value after each AI")
    pairs = list(zip(segs[first::2], segs[first + 1::2]))
    for item in filter(None, url.query.split("&")):
        key, _, value = item.partition("=")
        if _DIGITS_RE.fullmatch(key):  # non-numeric keys (linkType, utm_*) are not AIs
            pairs.append((key, unquote(value)))  # not unquote_plus: "+" is a GS1 character
    out: dict[str, str] = {}
    for ai, value in pairs:
        # Digital Link allows GTIN-8/12/13 in the path; the element string always has 14 digits.
        _add(out, ai, value.zfill(14) if ai == "01" and looks_like_gtin(value) else value)
    return out


def parse_element_strings(s: str) -> dict[str, str]:
    """Parse GS1 element strings (GS-separated), bracket form or a Digital Link into {AI: data}."""
    if not s:
        raise MalformedGS1("The scan is empty.", expected="GS1 data")
    if s[:8].lower().startswith(("http://", "https://")):
        return _parse_digital_link(s)
    if s.startswith("("):
        return _parse_bracketed(s)
    return _parse_raw(s)


def try_gs1(payload: str) -> dict[str, str] | None:
    """Return the GS1 fields when `payload` parses completely with valid check digits, else None.

    For unmarked codes only: a plain GTIN-13 starting with 10 also parses as a lot (AI 10), so callers
    try their own codes and GTINs first.
    """
    try:
        return parse_element_strings(payload)
    except GS1Error:
        return None


# --- scanner framing ----------------------------------------------------------------------------

def split_aim(code: str) -> tuple[str | None, str]:
    """Split a leading AIM symbology identifier (`]` + letter + digit) off a scan."""
    if _AIM_RE.match(code):
        return code[:3], code[3:]
    return None, code


def normalize_separators(s: str, substitutes: tuple[str, ...] = ("|",)) -> str:
    """Map the GS stand-ins that keyboard wedges send back to GS (0x1D); drop leading separators."""
    return _map_separators(s, substitutes).lstrip(GS)  # a leading GS is FNC1 in first position


def _map_separators(s: str, substitutes: tuple[str, ...]) -> str:
    for sub in (*_GS_TEXT_FORMS, *substitutes):
        if sub:
            s = s.replace(sub, GS)
    return s


@dataclass(frozen=True)
class ParsedScan:
    raw: str
    aim: str | None
    payload: str
    is_gs1_marked: bool

    def try_gs1(self) -> dict[str, str] | None:
        """Return the GS1 fields of the payload, or None when it is not complete, valid GS1."""
        return try_gs1(self.payload)

    def gs1(self) -> dict[str, str]:
        """Return the GS1 fields of the payload, raising MalformedGS1 or BadCheckDigit."""
        return parse_element_strings(self.payload)


def parse_scan(raw: str, substitutes: tuple[str, ...] = ("|",)) -> ParsedScan:
    """Strip the AIM prefix and normalise separators of what the scanner sent."""
    text = raw.strip(" \t\r\n")  # not str.strip(): Python counts GS (0x1D) as whitespace
    aim, rest = split_aim(text)
    if _DL_RE.match(rest):  # a URL keeps its own characters; "|" there is not a GS stand-in
        return ParsedScan(raw, aim, rest, True)
    mapped = _map_separators(rest, substitutes)
    payload = mapped.lstrip(GS)
    # A leading GS is FNC1 in first position sent by a scanner without AIM ids: that marks GS1 too.
    marked = aim in GS1_AIMS or mapped.startswith(GS) or bool(_BRACKET_AI_RE.match(payload))
    return ParsedScan(raw, aim, payload, marked)


# --- friendly names -----------------------------------------------------------------------------

_NAMES = {"00": "sscc", "01": "gtin", "02": "content", "10": "lot", "20": "variant", "21": "serial",
          "22": "cpv", "240": "additional_id", "241": "customer_part_no", "250": "secondary_serial",
          "251": "source_ref", "253": "gdti", "254": "gln_extension", "400": "order_number",
          "401": "consignment", "402": "gsin", "403": "route", "410": "ship_to_gln", "411": "bill_to_gln",
          "412": "purchased_from_gln", "413": "ship_for_gln", "414": "location_gln", "415": "pay_to_gln",
          "416": "production_gln", "417": "party_gln", "420": "ship_to_postal_code",
          "422": "origin_country", "8003": "grai", "8004": "giai"}
_DATES = {"11": "production_date", "12": "due_date", "13": "pack_date", "15": "best_before",
          "16": "sell_by", "17": "expiry", "7006": "first_freeze_date"}
_COUNTS = {"30": "var_count", "37": "count"}
_MEASURES = {"310": "net_weight_kg", "320": "net_weight_lb", "330": "gross_weight_kg",
             "340": "gross_weight_lb", "311": "length_m", "312": "width_m", "313": "height_m",
             "315": "net_volume_l", "316": "net_volume_m3", "390": "amount", "392": "price"}


def _iso_date(yymmdd: str, today: date | None) -> str:
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = _full_year(yy, today)
    return date(year, mm, dd or calendar.monthrange(year, mm)[1]).isoformat()  # DD=00: end of month


def describe(fields: dict[str, str], today: date | None = None) -> dict[str, object]:
    """Turn parsed AIs into friendly keys (gtin, lot, expiry as ISO date, count as int, ...)."""
    out: dict[str, object] = {}
    for ai, data in fields.items():
        if ai in _NAMES:
            out[_NAMES[ai]] = data
        elif ai in _DATES:
            out[_DATES[ai]] = _iso_date(data, today)
        elif ai in _COUNTS:
            out[_COUNTS[ai]] = int(data)
        elif ai[:3] in _MEASURES and len(ai) == 4:
            out[_MEASURES[ai[:3]]] = str(Decimal(data).scaleb(-int(ai[3])))
        elif ai == "421":
            out["ship_to_country"], out["ship_to_postal_code"] = data[:3], data[3:]
    return out
