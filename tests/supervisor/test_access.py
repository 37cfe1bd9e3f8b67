"""Who may open which supervisor page: signed out → sign in; supervisor → all but users; admin → all."""

from __future__ import annotations

import re

import pytest

from tests.supervisor.web import csrf_token

PAGES = ["/dashboard", "/items", "/items/new", "/items/import", "/locations", "/locations/new",
         "/locations/import", "/users", "/users/new"]
ADMIN_PAGES = ["/users", "/users/new"]


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


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_user_admin_is_for_admins_only(supervisor, admin, path):
    r = supervisor.get(path)
    assert r.status_code == 403
    assert "Your role does not allow this page." in r.text
    assert admin.get(path).status_code == 200


@pytest.mark.parametrize("action", ["deactivate", "pin"])
def test_a_supervisor_cannot_post_user_admin_actions(supervisor, users, action):
    token = csrf_token(supervisor.get("/dashboard").text)
    r = supervisor.post(f"/users/{users['picker'].id}/{action}", data={"csrf_token": token, "pin": "9999"})
    assert r.status_code == 403
    assert users["picker"].active


def test_only_admins_see_users_in_the_navigation(supervisor, admin):
    assert 'id="nav-users"' not in supervisor.get("/dashboard").text
    assert 'id="nav-users"' in admin.get("/dashboard").text


def test_dashboard_counts_what_exists(admin, users):
    from server.catalog.services import create_item
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    run_in_transaction(lambda: (create_item("DASH-1", "Dash one"), create_item("DASH-2", "Dash two"),
                                create_location("D-01")))
    page = admin.get("/dashboard").text
    counts = dict(re.findall(r'id="card-([\w-]+)".*?<span class="count">(\d+)</span>', page, re.S))
    assert counts == {"items": "2", "locations": "1", "open-orders": "0", "users": "5"}
