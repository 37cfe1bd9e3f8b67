"""GS1 parsing: check digits, element strings, separators, AIM prefixes, bracket form, Digital Link.

Expected values come from ../shared/reference/gs1.md (worked examples) or are computed by hand in comments.
"""

from datetime import date

import pytest

from server.scanning.gs1 import (
    AIS,
    GS1_AIMS,
    BadCheckDigit,
    GS1Error,
    MalformedGS1,
    ParsedScan,
    describe,
    gs1_check_digit,
    is_valid_gs1_key,
    looks_like_gtin,
    normalize_gtin,
    normalize_separators,
    parse_element_strings,
    parse_scan,
    require_gtin,
    split_aim,
    try_gs1,
)

GS = "\x1d"
GTIN13 = "6291041500213"          # GS1's own example, check digit 3
UPC_A = "036000241457"            # check digit 7
GTIN8 = "96385074"                # check digit 4
GTIN14 = "10614141007346"         # check digit 6
SSCC = "006141411234567890"       # check digit 0
# GSIN: data 0614141123456789, weights 3,1,3,... from the right: 27+8+21+6+15+4+9+2+3+1+12+1+12+1+18+0
# = 140 -> check 0 (the SSCC above minus its leading zero, which weighs nothing).
GSIN = "06141411234567890"
WORKED = "0109501101530003172512311012AB34" + GS + "21XYZ"
WORKED_FIELDS = {"01": "09501101530003", "17": "251231", "10": "12AB34", "21": "XYZ"}


def _raises(exc: type[GS1Error], text: str) -> GS1Error:
    with pytest.raises(exc) as info:
        parse_element_strings(text)
    assert type(info.value) is exc
    return info.value


# --- check digits ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data, digit", [
    ("629104150021", 3), ("03600024145", 7), ("9638507", 4), ("1061414100734", 6),
    ("00614141123456789", 0), ("0614141123456789", 0), ("01234567890", 5),
])
def test_check_digit_matches_worked_examples(data, digit):
    assert gs1_check_digit(data) == digit


@pytest.mark.parametrize("full", [GTIN13, UPC_A, GTIN8, GTIN14, SSCC, GSIN, "012345678905"])
def test_weighted_sum_of_a_valid_key_is_a_multiple_of_ten(full):
    """Independent of gs1_check_digit: weight 1 on the check digit, then 3, 1, 3 ... leftwards."""
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(reversed(full)))
    assert total % 10 == 0
    assert is_valid_gs1_key(full)


def test_check_digit_rejects_non_digits():
    with pytest.raises(ValueError):
        gs1_check_digit("12A4")


@pytest.mark.parametrize("code", [
    "6291041500214", "036000241450", "96385075", "10614141007345", "006141411234567891",
    "", "629104150021", "62910415002133", "12345", "62910415002A3", "６２９１０４１５００２１３",
])
def test_invalid_keys_are_refused(code):
    assert not is_valid_gs1_key(code)


@pytest.mark.parametrize("position", range(13))
def test_every_single_digit_error_in_a_gtin13_is_detected(position):
    original = GTIN13[position]
    for wrong in "0123456789":
        if wrong == original:
            continue
        code = GTIN13[:position] + wrong + GTIN13[position + 1:]
        assert not is_valid_gs1_key(code), code
        assert normalize_gtin(code) is None
        with pytest.raises(BadCheckDigit):
            require_gtin(code)
        with pytest.raises(BadCheckDigit):
            parse_element_strings("010" + code)


# --- GTIN shapes and normalisation ----------------------------------------------------------------

@pytest.mark.parametrize("code, fourteen", [
    (UPC_A, "00036000241457"), ("0" + UPC_A, "00036000241457"), ("00036000241457", "00036000241457"),
    (GTIN8, "00000096385074"), (GTIN13, "06291041500213"), (GTIN14, GTIN14),
])
def test_normalize_gtin_pads_to_14_digits(code, fourteen):
    assert normalize_gtin(code) == fourteen
    assert require_gtin(code) == fourteen


@pytest.mark.parametrize("code", ["036000241450", SSCC, GSIN, "1234567", "ABCDEFGHIJKLM", "", " " + GTIN13])
def test_normalize_gtin_refuses_non_gtins(code):
    assert normalize_gtin(code) is None


@pytest.mark.parametrize("code, shaped", [
    (GTIN8, True), (UPC_A, True), (GTIN13, True), (GTIN14, True), ("6291041500214", True),
    ("1234567", False), ("12345678901", False), (SSCC, False), ("62910415002A3", False), ("", False),
])
def test_looks_like_gtin_checks_shape_only(code, shaped):
    assert looks_like_gtin(code) is shaped


def test_require_gtin_explains_the_problem():
    with pytest.raises(BadCheckDigit) as info:
        require_gtin("6291041500214")
    assert str(info.value) == "The GTIN 6291041500214 has a wrong check digit: expected 3."
    assert info.value.expected == "check digit 3"
    with pytest.raises(MalformedGS1) as info:
        require_gtin("SKU-1001")
    assert info.value.expected == "8, 12, 13 or 14 digits"


# --- AIM prefixes and separators ------------------------------------------------------------------

@pytest.mark.parametrize("aim", ["]E0", "]C0", "]C1", "]d2", "]Q3", "]e0", "]A0", "]Q1", "]d1", "]I1", "]E4"])
def test_split_aim_strips_symbology_identifier(aim):
    assert split_aim(aim + "ABC123") == (aim, "ABC123")


@pytest.mark.parametrize("code", ["ABC123", "]", "]E", "]EA123", "]1E23", "E0]123", ""])
def test_split_aim_leaves_other_codes_alone(code):
    assert split_aim(code) == (None, code)


def test_gs1_aims_are_the_four_fnc1_symbologies():
    assert set(GS1_AIMS) == {"]C1", "]d2", "]Q3", "]e0"}


@pytest.mark.parametrize("text", ["A|B", "A<GS>B", "A{GS}B", "A\\x1dB", "A\\x1DB", "A\\u001dB", "A\x1dB"])
def test_normalize_separators_maps_wedge_stand_ins(text):
    assert normalize_separators(text) == "A\x1dB"


def test_normalize_separators_drops_leading_separators_only():
    assert normalize_separators("|A|B|") == "A\x1dB\x1d"
    assert normalize_separators("\x1d<GS>A") == "A"


def test_normalize_separators_uses_configured_substitutes():
    assert normalize_separators("A~B^]C", substitutes=("~", "^]")) == "A\x1dB\x1dC"
    assert normalize_separators("A|B", substitutes=()) == "A|B"
    assert normalize_separators("A|B", substitutes=("",)) == "A|B"


# --- element strings ------------------------------------------------------------------------------

def test_worked_example_parses():
    assert parse_element_strings(WORKED) == WORKED_FIELDS


def test_sscc_label_barcode_with_content_count_and_batch():
    """gs1.md section 6: the scanner returns ]C1 0209501101530003 3724 GS 1012AB34."""
    fields = parse_element_strings("0209501101530003" + "3724" + GS + "1012AB34")
    assert fields == {"02": "09501101530003", "37": "24", "10": "12AB34"}
    assert parse_element_strings("00" + SSCC) == {"00": SSCC}


def test_separator_after_fixed_length_field_is_tolerated():
    fields = parse_element_strings("0109501101530003" + GS + "10AB" + GS)
    assert fields == {"01": "09501101530003", "10": "AB"}


def test_gsin_needs_a_separator_even_though_it_is_fixed_length():
    assert parse_element_strings("402" + GSIN + GS + "10AB") == {"402": GSIN, "10": "AB"}
    err = _raises(MalformedGS1, "402" + GSIN + "10AB")
    assert (err.ai, err.expected) == ("402", "17 digits")


def test_repeated_ai_with_the_same_value_is_accepted():
    assert parse_element_strings("0109501101530003" * 2) == {"01": "09501101530003"}


def test_repeated_ai_with_different_values_is_malformed():
    err = _raises(MalformedGS1, "0109501101530003" + "010" + GTIN13)
    assert err.ai == "01"


@pytest.mark.parametrize("text, ai, value", [
    ("3102001250", "3102", "001250"), ("3300000250", "3300", "000250"), ("3922" + "1999", "3922", "1999"),
    ("421840" + "78701", "421", "84078701"), ("8005000123", "8005", "000123"),
    ("414" + GTIN13, "414", GTIN13), ("410" + GTIN13, "410", GTIN13),
    ("253" + GTIN13 + "DOC-7", "253", GTIN13 + "DOC-7"), ("253" + GTIN13, "253", GTIN13),
    ("8006" + "09501101530003" + "0102", "8006", "095011015300030102"), ("20" + "07", "20", "07"),
    ("240" + "A-1/2", "240", "A-1/2"), ("400" + "PO%2024_x", "400", "PO%2024_x"),
    ("422" + "840", "422", "840"),
    ("800825123114", "8008", "25123114"), ("7007" + "250101250131", "7007", "250101250131"),
])
def test_single_element_strings(text, ai, value):
    assert parse_element_strings(text) == {ai: value}


@pytest.mark.parametrize("ai", [
    "00", "01", "02", "10", "11", "12", "13", "15", "16", "17", "20", "21", "22", "30", "37", "240", "241",
    "250", "251", "253", "254", "3100", "3105", "3205", "3300", "3405", "3695",
    "3900", "3909", "3920", "3929",
    "400", "401", "402", "403", "410", "411", "412", "413", "414", "415", "416", "417", "420", "421", "422",
    "8005", "8008", "91", "99",
])
def test_ai_table_covers_logistics_ais(ai):
    assert ai in AIS


def test_ai_table_is_prefix_free():
    for ai in AIS:
        for k in range(2, len(ai)):
            assert ai[:k] not in AIS, (ai[:k], ai)


@pytest.mark.parametrize("ai", ["01", "02", "00", "402", "410", "413", "414", "417", "253", "8017"])
def test_key_ais_carry_check_digits(ai):
    assert AIS[ai].check > 0


# --- refusals -------------------------------------------------------------------------------------

def test_bad_gtin_check_digit_has_a_floor_message():
    err = _raises(BadCheckDigit, "0109501101530004")
    assert str(err) == "The GTIN 09501101530004 has a wrong check digit: expected 3."
    assert (err.ai, err.expected, err.code) == ("01", "check digit 3", "bad_check_digit")


@pytest.mark.parametrize("text, ai, digit", [
    ("00006141411234567891", "00", "0"), ("0209501101530005", "02", "3"), ("4106291041500214", "410", "3"),
    ("414" + "6291041500210", "414", "3"), ("402" + "06141411234567899", "402", "0"),
    ("253" + "6291041500219ABC", "253", "3"), ("8006" + "095011015300090102", "8006", "3"),
])
def test_bad_check_digits_in_other_keys(text, ai, digit):
    err = _raises(BadCheckDigit, text)
    assert (err.ai, err.expected) == (ai, f"check digit {digit}")


@pytest.mark.parametrize("text", ["2399", "0509501101530003", "ABC", "3106001250", "]C10109501101530003",
                                  "0109501101530003" + GS + "88X", "9"])
def test_unknown_ai_is_malformed(text):
    err = _raises(MalformedGS1, text)
    assert err.ai is None and err.expected == "a known GS1 Application Identifier"


def test_empty_scan_is_malformed():
    _raises(MalformedGS1, "")


def test_too_long_lot_is_malformed():
    err = _raises(MalformedGS1, "10" + "A" * 21)
    assert (err.ai, err.expected) == ("10", "at most 20 characters")
    assert "too long" in str(err)
    assert parse_element_strings("10" + "A" * 20) == {"10": "A" * 20}


def test_lot_running_into_the_next_field_without_separator_is_too_long():
    err = _raises(MalformedGS1, "10" + "LOT-2025-0001-ABCDEF" + "21XYZ")
    assert err.ai == "10"


@pytest.mark.parametrize("text, ai, expected", [
    ("01ABCDEFGHIJKLMN", "01", "digits only"), ("3712A", "37", "digits only"),
    ("3102001A50", "3102", "digits only"),
    ("0109501101530", "01", "14 digits"), ("01095011015" + GS + "30003", "01", "14 digits"),
    ("00" + SSCC[:-1], "00", "18 digits"), ("10" + GS + "21X", "10", "1 to 20 characters"),
    ("10AB CD", "10", "GS1 characters"), ("21A#1", "21", "GS1 characters"),
    ("10AB[1]", "10", "GS1 characters"),
    ("421ABC78701", "421", "N3+X..9"), ("3712345678" + "9", "37", "at most 8 digits"),
    ("253" + "629104150021", "253", "at least 13 characters"),
    ("800825123114" + "1", "8008", "a date as YYMMDD"),
])
def test_wrong_length_or_charset_is_malformed(text, ai, expected):
    err = _raises(MalformedGS1, text)
    assert (err.ai, err.expected, err.code) == (ai, expected, "malformed_gs1")


@pytest.mark.parametrize("text, ok", [
    ("17251231", True), ("17251200", True), ("15251200", True), ("16251200", True), ("17240229", True),
    ("11251200", True), ("13251200", True), ("11251232", False), ("17251301", False), ("17250230", False),
    ("17250229", False),
    ("17250001", False), ("11991131", False), ("800825123124", False), ("80082512311460", False),
    ("7007" + "250101251301", False), ("7003" + "2512312360", False), ("7003" + "2512312359", True),
])
def test_dates_are_validated(text, ok):
    if ok:
        assert parse_element_strings(text)
    else:
        err = _raises(MalformedGS1, text)
        assert err.expected == "a date as YYMMDD"
        assert "not a valid date" in str(err)


def test_exception_hierarchy():
    assert issubclass(GS1Error, ValueError)
    assert issubclass(MalformedGS1, GS1Error) and issubclass(BadCheckDigit, GS1Error)
    assert not issubclass(BadCheckDigit, MalformedGS1)


# --- bracket form and Digital Link ----------------------------------------------------------------

def test_bracket_form_gives_the_same_fields():
    assert parse_element_strings("(01)09501101530003(17)251231(10)12AB34(21)XYZ") == WORKED_FIELDS
    assert parse_element_strings("(01)09501101530003(17)251231(10)AB") == {
        "01": "09501101530003", "17": "251231", "10": "AB"}


def test_bracket_form_ignores_human_readable_spacing():
    assert parse_element_strings("(00) 0 0614141 123456789 0") == {"00": SSCC}


@pytest.mark.parametrize("text, exc", [
    ("(01)09501101530004", BadCheckDigit), ("(23)1", MalformedGS1), ("(10)" + "A" * 21, MalformedGS1),
    ("(10)AB(10)CD", MalformedGS1), ("()01", MalformedGS1), ("(17)251232", MalformedGS1),
])
def test_bracket_form_is_validated(text, exc):
    _raises(exc, text)


@pytest.mark.parametrize("url", [
    "https://id.gs1.org/01/09501101530003/10/12AB34/21/XYZ?17=251231",
    "https://brand.example/shop/p/01/09501101530003/10/12AB34/21/XYZ?17=251231&linkType=all",
    "HTTPS://ID.GS1.ORG/01/9501101530003/10/12AB34/21/XYZ?17=251231",
    "http://example.com/01/09501101530003/10/12AB34/21/XYZ?17=251231#top",
])
def test_digital_link_gives_the_same_fields(url):
    assert parse_element_strings(url) == WORKED_FIELDS


def test_digital_link_decodes_percent_escapes_and_keeps_plus():
    fields = parse_element_strings("https://example.com/01/09501101530003/10/AB%2F1?21=A+B")
    assert fields == {"01": "09501101530003", "10": "AB/1", "21": "A+B"}
    assert parse_element_strings("https://example.com/00/" + SSCC) == {"00": SSCC}


@pytest.mark.parametrize("url, exc", [
    ("https://id.gs1.org/01/09501101530004", BadCheckDigit), ("https://example.com/about", MalformedGS1),
    ("https://example.com/01", MalformedGS1), ("https://example.com/01/09501101530003?88=1", MalformedGS1),
    ("https://example.com/01/09501101530003?17=251232", MalformedGS1),
])
def test_digital_link_is_validated(url, exc):
    _raises(exc, url)


# --- parse_scan and try_gs1 -----------------------------------------------------------------------

@pytest.mark.parametrize("sep", [GS, "|", "<GS>", "{GS}", "\\x1d"])
def test_each_separator_form_parses_through_parse_scan(sep):
    scan = parse_scan("]C1" + WORKED.replace(GS, sep))
    assert (scan.aim, scan.is_gs1_marked) == ("]C1", True)
    assert scan.payload == WORKED
    assert scan.try_gs1() == WORKED_FIELDS
    assert scan.gs1() == WORKED_FIELDS


@pytest.mark.parametrize("aim", ["]d2", "]Q3", "]e0"])
def test_other_gs1_aims_mark_gs1(aim):
    scan = parse_scan(aim + "0100012345678905")
    assert scan.is_gs1_marked and scan.try_gs1() == {"01": "00012345678905"}


def test_configured_substitute_is_used():
    scan = parse_scan("]d2" + WORKED.replace(GS, "~"), substitutes=("~",))
    assert scan.try_gs1() == WORKED_FIELDS


def test_plain_ean_scan_is_not_gs1_marked():
    scan = parse_scan("]E0" + GTIN13 + "\r\n")
    assert scan == ParsedScan(raw="]E0" + GTIN13 + "\r\n", aim="]E0", payload=GTIN13, is_gs1_marked=False)
    assert scan.try_gs1() is None


def test_unprefixed_gs1_is_not_marked_but_parses():
    scan = parse_scan(WORKED.replace(GS, "|"))
    assert (scan.aim, scan.is_gs1_marked) == (None, False)
    assert scan.try_gs1() == WORKED_FIELDS


def test_leading_gs_marks_gs1_and_is_dropped():
    scan = parse_scan(GS + "00" + SSCC)
    assert scan.is_gs1_marked and scan.payload == "00" + SSCC


def test_trailing_gs_survives_whitespace_stripping():
    scan = parse_scan("]C1" + "10AB" + GS + "\r\n")
    assert scan.payload == "10AB" + GS
    assert scan.try_gs1() == {"10": "AB"}


def test_bracket_form_and_digital_link_are_gs1_marked():
    assert parse_scan("(01)09501101530003(10)AB").is_gs1_marked
    link = "https://id.gs1.org/01/09501101530003/10/A|B"
    scan = parse_scan("]Q1" + link)
    assert (scan.aim, scan.payload, scan.is_gs1_marked) == ("]Q1", link, True)
    assert not parse_scan("]Q1https://example.com/about").is_gs1_marked


@pytest.mark.parametrize("code", ["SKU-1001", "A-03-2", GTIN13, "0109501101530004", "(01)09501101530004",
                                  "0109501101530003" + "172513", "https://example.com/about", ""])
def test_try_gs1_returns_none_for_anything_that_is_not_complete_valid_gs1(code):
    assert try_gs1(code) is None


def test_marked_scan_with_bad_check_digit_raises_from_gs1():
    scan = parse_scan("]C10109501101530004")
    assert scan.is_gs1_marked and scan.try_gs1() is None
    with pytest.raises(BadCheckDigit):
        scan.gs1()


# --- describe -------------------------------------------------------------------------------------

TODAY = date(2025, 6, 1)


def test_describe_worked_example():
    assert describe(WORKED_FIELDS, today=TODAY) == {
        "gtin": "09501101530003", "expiry": "2025-12-31", "lot": "12AB34", "serial": "XYZ"}


def test_describe_logistic_label():
    fields = parse_element_strings("00" + SSCC + "0209501101530003" + "15260300" + "3724" + GS + "1012AB34")
    assert describe(fields, today=TODAY) == {
        "sscc": SSCC, "content": "09501101530003", "best_before": "2026-03-31", "count": 24, "lot": "12AB34"}


@pytest.mark.parametrize("yymmdd, iso", [
    ("250200", "2025-02-28"), ("240200", "2024-02-29"), ("251200", "2025-12-31"), ("250415", "2025-04-15"),
    ("750101", "2075-01-01"), ("760101", "1976-01-01"), ("990101", "1999-01-01"),
])
def test_describe_dates(yymmdd, iso):
    assert describe({"17": yymmdd}, today=TODAY) == {"expiry": iso}


@pytest.mark.parametrize("ai, data, key, value", [
    ("3100", "001250", "net_weight_kg", "1250"), ("3102", "001250", "net_weight_kg", "12.50"),
    ("3105", "001250", "net_weight_kg", "0.01250"), ("3203", "001250", "net_weight_lb", "1.250"),
    ("3301", "000255", "gross_weight_kg", "25.5"), ("3922", "1999", "price", "19.99"),
    ("30", "0012", "var_count", 12), ("37", "24", "count", 24), ("410", GTIN13, "ship_to_gln", GTIN13),
    ("402", GSIN, "gsin", GSIN), ("400", "PO-7", "order_number", "PO-7"),
    ("11", "250101", "production_date", "2025-01-01"),
])
def test_describe_values(ai, data, key, value):
    assert describe({ai: data}, today=TODAY) == {key: value}


def test_describe_splits_postal_code_with_country():
    assert describe({"421": "84078701"}) == {"ship_to_country": "840", "ship_to_postal_code": "78701"}
