"""The scanning domain's request and response schemas."""

from apiflask import Schema
from apiflask.fields import Dict, String
from apiflask.validators import Length


class ScanIn(Schema):
    code = String(required=True, validate=Length(1, 512))


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
