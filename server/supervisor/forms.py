"""Flask-WTF forms of the supervisor pages; every POST form carries the CSRF token."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, PasswordField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from ..auth.models import FLOOR_ROLES, Role
from ..catalog.schemas import MAX_BARCODES
from ..inventory.codes import ADJUST_REASONS, MAX_QTY, LocationKind, MoveKind, reversal_reasons
from ..schemas import INT_MAX, in_calendar

BARCODE_LINE = re.compile(r"^[^*\s]+(\*[1-9][0-9]{0,5})?$")
# Largest quantity one form line may book: a typo of extra digits must not reach the database as a
# number its integer column cannot hold.
MAX_UNITS = MAX_QTY  # the ledger's bound (server/inventory/codes.py)
PIN_RULE = Regexp(r"^[0-9]{4,8}$", message=lazy_gettext("A PIN is 4 to 8 digits."))


def whole(minimum: int = 0) -> NumberRange:
    """A stored whole number: at least `minimum`, at most what its column holds (server/schemas.py)."""
    return NumberRange(min=minimum, max=INT_MAX)


def within_calendar(form, field) -> None:
    """A date the API would take too (server/schemas.py): day_start of year 1 or 9999 overflows."""
    if field.data is not None and not in_calendar(field.data):
        raise ValidationError(_("Choose a date between 1970 and 2999."))

def adjust_reason_choices() -> list[SelectChoice]:
    """The reasons an adjustment may give, labelled, in the order ADJUST_REASONS offers them."""
    return [SelectChoice("", lazy_gettext("Choose a reason"))] + [
        SelectChoice(r.value, r.label) for r in ADJUST_REASONS]


class ActionForm(FlaskForm):
    """A button-only POST (sign out, deactivate): nothing but the CSRF token."""


class ReverseForm(FlaskForm):
    """Reverse a movement: the reasons offered are those the ledger allows for reversing its kind."""

    reason = SelectField(lazy_gettext("Reason"), [DataRequired(lazy_gettext("Choose a reason."))])
    next = HiddenField()

    def __init__(self, kind: MoveKind, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [SelectChoice(r.value, r.label) for r in reversal_reasons(kind)]


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("Name"),
                           [DataRequired(lazy_gettext("Enter your name.")), Length(max=64)])
    password = PasswordField(lazy_gettext("Password"),
                             [DataRequired(lazy_gettext("Enter your password.")), Length(max=200)])


class ItemForm(FlaskForm):
    sku = StringField(lazy_gettext("SKU"), [DataRequired(lazy_gettext("Enter a SKU.")), Length(max=64)])
    name = StringField(lazy_gettext("Name"), [DataRequired(lazy_gettext("Enter a name.")), Length(max=200)])
    unit = StringField(lazy_gettext("Unit"), [DataRequired(lazy_gettext("Enter a unit.")), Length(max=16)],
                       default="each")
    weight_g = IntegerField(lazy_gettext("Weight (g)"), [Optional(), whole()])
    barcodes = TextAreaField(lazy_gettext("Barcodes"), description=lazy_gettext(
        "One per line. Write CODE*N for a case pack of N units."))
    tracks_lot = BooleanField(lazy_gettext("Tracks lots"))
    tracks_expiry = BooleanField(lazy_gettext("Tracks expiry dates"))
    tracks_serial = BooleanField(lazy_gettext("Tracks serial numbers"))

    def validate_barcodes(self, field):
        for n, line in enumerate((field.data or "").splitlines(), start=1):
            if line.strip() and not BARCODE_LINE.match(line.strip()):
                raise ValidationError(_("Line %(n)d: write CODE, or CODE*N for a case pack of N units.", n=n))
        if len(self.barcode_specs()) > MAX_BARCODES:
            raise ValidationError(_("An item has at most %(max)d barcodes.", max=MAX_BARCODES))

    def barcode_specs(self) -> list[str]:
        return [line.strip() for line in (self.barcodes.data or "").splitlines() if line.strip()]

    def attrs(self) -> dict:
        return {"unit": self.unit.data.strip(), "weight_g": self.weight_g.data,
                "tracks_lot": self.tracks_lot.data, "tracks_expiry": self.tracks_expiry.data,
                "tracks_serial": self.tracks_serial.data}


class LocationForm(FlaskForm):
    code = StringField(lazy_gettext("Code"), [DataRequired(lazy_gettext("Enter a code.")), Length(max=64)])
    kind = SelectField(lazy_gettext("Kind"), default=LocationKind.BIN.value,
                       choices=[SelectChoice(k.value, k.label) for k in LocationKind
                                if k != LocationKind.VIRTUAL])
    zone = StringField(lazy_gettext("Zone"), [Optional(), Length(max=16)])
    parent = StringField(lazy_gettext("Stands in (parent location)"), [Optional(), Length(max=64)])
    aisle = IntegerField(lazy_gettext("Aisle"), [Optional(), whole()])
    bay = IntegerField(lazy_gettext("Bay"), [Optional(), whole()])
    level = StringField(lazy_gettext("Level"), [Optional(), Length(max=4)])
    pick_sequence = IntegerField(lazy_gettext("Pick sequence"), [Optional(), whole()])
    capacity_units = IntegerField(lazy_gettext("Capacity (units)"), [Optional(), whole(1)])
    pickable = BooleanField(lazy_gettext("Pickable"), default=True)
    blocked = BooleanField(lazy_gettext("Blocked (on hold)"))

    def attrs(self) -> dict:
        level = (self.level.data or "").strip() or None
        return {"aisle": self.aisle.data, "bay": self.bay.data, "level": level,
                "pick_sequence": self.pick_sequence.data, "capacity_units": self.capacity_units.data,
                "pickable": self.pickable.data, "blocked": self.blocked.data}


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("CSV file"), [FileRequired(lazy_gettext("Choose a CSV file."))])


class UserForm(FlaskForm):
    username = StringField(lazy_gettext("User name"),
                           [DataRequired(lazy_gettext("Enter a user name.")), Length(max=64)])
    display_name = StringField(lazy_gettext("Display name"), [Optional(), Length(max=120)])
    role = SelectField(lazy_gettext("Role"), default=Role.PICKER.value,
                       choices=[SelectChoice(r.value, r.label) for r in Role])
    password = PasswordField(lazy_gettext("Password"), [Optional(), Length(min=8, max=200)],
                             description=lazy_gettext("Supervisors and admins: at least 8 characters."))
    badge = StringField(lazy_gettext("Badge"), [Optional(), Length(max=64)],
                        description=lazy_gettext("Floor roles: the badge barcode they scan to sign in."))
    pin = PasswordField(lazy_gettext("PIN"), [Optional(), PIN_RULE])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        role = Role(self.role.data) if self.role.data in Role._value2member_map_ else None
        if role is not None and role not in FLOOR_ROLES and not self.password.data:
            self.password.errors.append(_("Supervisors and admins sign in with a password: enter one."))
            ok = False
        if role in FLOOR_ROLES and not self.badge.data:
            self.badge.errors.append(_("Floor staff sign in with a badge: enter its code."))
            ok = False
        if (role in FLOOR_ROLES or self.badge.data) and not self.pin.data:
            self.pin.errors.append(_("A badge needs a PIN: enter 4 to 8 digits."))
            ok = False
        if self.pin.data and not self.badge.data and role not in FLOOR_ROLES:
            self.badge.errors.append(_("A PIN needs a badge: enter the badge code."))
            ok = False
        return ok


class PinForm(FlaskForm):
    pin = PasswordField(lazy_gettext("New PIN"), [DataRequired(lazy_gettext("Enter the new PIN.")), PIN_RULE])


class AdjustForm(FlaskForm):
    item = StringField(lazy_gettext("Item"), [DataRequired(lazy_gettext("Enter the SKU or scan a barcode.")),
                                              Length(max=512)],
                       description=lazy_gettext("SKU or barcode."))
    location = StringField(lazy_gettext("Location"), [DataRequired(lazy_gettext("Enter the location code.")),
                                                      Length(max=64)])
    qty = IntegerField(lazy_gettext("Change in units"),
                       [InputRequired(lazy_gettext("Enter the change, like 5 or -2.")),
                        NumberRange(min=-MAX_UNITS, max=MAX_UNITS,
                                    message=lazy_gettext("Enter a change between %(min)d and %(max)d."))],
                       description=lazy_gettext("Positive adds units (found), negative removes them "
                                                "(lost, damaged)."))
    reason = SelectField(lazy_gettext("Reason"), [DataRequired(lazy_gettext("Choose a reason."))],
                         choices=adjust_reason_choices)
    lot = StringField(lazy_gettext("Lot"), [Optional(), Length(max=40)])
    expiry = DateField(lazy_gettext("Expiry date"), [Optional(), within_calendar],
                       description=lazy_gettext("For units added; removed units keep theirs."))

    def validate_qty(self, field):
        if field.data == 0:
            raise ValidationError(_("Zero changes nothing: enter a positive or negative number."))


RECEIPT_LINE = re.compile(r"^(?P<code>\S(?:.*?[^\s,;])?)[\s,;]+(?P<qty>[0-9]+)$")


class ReceiptForm(FlaskForm):
    reference = StringField(lazy_gettext("Reference"),
                            [DataRequired(lazy_gettext("Enter the PO or ASN number.")), Length(max=64)],
                            description=lazy_gettext("The purchase order or advance ship notice number."))
    supplier = StringField(lazy_gettext("Supplier"), [Optional(), Length(max=120)])
    expected_on = DateField(lazy_gettext("Expected on"), [Optional(), within_calendar])
    lines = TextAreaField(lazy_gettext("Lines"), [DataRequired(lazy_gettext("Enter at least one line."))],
                          description=lazy_gettext("One line per item: SKU or barcode, then the expected "
                                                   "quantity, like ABC-1 12."))

    def validate_lines(self, field):
        self._parsed = []
        problems = []
        for n, raw in enumerate((field.data or "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            found = RECEIPT_LINE.match(line)
            if found is None:
                problems.append(_("Line %(n)d: write the SKU and the quantity, like ABC-1 12.", n=n))
            elif int(found["qty"]) < 1:
                problems.append(_("Line %(n)d: the quantity must be above zero.", n=n))
            elif int(found["qty"]) > MAX_UNITS:
                problems.append(_("Line %(n)d: the quantity must be at most %(max)d.", n=n, max=MAX_UNITS))
            else:
                self._parsed.append((n, found["code"], int(found["qty"])))
        if problems:
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])
        if not self._parsed:
            raise ValidationError(_("Enter at least one line."))

    def parsed_lines(self) -> list[tuple[int, str, int]]:
        """(line number in the text box, SKU or barcode, quantity) per line, after validation."""
        return list(getattr(self, "_parsed", []))
