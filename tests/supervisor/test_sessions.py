"""Issue 7, sessions and tokens end when they should: sign-out, fixed lifetime, resets, revocation, next=."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.http import run_in_transaction
from tests.helpers import make_token
from tests.supervisor.web import csrf_token, flashes, login, rows

DEVICE = "HH-SESSION-01"


def _copy_cookie(app, source):
    """A second browser holding a copy of source's session cookie (as a thief or a shared PC would)."""
    thief = app.test_client()
    cookie = source.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_copied_cookie_stops_working_at_sign_out(app, supervisor):
    thief = _copy_cookie(app, supervisor)
    assert thief.get("/dashboard").status_code == 200
    supervisor.post("/logout", data={"csrf_token": csrf_token(supervisor.get("/dashboard").text)})
    r = thief.get("/dashboard")
    assert r.status_code == 302 and r.location.startswith("/login")


def test_the_session_ends_at_its_fixed_lifetime_however_busy(app, supervisor, monkeypatch):
    from server.auth import services

    signed_in = datetime.now(timezone.utc)
    assert supervisor.get("/items").status_code == 200
    monkeypatch.setattr(services, "utcnow", lambda: signed_in + timedelta(hours=11, minutes=59))
    assert supervisor.get("/items").status_code == 200  # use near the end does not extend it
    monkeypatch.setattr(services, "utcnow", lambda: signed_in + timedelta(hours=12, minutes=1))
    r = supervisor.get("/items")
    assert r.status_code == 302 and r.location.startswith("/login")


def test_answers_do_not_push_the_cookie_expiry_on(supervisor):
    assert supervisor.get("/items").status_code == 200
    assert "session=" not in supervisor.get("/items").headers.get("Set-Cookie", "")


def test_a_pin_reset_ends_every_token_and_web_session_of_the_user(app, admin, users):
    """Issue 7: a PIN or password reset left password-login and CLI tokens valid."""
    user = users["supervisor"]
    client = app.test_client()
    device = client.post("/api/auth/badge-login", json={"badge": user.badge_code, "pin": "1234",
                                                        "device_id": DEVICE}).json["token"]
    password = client.post("/api/auth/login", json={"username": user.username,
                                                    "password": "password123"}).json["token"]
    cli = make_token(user)
    web = app.test_client()
    assert login(web, user.username).status_code == 302

    r = admin.post(f"/users/{user.id}/pin", data={"pin": "8642", "csrf_token": csrf_token(admin.get("/users").text)})
    assert r.status_code == 302
    for token in (device, password, cli):
        r = client.get("/api/me", headers={"Authorization": f"Bearer {token}", "X-Device-Id": DEVICE})
        assert r.status_code == 401, token
    assert web.get("/dashboard").status_code == 302


# --- flask token revoke ------------------------------------------------------------------------------

def _me(client, token):
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.mark.parametrize("by", ["value", "id"])
def test_cli_revokes_one_token_by_value_or_id(app, client, users, by):
    from server.auth.models import ApiToken

    runner = app.test_cli_runner()
    created = runner.invoke(args=["token", "create", users["admin"].username])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    other = make_token(users["admin"])
    assert _me(client, token) == 200  # now in this worker's token cache
    token_id = db.session.scalar(sa.select(sa.func.max(ApiToken.id)).where(ApiToken.name == "cli token"))

    r = runner.invoke(args=["token", "revoke", token if by == "value" else str(token_id)])
    assert r.exit_code == 0, r.output
    assert f"revoked token {token_id}" in r.output
    assert _me(client, token) == 401
    assert _me(client, other) == 200

    listed = runner.invoke(args=["token", "list", users["admin"].username])
    # The revoked token's row is gone (its id is the first column; a username may end in the same digits).
    ids = [line.split("\t", 1)[0] for line in listed.output.splitlines()]
    assert listed.exit_code == 0 and str(token_id) not in ids


def test_cli_revoke_of_an_unknown_token_fails(app):
    r = app.test_cli_runner().invoke(args=["token", "revoke", "sf_nothing-like-this"])
    assert r.exit_code != 0
    assert "There is no such token." in r.output


# --- the tokens page ---------------------------------------------------------------------------------

def _token_ids(page: str) -> set[int]:
    return {int(i) for i in rows(page, "id")}


def test_an_admin_lists_and_revokes_anyones_token(app, admin, users, client):
    from server.auth.models import ApiToken

    picker_token = client.post("/api/auth/badge-login", json={"badge": users["picker"].badge_code, "pin": "1234",
                                                              "device_id": DEVICE}).json["token"]
    page = admin.get("/tokens")
    assert page.status_code == 200
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == users["picker"].id))
    assert token_id in _token_ids(page.text)
    assert DEVICE in page.text and users["picker"].username in page.text

    r = admin.post(f"/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302 and r.location == "/tokens"
    assert flashes(admin.get("/tokens").text) == [f"Token device login of {users['picker'].username} revoked."]
    r = client.get("/api/me", headers={"Authorization": f"Bearer {picker_token}", "X-Device-Id": DEVICE})
    assert r.status_code == 401
    assert token_id not in _token_ids(admin.get("/tokens").text)


def test_a_supervisor_sees_and_revokes_only_their_own_tokens(supervisor, users, client):
    from server.auth.models import ApiToken

    mine, theirs = make_token(users["supervisor"]), make_token(users["admin"])
    ids = dict(db.session.execute(sa.select(ApiToken.user_id, ApiToken.id)).all())
    page = supervisor.get("/tokens").text
    assert _token_ids(page) == {ids[users["supervisor"].id]}
    token = csrf_token(page)
    assert supervisor.post(f"/tokens/{ids[users['admin'].id]}/revoke", data={"csrf_token": token}).status_code == 403
    assert _me(client, theirs) == 200
    assert supervisor.post(f"/tokens/{ids[users['supervisor'].id]}/revoke",
                           data={"csrf_token": token}).status_code == 302
    assert _me(client, mine) == 401


def test_token_revoke_without_csrf_token_is_refused(admin, users, client):
    from server.auth.models import ApiToken

    token = make_token(users["picker"])
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert admin.post(f"/tokens/{token_id}/revoke").status_code == 400
    assert _me(client, token) == 200


# --- next= ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/items%0d%0aSet-Cookie:%20x=1", "/items%0aX:1", "/%09/evil.example",
                                    "/items%7f"])
def test_sign_in_ignores_a_next_with_control_characters(client, users, target):
    r = login(client, users["supervisor"].username, next=target)
    assert r.status_code == 302
    assert r.location == "/dashboard"


def test_a_next_with_a_nul_is_refused_before_the_form(client, users):
    """The pages refuse NUL anywhere in the address (a 4xx page), so such a next= never reaches a redirect."""
    r = client.get("/login?next=/items%00")
    assert 400 <= r.status_code < 500
    assert "Location" not in r.headers
