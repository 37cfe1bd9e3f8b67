"""Tracking-number formats and check digits (../shared/reference/carriers.md), and SSCCs: pure rules."""

import pytest

from server.shipping.sscc import is_sscc, sscc_for
from server.shipping.tracking import InvalidTracking, local_tracking_number, validate_tracking

# The reference's worked examples: (carrier, as scanned, as stored).
VALID = [
    ("ups", "1Z5R89390357567127", "1Z5R89390357567127"),
    ("ups", "1z 879e 9303 4683 4440", "1Z879E930346834440"),
    ("ups", "1Z410E7W0392751591", "1Z410E7W0392751591"),
    ("usps", "9400 1112 0108 0805 4830 16", "9400111201080805483016"),
    ("usps", "420221539101026837331000039521", "9101026837331000039521"),  # 420 + ZIP barcode
    ("usps", "03071790000523483741", "03071790000523483741"),
    ("usps", "RR123456785US", "RR123456785US"),
    ("fedex", "986578788855", "986578788855"),
    ("fedex", "477179081230", "477179081230"),
    ("fedex", "1001921334250001000300779017972697", "1001921334250001000300779017972697"),
    ("fedex", "041441760228964", "041441760228964"),
    ("fedex", "9611020987654312345672", "987654312345672"),  # the Ground barcode carries the 15 digits
    ("fedex", "61299998820821171811", "61299998820821171811"),  # SmartPost: valid with 92 in front
    ("dhl", "3318810025", "3318810025"),
    ("dhl", "8487135506", "8487135506"),
    ("amzl", "TBA502887274000", "TBA502887274000"),
]


@pytest.mark.parametrize("carrier,scanned,stored", VALID)
def test_reference_examples_validate_for_their_carrier_and_are_detected(carrier, scanned, stored):
    assert validate_tracking(carrier, scanned) == (carrier, stored)
    assert validate_tracking(None, scanned) == (carrier, stored)


def _corrupt(text: str) -> str:
    """Change the check digit (the last digit of the number)."""
    i = max(i for i, ch in enumerate(text) if ch.isdigit())
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:]


@pytest.mark.parametrize("carrier,scanned,_stored", [v for v in VALID if v[0] != "amzl"])
def test_a_wrong_check_digit_is_refused_naming_the_formats_tried(carrier, scanned, _stored):
    with pytest.raises(InvalidTracking) as err:
        validate_tracking(carrier, _corrupt(scanned))
    assert err.value.status == 422 and err.value.code == "invalid_tracking"
    assert err.value.field == "tracking_number"
    assert carrier.upper()[:3] in err.value.expected.upper()


def test_a_swapped_pair_of_digits_in_a_ups_number_is_caught():
    with pytest.raises(InvalidTracking):
        validate_tracking("ups", "1Z5R89390357576127")


def test_a_given_carrier_tries_only_its_own_formats():
    with pytest.raises(InvalidTracking) as err:
        validate_tracking("dhl", "1Z5R89390357567127")  # a valid UPS number is not a DHL one
    assert "UPS" not in err.value.expected
    with pytest.raises(InvalidTracking) as err:
        validate_tracking(None, "HELLO-WORLD")
    assert all(name in err.value.expected for name in ("UPS", "USPS", "FedEx", "DHL", "Amazon", "Local"))


def test_amazon_logistics_is_format_only():
    with pytest.raises(InvalidTracking):
        validate_tracking("amzl", "TBA50288727400")  # 11 digits


def test_an_unknown_carrier_is_refused():
    with pytest.raises(InvalidTracking) as err:
        validate_tracking("pigeon", "123")
    assert err.value.field == "carrier"


def test_local_numbers_carry_a_check_digit_that_validates():
    number = local_tracking_number(42)
    assert number == "SFL00000000420"  # GS1 mod 10 over 0000000042: 2×3 + 4×1 = 10 → check 0
    assert validate_tracking(None, number) == ("local", number)
    with pytest.raises(InvalidTracking):
        validate_tracking("local", _corrupt(number))


def test_sscc_has_extension_prefix_serial_and_check_digit():
    sscc = sscc_for(123456789, "0614141")
    assert sscc == "006141411234567890"  # gs1.md's worked example
    assert is_sscc(sscc)
    assert not is_sscc(sscc[:17] + str((int(sscc[17]) + 1) % 10))
