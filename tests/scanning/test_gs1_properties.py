"""Property-based tests of the GS1 parser (issue 6, A8), with biip as an independent oracle.

Any valid element string generated from the AI table — raw with or without GS separators and AIM prefixes,
bracket form, Digital Link — parses back to its fields, and agrees with biip (an independent GS1 parser
from PyPI); no input at all makes the parser raise anything but MalformedGS1 or BadCheckDigit.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from server.scanning import gs1
from server.scanning.gs1 import AIS, GS, PREDEFINED_LENGTH, GS1Error, gs1_check_digit
from server.scanning.resolve import EAN_8_AIM, UPC_E_AIM, _gtin_readings
from tests.scanning.test_scan_api import FLOOR, picker  # noqa: F401  (the floor plan, a fixture)

biip_messages = pytest.importorskip("biip.gs1_messages")
biip_links = pytest.importorskip("biip.gs1_digital_link_uris")
biip_upc = pytest.importorskip("biip.upc")

# No example database: runs stay independent and leave no .hypothesis folder in the work tree.
FAST = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
ORACLE = settings(FAST, max_examples=1000)  # thousands of scans in all, checked against biip
TODAY = date.today()
# Where biip departs from the GS1 General Specifications it is no oracle; each case was checked by hand:
# 8010 CPID (biip wants at least 5 characters, GenSpecs Y..30), 8030 digital signature (biip refuses the
# base64 "=" padding), and 7007 harvest date ranges (biip cannot read a 12-digit range at all).
NOT_IN_ORACLE = {"8010", "8030"}


# --- valid values, built from each AI's format -----------------------------------------------------

def _yymmdd(day: date, allow_day_00: bool, draw) -> str:
    text = day.strftime("%y%m%d")
    return text[:4] + "00" if allow_day_00 and draw(st.booleans()) else text


_dates = st.dates(date(TODAY.year - 40, 1, 1), date(TODAY.year + 40, 12, 31))


def _time(length: int, draw) -> str:
    parts = [draw(st.integers(0, limit - 1)) for limit in (24, 60, 60)[:length // 2]]
    return "".join(f"{p:02d}" for p in parts)


@st.composite
def ai_value(draw, ai: str) -> str:
    """A value that the GS1 General Specifications allow for `ai`."""
    spec = AIS[ai]
    value = draw(st.from_regex(spec.pattern, fullmatch=True))
    if spec.check:  # the key's last digit is its check digit
        key = value[:spec.check - 1]
        value = key + str(gs1_check_digit(key)) + value[spec.check:]
    if ai == "7007":  # a harvest date, or a range of two
        days = sorted(draw(st.lists(_dates, min_size=1, max_size=2)))
        value = "".join(d.strftime("%y%m%d") for d in days)
    elif spec.date_kind == 3:
        day = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
        value = day.strftime("%Y%m%d") + _time(len(value) - 8, draw)
    elif spec.date_kind:
        extra = len(value) - 6
        extra -= extra % 2  # 8008 N8+[N..4]: the time is hh, hhmm or hhmmss
        value = _yymmdd(draw(_dates), spec.date_kind == 2, draw) + _time(extra, draw)
    if ai == "4309":
        value = f"{draw(st.integers(0, 1_800_000_000)):010d}{draw(st.integers(0, 3_599_999_999)):010d}"
    # "<GS>" is a separator stand-in that wedges send: a value cannot carry it through parse_scan.
    assume("<GS>" not in value)
    return value


@st.composite
def fields_of(draw, ais=st.sampled_from(sorted(AIS)), max_size=5) -> dict[str, str]:
    chosen = draw(st.lists(ais, min_size=1, max_size=max_size, unique=True))
    return {ai: draw(ai_value(ai)) for ai in chosen}


def raw_form(fields: dict[str, str], *, extra_gs: bool) -> str:
    """Element strings as a scanner sends them: GS after each field of undefined length but the last."""
    out = []
    items = list(fields.items())
    for k, (ai, value) in enumerate(items):
        out.append(ai + value)
        last = k == len(items) - 1
        if not last and (ai[:2] not in PREDEFINED_LENGTH or extra_gs):
            out.append(GS)
    return "".join(out)


def bracket_form(fields: dict[str, str]) -> str:
    return "".join(f"({ai}){value}" for ai, value in fields.items())


# --- round trips ---------------------------------------------------------------------------------

@FAST
@given(fields_of(), st.sampled_from(["", "]C1", "]d2", "]Q3", "]e0", GS]), st.booleans())
def test_raw_element_strings_parse_back_to_their_fields(fields, prefix, extra_gs):
    text = prefix + raw_form(fields, extra_gs=extra_gs)
    assert gs1.parse_scan(text).gs1() == fields
    assert gs1.parse_element_strings(raw_form(fields, extra_gs=extra_gs)) == fields


@FAST
@given(fields_of(), st.sampled_from(["|", "<GS>", "{GS}", "\\x1d"]))
def test_wedge_separator_stand_ins_parse_the_same(fields, stand_in):
    assume(not any("<GS>" in v for v in fields.values()))
    text = "]C1" + raw_form(fields, extra_gs=False).replace(GS, stand_in)
    assert gs1.parse_scan(text).gs1() == fields


@FAST
@given(fields_of())
def test_bracket_form_parses_back_to_its_fields(fields):
    # "(" followed by digits and ")" inside a value would read as the next AI in the human-readable form.
    assume(not any("(" in v for v in fields.values()))
    assert gs1.parse_scan(bracket_form(fields)).gs1() == fields


_QUALIFIERS = ["22", "10", "21"]
_ATTRIBUTES = st.sampled_from(sorted(ai for ai in AIS if ai not in {"00", "01", *_QUALIFIERS}
                                     and ai not in gs1._DL_PRIMARY))


@st.composite
def digital_links(draw) -> tuple[str, dict[str, str]]:
    gtin = draw(ai_value("01"))
    path = {"01": draw(st.sampled_from([gtin, gtin[1:] if gtin[0] == "0" else gtin]))}
    for ai in _QUALIFIERS:  # GS1 Digital Link fixes their order: 22, 10, 21
        if draw(st.booleans()):
            path[ai] = draw(ai_value(ai))
    query = draw(fields_of(_ATTRIBUTES, max_size=3))
    url = draw(st.sampled_from(["https://id.gs1.org", "https://brand.example/p"]))
    url += "".join(f"/{ai}/{quote(value, safe='')}" for ai, value in path.items())
    if query:
        url += "?" + "&".join(f"{ai}={quote(value, safe='')}" for ai, value in query.items())
    return url, {**path, "01": gtin, **query}


@FAST
@given(digital_links(), st.sampled_from(["", "]Q1", "]d1"]))
def test_digital_link_parses_back_to_its_fields(link, prefix):
    url, fields = link
    assert gs1.parse_scan(prefix + url).gs1() == fields


# --- nothing raises but the two GS1 errors ------------------------------------------------------------

def _only_gs1_errors(text: str) -> None:
    try:
        gs1.parse_element_strings(text)
    except GS1Error as err:
        assert type(err) in (gs1.MalformedGS1, gs1.BadCheckDigit)
        assert err.code in ("malformed_gs1", "bad_check_digit") and str(err)
    scan = gs1.parse_scan(text)
    try:
        scan.gs1()
    except GS1Error as err:
        assert type(err) in (gs1.MalformedGS1, gs1.BadCheckDigit)
    assert scan.try_gs1() is None or isinstance(scan.try_gs1(), dict)


@FAST
@given(st.text())
def test_any_text_raises_only_gs1_errors(text):
    _only_gs1_errors(text)


@FAST
@given(st.binary())
def test_any_bytes_raise_only_gs1_errors(data):
    _only_gs1_errors(data.decode("latin-1"))


_GS1_ALPHABET = st.sampled_from(list("0123456789()/%+-_=#ABCXYZabz|") + [GS, "]C1", "https://x/01/", "?17="])


@FAST
@given(st.lists(_GS1_ALPHABET, max_size=60).map("".join))
def test_gs1_looking_noise_raises_only_gs1_errors(text):
    _only_gs1_errors(text)


@FAST
@given(fields_of(), st.data())
def test_damaged_element_strings_raise_only_gs1_errors(fields, data):
    text = raw_form(fields, extra_gs=False)
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=3))
    _only_gs1_errors(text[:cut] + junk + text[cut + data.draw(st.integers(0, 3)):])


# --- biip as an oracle ------------------------------------------------------------------------------

def _biip_fields(message) -> dict[str, str]:
    return {e.ai.ai: e.value for e in message.element_strings}


def _oracle_can_read(fields: dict[str, str]) -> bool:
    return not set(fields) & NOT_IN_ORACLE and len(fields.get("7007", "")) != 12


_ORACLE_AIS = st.sampled_from(sorted(ai for ai in AIS if ai not in NOT_IN_ORACLE))


@ORACLE
@given(fields_of(_ORACLE_AIS), st.booleans())
def test_element_strings_agree_with_biip(fields, extra_gs):
    assume(_oracle_can_read(fields))
    text = raw_form(fields, extra_gs=extra_gs)
    assert gs1.parse_element_strings(text) == _biip_fields(biip_messages.GS1Message.parse(text)) == fields


@FAST
@given(fields_of(_ORACLE_AIS))
def test_bracket_form_agrees_with_biip(fields):
    assume(_oracle_can_read(fields))
    assume(not any("(" in v or ")" in v for v in fields.values()))
    text = bracket_form(fields)
    assert gs1.parse_element_strings(text) == _biip_fields(biip_messages.GS1Message.parse_hri(text))


@FAST
@given(digital_links())
def test_digital_link_agrees_with_biip(link):
    url, fields = link
    assume(_oracle_can_read(fields))
    ours = gs1.parse_element_strings(url)
    theirs = _biip_fields(biip_links.GS1DigitalLinkURI.parse(url))
    assert ours == theirs == fields


def _biip_gtins(code: str, aim: str | None) -> list[str]:
    """What biip reads a bare EAN/UPC number as, in 14-digit form."""
    out = []
    if aim != UPC_E_AIM or len(code) != 8:
        try:
            from biip.gtin import Gtin
            out.append(Gtin.parse(code).as_gtin_14())
        except Exception:  # noqa: BLE001 - biip's errors: not a GTIN
            pass
    if len(code) == 8 and aim != EAN_8_AIM:
        try:
            out.append(biip_upc.Upc.parse(code).as_upc_a().zfill(14))
        except Exception:  # noqa: BLE001 - not a UPC-E
            pass
    return out


@ORACLE
@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
       st.integers(0, 9), st.sampled_from([None, UPC_E_AIM, EAN_8_AIM]))
def test_gtin_and_upc_e_readings_agree_with_biip(data, check, aim):
    """Numbers with their right check digit half the time: GTIN-8/12/13/14 and UPC-E readings as biip's."""
    code = data + (str(gs1_check_digit(data)) if check < 5 else str(check))
    if aim == UPC_E_AIM and len(code) == 8 and code[0] not in "01":
        aim = None  # ]E0 + 8 digits of another number system is no UPC-E: read as plain digits
    readings, refusal = _gtin_readings(code, aim)
    expected = _biip_gtins(code, aim)
    assert readings == list(dict.fromkeys(expected))
    assert (refusal is None) == bool(readings)


# --- through the API -------------------------------------------------------------------------------

_SCANS = st.one_of(st.text(min_size=1, max_size=80), _GS1_ALPHABET_TEXT := st.lists(
    _GS1_ALPHABET, min_size=1, max_size=40).map("".join), st.text("0123456789", min_size=6, max_size=20))


@pytest.mark.rollback
@settings(FAST, max_examples=40, suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.function_scoped_fixture])
@given(code=_SCANS)
def test_any_scan_is_answered_or_refused_never_a_server_error(picker, floor, code):
    r = picker.scan(code)
    assert r.status_code in (200, 404, 422), (code, r.get_data(as_text=True)[:300])
    if r.status_code == 422:
        assert r.json["code"] in ("bad_check_digit", "malformed_gs1", "invalid_input"), r.json
