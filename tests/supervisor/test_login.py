"""Signing in and out of the supervisor pages: roles, throttle, session lifetime, safe redirects."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.auth import services
from server.auth.models import LoginThrottle
from server.extensions import db
from server.http import run_in_transaction
from tests.supervisor.web import PASSWORD, csrf_token, flashes, login


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_staff_sign_in_and_see_their_name_on_the_dashboard(client, users, role):
    user = users[role]
    r = login(client, user.username)
    assert r.status_code == 302
    assert r.location == "/dashboard"
    with client.session_transaction() as s:
        assert s["uid"] == user.id
        assert s["sid"]  # names the server-side session row
        assert s.permanent
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert f'<span id="signed-in-user" title="{user.username}">{user.display_name}</span>' in page.text


def test_sign_in_ignores_case_and_spaces_in_the_name(client, users):
    r = login(client, f"  {users['supervisor'].username.upper()} ")
    assert r.status_code == 302


def test_session_cookie_lasts_a_shift_not_a_month(app):
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600


def test_wrong_password_is_refused_with_a_message(client, users):
    r = login(client, users["supervisor"].username, "wrong-password")
    assert r.status_code == 401
    assert flashes(r.text) == ["Name or password is wrong."]
    with client.session_transaction() as s:
        assert "uid" not in s
    assert client.get("/dashboard").status_code == 302


def test_unknown_name_is_refused_like_a_wrong_password(client, users):
    r = login(client, "nobody", PASSWORD)
    assert r.status_code == 401
    assert flashes(r.text) == ["Name or password is wrong."]


def test_empty_form_shows_field_errors(client, users):
    token = csrf_token(client.get("/login").text)
    r = client.post("/login", data={"username": "", "password": "", "csrf_token": token})
    assert r.status_code == 422
    assert "Enter your name." in r.text and "Enter your password." in r.text


@pytest.mark.parametrize("role", ["picker", "packer", "receiver"])
def test_floor_roles_are_sent_to_the_handheld(client, users, role):
    r = login(client, users[role].username)
    assert r.status_code == 403
    assert flashes(r.text) == [
        "These pages are for supervisors and admins. Floor staff sign in on a handheld."]
    with client.session_transaction() as s:
        assert "uid" not in s


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, users):
    name = users["supervisor"].username
    for _ in range(4):  # three free failures, the fourth locks
        assert login(client, name, "wrong-password").status_code == 401
    r = login(client, name, PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert flashes(r.text)[0].startswith("Too many wrong tries.")
    with client.session_transaction() as s:
        assert "uid" not in s


def test_a_lock_from_this_browser_does_not_stop_the_api_login_of_another_device(client, users):
    """Issue 7: five wrong admin passwords locked admin everywhere. Now they lock this browser only."""
    name = users["admin"].username
    for _ in range(5):
        login(client, name, "wrong-password")
    assert login(client, name).status_code == 429
    r = client.post("/api/auth/login", json={"username": name, "password": PASSWORD},
                    headers={"X-Device-Id": "script-host-1"})
    assert r.status_code == 200, r.json


def test_a_successful_sign_in_clears_the_account_failures(client, users):
    name = users["supervisor"].username
    login(client, name, "wrong-password")
    login(client, name, "wrong-password")
    assert login(client, name).status_code == 302
    assert db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.scope == "account_source",
                                                            LoginThrottle.account == f"user:{name}")) is None


def test_sign_in_returns_to_the_page_asked_for(client, users):
    r = client.get("/items?q=abc")
    assert r.status_code == 302
    assert r.location == "/login?next=/items?q%3Dabc"
    r = login(client, users["supervisor"].username, next="/items?q%3Dabc")
    assert r.location == "/items?q=abc"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, users, target):
    r = login(client, users["supervisor"].username, next=target)
    assert r.location == "/dashboard"


def test_signed_in_user_opening_login_goes_to_the_dashboard(supervisor):
    assert supervisor.get("/login").location == "/dashboard"


def test_sign_in_without_csrf_token_is_refused(client, users):
    client.get("/login")
    r = client.post("/login", data={"username": users["supervisor"].username, "password": PASSWORD})
    assert r.status_code == 400
    assert "The form has expired" in r.text
    with client.session_transaction() as s:
        assert "uid" not in s


def test_sign_out_is_a_post_and_ends_the_session(supervisor):
    assert supervisor.get("/logout").status_code == 405
    token = csrf_token(supervisor.get("/dashboard").text)
    r = supervisor.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.location == "/login"
    assert flashes(supervisor.get("/login").text) == ["You are signed out."]
    assert supervisor.get("/dashboard").status_code == 302


def test_sign_out_without_csrf_token_is_refused(supervisor):
    assert supervisor.post("/logout").status_code == 400
    assert supervisor.get("/dashboard").status_code == 200


def test_a_password_change_ends_the_web_session(supervisor, users):
    run_in_transaction(lambda: services.set_password(db.session.merge(users["supervisor"]), "another-pass"))
    r = supervisor.get("/dashboard")
    assert r.status_code == 302 and r.location.startswith("/login")
    assert flashes(supervisor.get(r.location).text) == ["Your sign-in has ended. Sign in again."]
    with supervisor.session_transaction() as s:
        assert "uid" not in s
