"""The devices domain's request schema: a handheld's status report."""

from apiflask import Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, Regexp

from ..schemas import Instant, no_control_characters, whole


class DeviceReportIn(Schema):
    """What a handheld says about itself: its screen, the batch in hand, and its offline queue."""

    # The page it shows (<body data-page>: "pick", "pack", "index"...).
    screen = String(load_default=None, allow_none=True, validate=(
        Length(1, 24), Regexp(r"^[a-z][a-z0-9_-]*$", error="A screen name: lower-case letters and digits.")))
    batch = Integer(load_default=None, allow_none=True, validate=whole(1))  # the pick batch's id
    queued = Integer(required=True, validate=whole())  # writes waiting in its offline queue
    refused = Integer(required=True, validate=whole())  # writes the server refused, kept for a person to decide
    oldest_queued_at = Instant(load_default=None, allow_none=True)  # when the oldest of them was made
    app_version = String(load_default=None, allow_none=True, validate=(Length(1, 32), no_control_characters))
