"""Which box to suggest, and what a keyboard-wedge scale typed.

THE box rule (suggest_box): the smallest active box type by inner volume such that
  1. every unit fits on its own, turned any way: the unit's sides sorted fit the box's sides sorted, and
  2. the units' volumes together fit its volume (no packing puzzle is solved: volume is the bound), and
  3. the units' weight plus the box's tare stays within its max weight (when it has one).
Units without dimensions are left out of 1 and 2 and units without a weight out of 3; when no unit has
dimensions there is nothing to measure by and no box is suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from ..catalog.models import Item
from ..errors import InvalidInput
from ..extensions import db
from .models import BoxType

GRAMS_PER = {"g": Decimal(1), "kg": Decimal(1000), "lb": Decimal("453.59237"), "lbs": Decimal("453.59237"),
             "oz": Decimal("28.349523125")}
# What wedge scales type: "1.25 kg", "2.5lb", "ST,GS,+0001.250kg", "  850 g"; a comma may be the decimal mark.
SCALE_READING = re.compile(r"(?P<value>[+-]?\d+(?:[.,]\d+)?)\s*(?P<unit>kg|g|lbs|lb|oz)\b", re.IGNORECASE)


def _sides(item: Item) -> tuple[int, int, int] | None:
    sides = (item.length_mm, item.width_mm, item.height_mm)
    return tuple(sorted(sides)) if all(sides) else None


def active_boxes() -> list[BoxType]:
    """The box types in use, smallest (by inner volume) first: what the packer chooses from."""
    return list(db.session.scalars(sa.select(BoxType).where(BoxType.active).order_by(
        BoxType.length_mm * BoxType.width_mm * BoxType.height_mm, BoxType.code)))


def suggest_box(items: Iterable[tuple[Item, int]]) -> BoxType | None:
    """The smallest active box type the units (item, qty) fit into, by the rule above; None: none fits."""
    measured = [(item, qty, _sides(item)) for item, qty in items if qty > 0]
    if not any(sides for _item, _qty, sides in measured):
        return None
    volume = sum(qty * sides[0] * sides[1] * sides[2] for _item, qty, sides in measured if sides)
    longest = [sides for _item, _qty, sides in measured if sides]
    weight = sum(qty * (item.weight_g or 0) for item, qty, _sides in measured)
    for box in active_boxes():
        inner = sorted((box.length_mm, box.width_mm, box.height_mm))
        if box.length_mm * box.width_mm * box.height_mm < volume:
            continue
        if not all(all(s <= b for s, b in zip(sides, inner)) for sides in longest):
            continue
        if box.max_weight_g is not None and weight + box.tare_g > box.max_weight_g:
            continue
        return box
    return None


def grams_from_scale(text: str) -> int:
    """Grams from what a keyboard-wedge scale typed ("1.25 kg", "2.5 lb", "850 g"), rounded to the gram."""
    match = SCALE_READING.search(text or "")
    try:
        value = Decimal(match["value"].replace(",", ".")) if match else None
    except InvalidOperation:
        value = None
    if value is None or value <= 0:
        raise InvalidInput(_("%(text)s is not a weight: expected e.g. 1.25 kg, 2.5 lb or 850 g.", text=text),
                           field="weight", expected="a weight such as 1.25 kg")
    return max(1, int((value * GRAMS_PER[match["unit"].lower()]).to_integral_value()))
