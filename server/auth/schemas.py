"""The auth domain's request and response schemas (login, who-am-I, user administration)."""

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf

from ..schemas import DEVICE_ID_RULES
from .models import Role


class BadgeLoginIn(Schema):
    badge = String(required=True, validate=Length(1, 64))
    pin = String(required=True, validate=Length(1, 16))
    device_id = String(required=True, validate=DEVICE_ID_RULES)  # what its X-Device-Id headers must match
    # The device_proof of this device's last successful sign-in (see server/auth/throttle.py).
    device_proof = String(load_default=None, validate=Length(max=4096))


class PasswordLoginIn(Schema):
    username = String(required=True, validate=Length(1, 64))
    password = String(required=True, validate=Length(1, 200))
    device_proof = String(load_default=None, validate=Length(max=4096))


class UserOut(Schema):
    id = Integer()
    name = String(attribute="display_name")
    username = String()
    role = String()


class LoginOut(Schema):
    token = String()
    expires_at = DateTime(allow_none=True)
    user = Nested(UserOut)
    # Keep it on the device and send it with the next sign-in: a known device is not locked out by
    # other devices' wrong tries (server/auth/throttle.py).
    device_proof = String()


class MeOut(Schema):
    user = Nested(UserOut)


class UserAdminOut(Schema):
    id = Integer()
    username = String()
    name = String(attribute="display_name")
    role = String()
    active = Boolean()
    has_badge = Boolean()


class UserList(Schema):
    users = List(Nested(UserAdminOut))


class UserIn(Schema):
    username = String(required=True, validate=Length(1, 64))
    name = String(load_default=None, validate=Length(1, 120))
    role = String(required=True, validate=OneOf([r.value for r in Role]))
    password = String(load_default=None, validate=Length(8, 200))
    badge = String(load_default=None, validate=Length(1, 64))
    pin = String(load_default=None, validate=Length(4, 8))


class PinIn(Schema):
    pin = String(required=True, validate=Length(4, 8))


class TokenIn(Schema):
    name = String(load_default="api token", validate=Length(1, 120))


class TokenOut(Schema):
    token = String()
    user = String()
