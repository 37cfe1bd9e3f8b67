"""Location pages: search and paging in walking order, detail, create form, CSV import, deactivate."""

from __future__ import annotations

import io

import pytest

from server.http import run_in_transaction
from server.inventory import locations as services
from tests.supervisor.web import csrf_token, field_errors, flashes, import_error_lines, rows, submit, total


@pytest.fixture
def aisle(app):
    """60 bins A-01 … A-60 walked in reverse code order, plus B-01 elsewhere."""
    def make():
        zone = services.get_or_create_zone("A")
        for n in range(1, 61):
            services.create_location(f"A-{n:02d}", zone=zone, aisle=1, bay=n, pick_sequence=100 - n)
        services.create_location("B-01")
    run_in_transaction(make)


def test_search_pages_through_locations_in_walking_order(supervisor, aisle):
    first = supervisor.get("/locations?q=a-").text
    assert total(first) == 60
    assert rows(first, "code") == [f"A-{n:02d}" for n in range(60, 10, -1)]
    second = supervisor.get("/locations?q=a-&page=2").text
    assert rows(second, "code") == [f"A-{n:02d}" for n in range(10, 0, -1)]
    assert 'id="page-next"' not in second and 'id="page-prev"' in second


def test_virtual_locations_are_not_listed(supervisor, aisle):
    page = supervisor.get("/locations").text
    assert total(page) == 61
    assert "SUPPLIER" not in rows(page, "code")


def test_a_supervisor_creates_a_location_in_a_zone_under_a_parent(supervisor, aisle):
    r = submit(supervisor, "/locations/new", {"code": "T-1", "kind": "tote", "zone": "pick",
                                              "parent": "a-05", "pickable": "y"})
    assert r.status_code == 302 and r.location == "/locations/T-1"
    page = supervisor.get(r.location).text
    assert flashes(page) == ["Location T-1 created."]
    loc = services.find_location("t-1")
    assert (loc.kind.value, loc.zone.code, loc.parent.code, loc.pickable, loc.blocked) == \
        ("tote", "PICK", "A-05", True, False)
    assert 'href="/locations/T-1"' in supervisor.get("/locations/A-05").text  # listed as standing there


def test_an_unknown_parent_is_shown_on_the_parent_field(supervisor):
    r = submit(supervisor, "/locations/new", {"code": "T-2", "kind": "tote", "parent": "NOWHERE"})
    assert r.status_code == 422
    assert field_errors(r.text, "parent") == ["There is no location NOWHERE."]
    assert services.find_location("T-2") is None


def test_a_duplicate_code_is_shown_on_the_code_field(supervisor, aisle):
    r = submit(supervisor, "/locations/new", {"code": "a-01", "kind": "bin"})
    assert r.status_code == 422
    assert field_errors(r.text, "code") == ["Location a-01 exists already."]


def test_an_unknown_kind_is_refused(supervisor):
    r = submit(supervisor, "/locations/new", {"code": "V-1", "kind": "virtual"})
    assert r.status_code == 422
    assert services.find_location("V-1") is None


def test_location_post_without_csrf_token_is_refused(supervisor):
    assert supervisor.post("/locations/new", data={"code": "X-1", "kind": "bin"}).status_code == 400
    assert services.find_location("X-1") is None


def test_csv_import_reports_refused_lines(supervisor):
    csv = (b"code;zone;kind;parent;aisle\n"
           b"R-01;R;bin;;1\n"
           b"R-02;R;spaceship;;1\n"
           b"R-03;R;bin;NOWHERE;\n"
           b"R-04;R;bin;R-01;two\n")
    token = csrf_token(supervisor.get("/locations/import").text)
    r = supervisor.post("/locations/import", data={"csrf_token": token, "file": (io.BytesIO(csv), "l.csv")},
                        content_type="multipart/form-data")
    assert r.status_code == 200
    assert '<strong id="import-created">1</strong>' in r.text
    assert import_error_lines(r.text) == [3, 4, 5]
    assert "Unknown parent location NOWHERE." in r.text
    assert "aisle must be a whole number, not two." in r.text
    assert services.find_location("R-01").zone.code == "R"


def test_deactivating_a_location_hides_it_from_search(supervisor, aisle):
    r = submit(supervisor, "/locations/B-01", {}, action="/locations/B-01/deactivate")
    assert r.status_code == 302
    page = supervisor.get("/locations/B-01").text
    assert flashes(page) == ["Location B-01 deactivated."]
    assert '<dd id="location-status">Inactive</dd>' in page
    assert rows(supervisor.get("/locations?q=b-").text, "code") == []


def test_an_unknown_location_is_404(supervisor):
    assert supervisor.get("/locations/NOPE").status_code == 404
