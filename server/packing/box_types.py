"""Box types: the carton sizes the packers have, created and changed by a supervisor (the pack station suggests
the smallest active one that fits; services.suggest_box)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ..errors import InvalidInput, get_or_404
from ..extensions import db
from .models import BoxType

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,31}$")
# Inner dimensions a carton may have: a typo of extra digits must not reach the database.
MAX_SIDE_MM = 5_000
MAX_WEIGHT_G = 1_000_000


def get_box_type(box_type_id: int) -> BoxType:
    return get_or_404(BoxType, box_type_id, _("There is no box type %(id)s.", id=box_type_id))


def _check(code: str, sides: tuple[int, int, int], *, exclude_id: int | None = None) -> str:
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(_("A box code is 1 to 32 letters, digits or - _ ."), field="code")
    taken = sa.select(BoxType.id).where(sa.func.upper(BoxType.code) == code.upper())
    if exclude_id is not None:
        taken = taken.where(BoxType.id != exclude_id)
    if db.session.scalar(taken) is not None:
        raise InvalidInput(_("Box type %(code)s exists already.", code=code), field="code")
    if not all(0 < side <= MAX_SIDE_MM for side in sides):
        raise InvalidInput(_("Each inner side is 1 to %(max)d mm.", max=MAX_SIDE_MM), field="length_mm")
    return code


def create_box_type(code: str, name: str, *, length_mm: int, width_mm: int, height_mm: int,
                    max_weight_g: int | None = None, tare_g: int = 0, active: bool = True) -> BoxType:
    """A new carton size (inner dimensions in mm); its code is unique whatever the letter case."""
    code = _check(code, (length_mm, width_mm, height_mm))
    box = BoxType(code=code, name=name.strip(), length_mm=length_mm, width_mm=width_mm, height_mm=height_mm,
                  max_weight_g=max_weight_g, tare_g=tare_g or 0, active=active)
    db.session.add(box)
    db.session.flush()
    return box


def update_box_type(box: BoxType, *, code: str, name: str, length_mm: int, width_mm: int, height_mm: int,
                    max_weight_g: int | None, tare_g: int, active: bool) -> BoxType:
    """Change a carton size; packages packed in it keep their own dimensions, so the past is unchanged."""
    box.code = _check(code, (length_mm, width_mm, height_mm), exclude_id=box.id)
    box.name, box.length_mm, box.width_mm, box.height_mm = name.strip(), length_mm, width_mm, height_mm
    box.max_weight_g, box.tare_g, box.active = max_weight_g, tare_g or 0, active
    db.session.flush()
    return box
