"""Signing in: badge + PIN on a handheld (device-bound shift tokens), password for supervisors, throttling.

These tests keep the real scrypt hashing: hashing is part of what they check.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from tests.helpers import assert_problem, make_token, make_user

DEVICE = "HH-0001-AAAA"
OTHER_DEVICE = "HH-0002-BBBB"
PIN = "2468"
PASSWORD = "long-enough-pw"


@pytest.fixture
def person(app):
    """A committed picker with a badge and PIN, and a supervisor with a password."""
    from server.http import run_in_transaction

    def create():
        picker = make_user("picker", pin=PIN, password=PASSWORD)
        supervisor = make_user("supervisor", pin="1357", password=PASSWORD)
        return {"picker": (picker.id, picker.badge_code), "supervisor": (supervisor.id, supervisor.username)}

    return run_in_transaction(create)


@pytest.fixture
def admin(app, client):
    from tests.helpers import ApiClient
    from server.http import run_in_transaction
    user = run_in_transaction(lambda: make_user("admin"))
    return ApiClient(client, make_token(user))


def badge_login(client, badge, pin=PIN, device=DEVICE, addr="127.0.0.1"):
    return client.post("/api/auth/badge-login", json={"badge": badge, "pin": pin, "device_id": device},
                       environ_base={"REMOTE_ADDR": addr})


def me(client, token, device=DEVICE):
    headers = {"Authorization": f"Bearer {token}"}
    if device:
        headers["X-Device-Id"] = device
    return client.get("/api/me", headers=headers)


def logged_in(client, badge, **kw) -> str:
    r = badge_login(client, badge, **kw)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["token"]


# --- badge login and device tokens -----------------------------------------------------------------

def test_badge_login_gives_a_shift_token_for_that_user(app, client, person):
    user_id, badge = person["picker"]
    before = datetime.now(timezone.utc)
    r = badge_login(client, badge)
    assert r.status_code == 200, r.json
    assert r.json["user"]["id"] == user_id
    assert r.json["user"]["role"] == "picker"
    expires = datetime.fromisoformat(r.json["expires_at"])
    assert expires.utcoffset() is not None
    shift = timedelta(hours=app.config["SHIFT_HOURS"])
    assert before + shift <= expires <= datetime.now(timezone.utc) + shift

    who = me(client, r.json["token"])
    assert who.status_code == 200
    assert who.json["user"]["id"] == user_id


def test_device_token_works_only_from_the_device_that_signed_in(client, person):
    token = logged_in(client, person["picker"][1])
    assert me(client, token, DEVICE).status_code == 200
    assert_problem(me(client, token, OTHER_DEVICE), 401, "unauthorized")
    assert_problem(me(client, token, device=None), 401, "unauthorized")


def test_expired_device_token_is_refused_at_once_even_when_cached(client, person, monkeypatch):
    import server.auth.services as services

    r = badge_login(client, person["picker"][1])
    token, expires = r.json["token"], datetime.fromisoformat(r.json["expires_at"])
    assert me(client, token).status_code == 200  # now in this worker's token cache
    monkeypatch.setattr(services, "utcnow", lambda: expires - timedelta(microseconds=1))
    assert me(client, token).status_code == 200
    monkeypatch.setattr(services, "utcnow", lambda: expires)
    assert_problem(me(client, token), 401, "unauthorized")


def test_logout_revokes_the_token(client, person):
    token = logged_in(client, person["picker"][1])
    headers = {"Authorization": f"Bearer {token}", "X-Device-Id": DEVICE}
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert_problem(me(client, token), 401, "unauthorized")
    assert_problem(client.post("/api/auth/logout", headers=headers), 401)


def test_logout_ends_only_that_session(client, person):
    badge = person["picker"][1]
    first = logged_in(client, badge, device=DEVICE)
    second = logged_in(client, badge, device=OTHER_DEVICE)
    client.post("/api/auth/logout", headers={"Authorization": f"Bearer {first}", "X-Device-Id": DEVICE})
    assert me(client, second, OTHER_DEVICE).status_code == 200


# --- wrong credentials and throttling --------------------------------------------------------------

def test_wrong_pin_and_unknown_badge_get_the_same_refusal(client, person):
    wrong_pin = assert_problem(badge_login(client, person["picker"][1], pin="0000"), 401, "bad_credentials")
    unknown = assert_problem(badge_login(client, "NO-SUCH-BADGE"), 401, "bad_credentials")
    assert (wrong_pin["title"], wrong_pin["detail"]) == (unknown["title"], unknown["detail"])
    assert "token" not in wrong_pin and "token" not in unknown


def test_failures_below_the_limit_do_not_lock_and_success_clears_them(client, person):
    from server.auth.throttle import RULES

    free = RULES["account_source"].free
    badge = person["picker"][1]
    for _ in range(free):
        assert_problem(badge_login(client, badge, pin="0000"), 401, "bad_credentials")
    assert badge_login(client, badge).status_code == 200
    for _ in range(free):  # the count started again after the success
        assert_problem(badge_login(client, badge, pin="0000"), 401, "bad_credentials")
    assert badge_login(client, badge).status_code == 200


def test_account_locks_at_its_source_after_repeated_failures_even_for_the_right_pin(client, person):
    from server.auth.throttle import BASE_LOCK, RULES

    free = RULES["account_source"].free
    badge = person["picker"][1]
    for _ in range(free + 1):
        assert_problem(badge_login(client, badge, pin="0000"), 401, "bad_credentials")

    r = badge_login(client, badge)
    body = assert_problem(r, 429, "too_many_attempts")
    assert "ask a supervisor" in body["detail"]
    retry_after = int(r.headers["Retry-After"])
    assert 0 < retry_after <= BASE_LOCK.total_seconds() + 1
    assert "token" not in body


def test_account_lock_does_not_stop_other_badges_at_the_same_address(client, app, person):
    from server.auth.throttle import RULES
    from server.http import run_in_transaction

    colleague = run_in_transaction(lambda: make_user("packer", pin=PIN)).badge_code
    badge = person["picker"][1]
    for _ in range(RULES["account_source"].free + 1):
        badge_login(client, badge, pin="0000")
    assert_problem(badge_login(client, badge), 429, "too_many_attempts")
    assert badge_login(client, colleague).status_code == 200


def test_a_device_guessing_many_badges_locks_itself_not_its_neighbours(client, person):
    """Guessing one try per badge from one handheld locks that handheld, not the others on the address."""
    from server.auth.throttle import RULES

    assert RULES["source"].free >= RULES["account_source"].free  # one try per badge never locks a badge
    for n in range(RULES["source"].free + 1):
        assert_problem(badge_login(client, f"GUESS-{n}", device=OTHER_DEVICE), 401, "bad_credentials")

    badge = person["picker"][1]
    r = badge_login(client, badge, device=OTHER_DEVICE)
    assert "ask a supervisor" in assert_problem(r, 429, "too_many_attempts")["detail"]
    assert int(r.headers["Retry-After"]) > 0
    assert badge_login(client, badge, device=DEVICE).status_code == 200  # same address, another handheld


# --- password login --------------------------------------------------------------------------------

def test_password_login_gives_a_supervisor_an_api_token(client, person):
    user_id, username = person["supervisor"]
    r = client.post("/api/auth/login", json={"username": username.upper(), "password": PASSWORD})
    assert r.status_code == 200, r.json
    assert r.json["user"]["id"] == user_id
    assert r.json["user"]["role"] == "supervisor"
    who = me(client, r.json["token"], device=None)  # not bound to a device
    assert who.status_code == 200
    assert who.json["user"]["id"] == user_id


def test_password_login_with_a_wrong_password_is_refused(client, person):
    _user_id, username = person["supervisor"]
    wrong = assert_problem(client.post("/api/auth/login", json={"username": username, "password": "nope-nope"}),
                           401, "bad_credentials")
    unknown = assert_problem(client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD}),
                             401, "bad_credentials")
    assert wrong["detail"] == unknown["detail"]


# --- what is stored --------------------------------------------------------------------------------

def test_pins_passwords_and_tokens_are_stored_hashed(client, db, person):
    from server.auth.models import ApiToken, User

    user_id, badge = person["picker"]
    token = logged_in(client, badge)
    db.session.rollback()
    user = db.session.get(User, user_id)
    assert user.pin_hash != PIN and PIN not in user.pin_hash
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert check_password_hash(user.pin_hash, PIN)
    assert not check_password_hash(user.pin_hash, "0000")
    assert check_password_hash(user.password_hash, PASSWORD)
    stored = db.session.scalars(sa.select(ApiToken.token_hash).where(ApiToken.user_id == user_id)).all()
    assert stored and token not in stored


# --- ending sessions -------------------------------------------------------------------------------

def test_deactivated_user_tokens_stop_working(client, admin, person):
    user_id, badge = person["picker"]
    device_token = logged_in(client, badge)
    from server.auth.models import User
    from server.extensions import db
    api_token = make_token(db.session.get(User, user_id))
    assert me(client, api_token, device=None).status_code == 200

    r = admin.post(f"/api/users/{user_id}/deactivate")
    assert r.status_code == 200, r.json
    assert r.json["active"] is False
    assert_problem(me(client, device_token), 401, "unauthorized")
    assert_problem(me(client, api_token, device=None), 401, "unauthorized")
    assert_problem(badge_login(client, badge), 401, "bad_credentials")


def test_pin_reset_ends_device_sessions_and_replaces_the_pin(client, admin, person):
    user_id, badge = person["picker"]
    device_token = logged_in(client, badge)

    r = admin.post(f"/api/users/{user_id}/pin", json={"pin": "97531"})
    assert r.status_code == 200, r.json
    assert_problem(me(client, device_token), 401, "unauthorized")
    assert_problem(badge_login(client, badge, pin=PIN), 401, "bad_credentials")
    assert me(client, logged_in(client, badge, pin="97531")).status_code == 200


def test_a_device_id_with_control_characters_is_refused_at_badge_login(client, person):
    """Its requests' X-Device-Id would be refused (422) ever after: so the sign-in is refused, naming the field."""
    for device in ("hh-1\r\nX: y", "handheld\x00one", "handheld\x7fone"):
        r = badge_login(client, person["picker"][1], device=device)
        assert r.status_code == 422, device
        assert r.is_json and r.get_json()["errors"][0]["field"] == "device_id"
    assert badge_login(client, person["picker"][1], device="handheld-0001").status_code == 200
