"""The scanning domain's request and response schemas."""

from apiflask import Schema
from apiflask.fields import DateTime, Dict, Integer, String
from apiflask.validators import Length, NoneOf, OneOf, Regexp

from ..schemas import no_control_characters

# A handheld screen's name as the pages give it (<body data-page>: "pick", "putaway"...): the scan log's column.
SCREEN_RULES = (Length(1, 16), Regexp(r"^[a-z][a-z0-9_-]*$", error="A screen name: lower-case letters and digits."))
# What /api/scan answers a code is (resolve.py).
SCAN_KINDS = ("location", "tote", "item", "gs1", "order", "package", "shipment", "user")


class ScanIn(Schema):
    code = String(required=True, validate=Length(1, 512))
    # The screen the scan was made on (optional: the contract's body is {"code"}); logged with refusals.
    screen = String(load_default=None, validate=SCREEN_RULES)


class ScanOut(Schema):
    kind = String(required=True)
    item = Dict()
    location = Dict()
    tote = Dict()
    order = Dict()
    package = Dict()
    shipment = Dict()
    user = Dict()
    gs1 = Dict()


class ScanRefusalIn(Schema):
    """A scan the handheld's screen refused itself (wrong bin, wrong item, wrong tote...)."""

    code = String(required=True, validate=Length(1, 512))
    screen = String(required=True, validate=SCREEN_RULES)
    expected = String(required=True, validate=(Length(1, 128), no_control_characters))
    # Why, as a code ("wrong_location"); "ok" would count the refusal as a good scan.
    reason = String(load_default="wrong_scan", validate=(
        Length(1, 32), Regexp(r"^[a-z][a-z0-9_]*$", error="A code: lower-case letters, digits and _."),
        NoneOf(["ok"])))
    # What /api/scan said the code was, when the screen judged it online; absent when judged offline.
    kind = String(load_default=None, allow_none=True, validate=OneOf(SCAN_KINDS))


class ScanRefusalOut(Schema):
    id = Integer()
    code = String()
    screen = String()
    expected = String()
    outcome = String()
    at = DateTime()
