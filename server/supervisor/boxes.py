"""Box types: the carton sizes the pack station suggests from (list, create, change, retire)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..packing import box_types, queries
from .pages import bp, submit

SIDE = NumberRange(min=1, max=box_types.MAX_SIDE_MM)
GRAMS = NumberRange(min=0, max=box_types.MAX_WEIGHT_G)


class BoxTypeForm(FlaskForm):
    code = StringField(lazy_gettext("Code"), [DataRequired(lazy_gettext("Enter a code.")), Length(max=32)],
                       description=lazy_gettext("Printed on the shelf: the packer may scan it."))
    name = StringField(lazy_gettext("Name"), [DataRequired(lazy_gettext("Enter a name.")), Length(max=120)])
    length_mm = IntegerField(lazy_gettext("Inner length (mm)"),
                             [InputRequired(lazy_gettext("Enter the length.")), SIDE])
    width_mm = IntegerField(lazy_gettext("Inner width (mm)"),
                            [InputRequired(lazy_gettext("Enter the width.")), SIDE])
    height_mm = IntegerField(lazy_gettext("Inner height (mm)"),
                             [InputRequired(lazy_gettext("Enter the height.")), SIDE])
    max_weight_g = IntegerField(lazy_gettext("Most it carries (g)"),
                                [Optional(), NumberRange(min=1, max=box_types.MAX_WEIGHT_G)])
    tare_g = IntegerField(lazy_gettext("Empty weight (g)"), [Optional(), GRAMS], default=0)
    active = BooleanField(lazy_gettext("In use (the pack station may suggest it)"), default=True)

    def attrs(self) -> dict:
        return {"code": self.code.data, "name": self.name.data, "length_mm": self.length_mm.data,
                "width_mm": self.width_mm.data, "height_mm": self.height_mm.data,
                "max_weight_g": self.max_weight_g.data, "tare_g": self.tare_g.data or 0,
                "active": self.active.data}


def _done(box) -> str:
    return _("Box type %(code)s saved.", code=box.code)


@bp.get("/boxes")
def boxes():
    """Every box type, those in use first, smallest first, with how many packages were packed in each."""
    return render_template("supervisor/boxes/list.html", rows=queries.box_type_rows())


@bp.route("/boxes/new", methods=["GET", "POST"])
def box_new():
    """Show the new-box-type form and create it."""
    form = BoxTypeForm()
    return submit(form, lambda: box_types.create_box_type(**form.attrs()),
                  done=_done, to=url_for("supervisor.boxes"), page="supervisor/boxes/form.html", box=None)


@bp.route("/boxes/<int:box_id>", methods=["GET", "POST"])
def box_edit(box_id: int):
    """Change a box type (or take it out of use)."""
    box = box_types.get_box_type(box_id)
    form = BoxTypeForm(obj=box)
    return submit(form, lambda: box_types.update_box_type(box_types.get_box_type(box_id), **form.attrs()),
                  done=_done, to=url_for("supervisor.boxes"), page="supervisor/boxes/form.html", box=box)
