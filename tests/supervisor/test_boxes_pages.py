"""Box types page: list (in use first, smallest first), create, change and take out of use; refusals."""

from __future__ import annotations

import pytest

from tests.supervisor.test_orders_pages import floor_session
from tests.supervisor.web import field_errors, flashes, rows, submit, table

pytestmark = pytest.mark.rollback

BOX = {"code": "S-20", "name": "Small mailer", "length_mm": "250", "width_mm": "180", "height_mm": "60",
       "max_weight_g": "2000", "tare_g": "80", "active": "y"}


def _box_id(code: str) -> int:
    import sqlalchemy as sa

    from server.extensions import db
    from server.packing.models import BoxType
    return db.session.scalar(sa.select(BoxType.id).where(BoxType.code == code))


def test_a_supervisor_creates_changes_and_retires_box_types(supervisor):
    assert "No box types yet" in supervisor.get("/boxes").text
    r = submit(supervisor, "/boxes/new", BOX)
    assert r.status_code == 302 and r.location == "/boxes"
    r = submit(supervisor, "/boxes/new", {**BOX, "code": "L-60", "name": "Large", "length_mm": "600",
                                          "width_mm": "400", "height_mm": "400", "max_weight_g": ""})
    page = supervisor.get("/boxes").text
    assert flashes(page) == ["Box type L-60 saved."]
    assert rows(page, "box") == ["S-20", "L-60"]  # smallest first
    assert table(page, "boxes-table")[1][2:5] == ["600 × 400 × 400", "—", "80"]

    # Taken out of use: listed after the boxes in use, whatever its size.
    large = _box_id("L-60")
    r = submit(supervisor, f"/boxes/{large}", {**BOX, "code": "L-60", "name": "Large", "length_mm": "600",
                                               "width_mm": "400", "height_mm": "400", "active": ""})
    r = submit(supervisor, f"/boxes/{_box_id('S-20')}", {**BOX, "code": "S-20", "length_mm": "700", "active": "y"})
    assert r.status_code == 302
    page = supervisor.get("/boxes").text
    assert rows(page, "box") == ["S-20", "L-60"]
    assert [row[5] for row in table(page, "boxes-table")] == ["yes", "no"]
    assert table(page, "boxes-table")[0][2] == "700 × 180 × 60"


def test_the_form_refuses_a_taken_code_a_zero_side_and_a_bad_code(supervisor):
    submit(supervisor, "/boxes/new", BOX)
    r = submit(supervisor, "/boxes/new", {**BOX, "code": "s-20"})
    assert r.status_code == 422 and field_errors(r.text, "code") == ["Box type s-20 exists already."]
    r = submit(supervisor, "/boxes/new", {**BOX, "code": "M-1", "height_mm": "0"})
    assert r.status_code == 422 and field_errors(r.text, "height_mm")
    r = submit(supervisor, "/boxes/new", {**BOX, "code": "bad code^"})
    assert r.status_code == 422 and "letters, digits" in field_errors(r.text, "code")[0]
    # Renaming onto another box's code is refused too; keeping one's own code is not.
    submit(supervisor, "/boxes/new", {**BOX, "code": "M-1"})
    r = submit(supervisor, f"/boxes/{_box_id('M-1')}", {**BOX, "code": "S-20"})
    assert r.status_code == 422 and field_errors(r.text, "code") == ["Box type S-20 exists already."]
    assert supervisor.get("/boxes/999999").status_code == 404


def test_box_types_refuse_a_post_without_the_form_token_and_a_floor_worker(app, supervisor, users):
    r = supervisor.post("/boxes/new", data=BOX)
    assert r.status_code == 400
    assert _box_id("S-20") is None
    packer, token = floor_session(app, users["packer"])
    assert packer.get("/boxes").status_code == 403
    assert packer.post("/boxes/new", data={**BOX, "csrf_token": token}).status_code == 403
    assert _box_id("S-20") is None
