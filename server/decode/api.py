"""POST /api/decode: every barcode in a picture (CONTRACT.md "Images"). A read: nothing is stored."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE
from . import service
from .schemas import DecodeOut, DecodeUpload
from .uploads import TooLarge, limits

bp = APIBlueprint("decode", __name__, url_prefix="/api", tag="Images")

MULTIPART_SLACK = 64 * 1024  # room for the multipart framing around a picture of the largest size


@bp.before_request
def _cap_request_size():
    # Werkzeug refuses a larger Content-Length before reading a byte of the body, and stops a chunked body
    # at the cap: a 50 MB upload is never read whole (gunicorn discards the rest of it without keeping it).
    request.max_content_length = limits()[0] + MULTIPART_SLACK


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return current_app.handle_user_exception(TooLarge(limits()[0]))


@bp.action("/decode", roles=ANY_ROLE, files=DecodeUpload, out=DecodeOut,
           summary="Find every barcode in a picture (PNG or JPEG)",
           description="Multipart field `image`. Answers each barcode's format, text, box and GS1 fields; "
           "none found is an empty list. Any signed-in user may call it.",
           answers={415: "Not a PNG or JPEG (unsupported_image)",
                    422: "No picture (no_image), too many pixels (too_many_pixels), a damaged picture "
                    "(bad_image), or one the decoder could not finish (undecodable_image)"})
def decode(files):
    upload = files["image"]
    # One byte past the limit is enough to know the picture is too large; never more than that is read.
    data = upload.read(limits()[0] + 1) if upload is not None else b""
    return service.decode_upload(data)
