"""Who may open which supervisor page: signed out → sign in; supervisor → all but user admin; admin → all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server.http import run_in_transaction
from tests.supervisor.web import csrf_token, rows

PAGES = ["/dashboard", "/items", "/items/new", "/items/import", "/locations", "/locations/new",
         "/locations/import", "/users", "/users/new", "/stock", "/stock/export.csv", "/stock/locations",
         "/stock/locations/export.csv", "/stock/adjust", "/stock/import", "/movements", "/movements/export.csv",
         "/receipts", "/receipts/new", "/receipts/import"]
ADMIN_PAGES = ["/users/new"]


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.location == f"/login?next={path}"


def test_a_signed_out_post_is_sent_to_sign_in_without_a_return_address(client, users):
    token = csrf_token(client.get("/login").text)
    r = client.post(f"/users/{users['picker'].id}/deactivate", data={"csrf_token": token})
    assert r.status_code == 302 and r.location == "/login"


def test_the_root_address_leads_to_the_dashboard(client):
    r = client.get("/")
    assert r.status_code == 302 and r.location == "/dashboard"


def test_the_stylesheet_is_served_without_sign_in(client):
    r = client.get("/supervisor/static/supervisor.css")
    assert r.status_code == 200
    assert r.mimetype == "text/css"


@pytest.mark.parametrize("path", [p for p in PAGES if p not in ADMIN_PAGES])
def test_a_supervisor_opens_the_supervisor_pages(supervisor, path):
    assert supervisor.get(path).status_code == 200


@pytest.fixture
def floor_session(app, users):
    """A browser holding a valid session cookie of a picker (as if one had slipped past the sign-in)."""
    client = app.test_client()
    client.csrf_token = csrf_token(client.get("/login").text)  # a form token of this browser's session
    from server.auth import services
    from server.extensions import db
    session_id = run_in_transaction(lambda: services.start_web_session(db.session.merge(users["picker"]),
                                                                       timedelta(hours=1)))
    with client.session_transaction() as s:
        s["uid"], s["sid"] = users["picker"].id, session_id
    return client


@pytest.mark.parametrize("path", PAGES + ["/movements/1", "/receipts/1"])
def test_a_floor_role_session_cannot_open_the_pages(floor_session, path):
    r = floor_session.get(path)
    assert r.status_code == 403
    assert "Your role does not allow this page." in r.text


@pytest.mark.parametrize("path", ["/stock/adjust", "/stock/import", "/movements/1/reverse", "/receipts/new",
                                  "/receipts/import", "/receipts/blind", "/receipts/1/close"])
def test_a_floor_role_session_cannot_post(floor_session, path):
    r = floor_session.post(path, data={"csrf_token": floor_session.csrf_token, "item": "X", "location": "Y", "qty": "1",
                                       "reason": "found", "reference": "PO-X", "lines": "X 1"})
    assert r.status_code == 403


def test_the_navigation_leads_to_stock_movements_and_receipts(supervisor):
    page = supervisor.get("/dashboard").text
    for nav, href in (("stock", "/stock"), ("movements", "/movements"), ("receipts", "/receipts")):
        assert f'<a id="nav-{nav}" href="{href}"' in page
    assert 'aria-current="page">Movements</a>' in supervisor.get("/movements").text


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_user_admin_is_for_admins_only(supervisor, admin, path):
    r = supervisor.get(path)
    assert r.status_code == 403
    assert "Your role does not allow this page." in r.text
    assert admin.get(path).status_code == 200


@pytest.mark.parametrize("action", ["deactivate", "pin", "unlock"])
def test_a_supervisor_cannot_post_user_admin_actions_on_staff(supervisor, users, action):
    """A supervisor helps floor workers (unlock, PIN): other staff are an admin's."""
    token = csrf_token(supervisor.get("/dashboard").text)
    r = supervisor.post(f"/users/{users['admin'].id}/{action}", data={"csrf_token": token, "pin": "9999"})
    assert r.status_code == 403
    assert users["admin"].active


def test_a_supervisor_cannot_deactivate_a_floor_worker(supervisor, users):
    token = csrf_token(supervisor.get("/dashboard").text)
    assert supervisor.post(f"/users/{users['picker'].id}/deactivate", data={"csrf_token": token}).status_code == 403


def test_staff_see_users_and_tokens_in_the_navigation(supervisor, admin):
    for client in (supervisor, admin):
        page = client.get("/dashboard").text
        assert 'id="nav-users"' in page and 'id="nav-tokens"' in page


def test_dashboard_counts_what_exists(admin, users):
    from server.catalog.services import create_item
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    run_in_transaction(lambda: (create_item("DASH-1", "Dash one"), create_item("DASH-2", "Dash two"),
                                create_location("D-01")))
    page = admin.get("/dashboard").text
    counts = dict(re.findall(r'id="card-([\w-]+)".*?<span class="count">(\d+)</span>', page, re.S))
    assert counts == {"items": "2", "locations": "1", "open-orders": "0", "users": "5", "on-hand": "0",
                      "open-receipts": "0", "movements-today": "0"}


def test_dashboard_counts_units_on_hand_open_receipts_and_movements_today(app, admin, users):
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa

    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    from server.receiving import services as receiving
    from tests.supervisor import floor

    floor.build(users)  # 25 units in 5 adjustments, all made now
    run_in_transaction(lambda: (receiving.create_receipt("PO-1", lines=[("MUG-1", 1)]),
                                receiving.create_receipt("PO-2", lines=[("MUG-1", 1)]),
                                receiving.close_receipt(receiving.create_receipt("PO-3", lines=[("MUG-1", 1)]))))
    oldest = min(floor.move_ids())
    run_in_transaction(lambda: db.session.execute(sa.update(StockMove).where(StockMove.id == oldest).values(
        created_at=datetime.now(timezone.utc) - timedelta(days=2))))
    page = admin.get("/dashboard").text
    counts = dict(re.findall(r'id="card-([\w-]+)".*?<span class="count">(\d+)</span>', page, re.S))
    assert (counts["on-hand"], counts["open-receipts"], counts["movements-today"]) == ("25", "2", "4")
    today = re.search(r'id="card-movements-today" href="([^"]+)"', page).group(1)
    assert len(rows(admin.get(today.replace("&amp;", "&")).text, "id")) == 4
