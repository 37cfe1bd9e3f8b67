"""GS1 rules found missing on the floor (issue 6, A8): pure parsing, no database.

The AIs, formats and check-digit rules follow the GS1 General Specifications (../shared/reference/gs1.md).
"""

from __future__ import annotations

import pytest

from server.scanning.gs1 import (
    AIS, GS, PREDEFINED_LENGTH, BadCheckDigit, MalformedGS1, describe, expand_upc_e, gs1_check_digit,
    parse_element_strings,
)

GTIN = "09501101530003"
WITHOUT_CHECK = GTIN[:-1]


def with_check(data: str) -> str:
    return data + str(gs1_check_digit(data))


# --- the AIs that were missing from the table -------------------------------------------------------

MISSING_AIS = ["03", *map(str, range(4300, 4327)), *map(str, range(4330, 4334)), "7011",
               *map(str, range(7030, 7042)), "715", "716", "717", *map(str, range(7230, 7243)),
               *map(str, range(7250, 7260)), "8010", "8014", "8030", "8040", "8041", "8042", "8043",
               "8110", "8111", "8112"]


def test_the_missing_ais_are_about_eighty():
    assert len(MISSING_AIS) == 81


@pytest.mark.parametrize("ai", MISSING_AIS)
def test_every_ai_of_the_general_specifications_is_known(ai):
    assert ai in AIS


# One valid element string per new AI family, as a label would carry it (after a GTIN, last field).
VALID_VALUES = {
    "03": with_check("1" + WITHOUT_CHECK[1:]), "4300": "ACME%20Ltd", "4302": "1%20Main%20St", "4307": "NL",
    "4309": "03860246030000100000", "4317": "US", "4318": "1012AB", "4321": "1", "4322": "0",
    "4324": "2512310930", "4325": "2601011200", "4326": "251231", "4330": "002500", "4333": "001000-",
    "7011": "251231", "7030": "528ABC-1", "7039": "0561", "7040": "1A2B", "7041": "PX", "715": "NDC-1",
    "716": "AIC12", "717": "SRN9", "7230": "EM123", "7240": "PROTO-1", "7241": "01", "7242": "VCN-9",
    "7250": "19991231", "7251": "200002291305", "7252": "2", "7253": "Doe", "7256": "Jane%20Doe",
    "7257": "Main%20St%201", "7258": "1/2", "7259": "Baby", "8010": "CPID-1/#A", "8014": "HIDRI-1",
    "8030": "AbC_-09z", "8040": "490154203237518", "8041": "490154203237518", "8042": "8" * 32,
    "8043": "8931440000000000001", "8110": "106141416543213500110000310123196000", "8111": "0150",
    "8112": "01061414165432135001100003101",
}


@pytest.mark.parametrize("ai, value", sorted(VALID_VALUES.items()))
def test_new_ai_parses_after_a_gtin(ai, value):
    assert parse_element_strings("01" + GTIN + ai + value) == {"01": GTIN, ai: value}
    assert parse_element_strings(f"(01){GTIN}({ai}){value}") == {"01": GTIN, ai: value}


@pytest.mark.parametrize("ai", [ai for ai in MISSING_AIS if ai != "03"])
def test_new_ais_need_a_separator(ai):
    assert ai[:2] not in PREDEFINED_LENGTH


def test_ai_03_is_fixed_length_with_a_check_digit():
    value = VALID_VALUES["03"]
    assert parse_element_strings("03" + value + "10" + "L1") == {"03": value, "10": "L1"}
    with pytest.raises(BadCheckDigit):
        parse_element_strings("03" + value[:-1] + str((int(value[-1]) + 1) % 10))


@pytest.mark.parametrize("ai, value", [
    ("4307", "nl"), ("4307", "NLD"), ("4321", "2"), ("7252", "3"), ("4309", "18000000010000000000"),
    ("423", "0000"), ("425", "12"), ("8003", "10000000000007"), ("7007", "250102250101"),
    ("4324", "2513310930"), ("4324", "2512312460"),
    ("4326", "251232"), ("4330", "0025-0"), ("4330", "00250"), ("7011", "2512311"), ("7011", "25123112"),
    ("7011", "2513311200"), ("7011", "2512312500"), ("7030", "52"), ("7030", "ABC123"), ("7040", "AB2C"),
    ("7040", "1A2"), ("7241", "1"), ("7250", "19991331"), ("7250", "990101"), ("7251", "200002301305"),
    ("7251", "200002291360"), ("7258", "1-2"), ("7258", "12"), ("8010", "cpid"), ("8030", "A=B"),
    ("8040", "49015420323751"), ("8042", "8" * 31), ("8043", "8" * 17), ("8043", "8" * 21), ("8111", "15"),
    ("7230", "E"), ("4309", "0386024603000010000"),
])
def test_new_ai_values_are_validated(ai, value):
    with pytest.raises(MalformedGS1):
        parse_element_strings("01" + GTIN + ai + value)


# --- day 00 in AI 11, 12 and 13, as in 15-17 ----------------------------------------------------------

@pytest.mark.parametrize("ai", ["11", "12", "13", "15", "16", "17"])
def test_day_00_is_allowed_in_every_yymmdd_date_ai(ai):
    assert parse_element_strings("01" + GTIN + ai + "251200") == {"01": GTIN, ai: "251200"}


@pytest.mark.parametrize("ai", ["11", "12", "13"])
def test_day_00_is_read_as_the_end_of_the_month(ai):
    name = {"11": "production_date", "12": "due_date", "13": "pack_date"}[ai]
    assert describe({ai: "240200"})[name] == "2024-02-29"


# --- Digital Link path segments ----------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://id.gs1.org/01/09501101530003/10//AB",
    "https://id.gs1.org/01/09501101530003/10//21/XYZ",
    "https://id.gs1.org/01//09501101530003",
    "https://id.gs1.org/01/09501101530003/",
    "https://id.gs1.org/01/09501101530003/10/AB//",
])
def test_empty_digital_link_path_segment_is_refused_not_altered(url):
    with pytest.raises(MalformedGS1):
        parse_element_strings(url)


def test_resolver_prefix_before_the_primary_key_may_be_anything():
    assert parse_element_strings("https://id.gs1.org/shop/p/01/09501101530003/10/AB") == {
        "01": GTIN, "10": "AB"}


# --- UPC-E ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("upc_e, upc_a", [
    ("04252614", "042100005264"),   # last digit 0-2: manufacturer XX d6 00, product 00 d3 d4 d5
    ("01234133", "012300000413"),   # 3: manufacturer XXX 00, product 000 d4 d5
    ("01234144", None),             # bad check digit
    ("01234145", "012340000015"),   # 4: manufacturer XXXX 0, product 0000 d5
    ("01234565", "012345000065"),   # 5-9: manufacturer XXXXX, product 0000 d6
    ("11234562", "112345000062"),   # number system 1
    ("21234565", None),             # number system 2 has no UPC-E
    ("0123456", None), ("012345655", None), ("0123456A", None), ("٠١٢٣٤٥٦٥", None),
])
def test_upc_e_expands_to_its_upc_a(upc_e, upc_a):
    assert expand_upc_e(upc_e) == upc_a


def test_separator_stand_in_after_a_new_ai():
    fields = parse_element_strings("01" + GTIN + "4321" + "1" + GS + "7011" + "2512311200")
    assert fields == {"01": GTIN, "4321": "1", "7011": "2512311200"}
