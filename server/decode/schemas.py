"""What POST /api/decode takes and gives (CONTRACT.md "Images")."""

from apiflask import Schema
from apiflask.fields import Dict, File, Float, Integer, List, Nested, String


class DecodeUpload(Schema):
    # Not required here: a missing picture is the 422 no_image problem (uploads.NoImage), not a field error.
    image = File(load_default=None, metadata={"description": "a PNG or JPEG picture, at most 15 MB and 40 MP "
                                                             "by default"})


class DecodedBarcode(Schema):
    format = String(metadata={"description": "EAN-13, UPC-A, Code128, QRCode, DataMatrix, PDF417, ..."})
    text = String(metadata={"description": "what a wedge scanner sends for it (GS1 data with 0x1D separators)"})
    bbox = List(Integer(), metadata={"description": "x, y, width, height in the picture's pixels"})
    gs1 = Dict(keys=String(), values=String(), allow_none=True,
               metadata={"description": "the GS1 element strings by AI, or null when the code is not GS1"})


class DecodeOut(Schema):
    barcodes = List(Nested(DecodedBarcode), metadata={"description": "empty when none was found"})
    ms = Float(metadata={"description": "milliseconds spent reading the picture and finding its barcodes"})
