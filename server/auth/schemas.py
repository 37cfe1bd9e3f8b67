from apiflask import Schema
from apiflask.fields import DateTime, Integer, Nested, String
from apiflask.validators import Length


class BadgeLoginIn(Schema):
    badge = String(required=True, validate=Length(1, 64))
    pin = String(required=True, validate=Length(1, 16))
    device_id = String(required=True, validate=Length(8, 64))


class PasswordLoginIn(Schema):
    username = String(required=True, validate=Length(1, 64))
    password = String(required=True, validate=Length(1, 200))


class UserOut(Schema):
    id = Integer()
    name = String(attribute="display_name")
    username = String()
    role = String()


class LoginOut(Schema):
    token = String()
    expires_at = DateTime(allow_none=True)
    user = Nested(UserOut)


class MeOut(Schema):
    user = Nested(UserOut)
