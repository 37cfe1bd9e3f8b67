"""User administration pages: create, reset PIN, deactivate, and what each does to sessions and tokens."""

from __future__ import annotations

import pytest

from server.auth.models import Role, User
from server.extensions import db
from tests.helpers import make_token
from tests.supervisor.web import PASSWORD, field_errors, flashes, login, rows, submit

DEVICE = "handheld-0001"


def badge_login(client, badge: str, pin: str):
    return client.post("/api/auth/badge-login", json={"badge": badge, "pin": pin, "device_id": DEVICE})


def _user(name: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == name))


def test_the_user_list_shows_everyone(admin, users):
    page = admin.get("/users").text
    assert sorted(rows(page, "username")) == sorted(u.username for u in users.values())


def test_an_admin_creates_a_floor_user_who_can_badge_in(admin, client):
    r = submit(admin, "/users/new", {"username": "Ana", "display_name": "Ana Lima", "role": "picker",
                                     "badge": "B-ANA", "pin": "4321"})
    assert r.status_code == 302 and r.location == "/users"
    assert flashes(admin.get("/users").text) == ["User ana created."]
    ana = _user("ana")
    assert (ana.display_name, ana.role, ana.badge_code) == ("Ana Lima", Role.PICKER, "B-ANA")
    assert ana.password_hash is None
    assert badge_login(client, "B-ANA", "4321").status_code == 200


def test_an_admin_creates_a_supervisor_who_can_sign_in(admin, client):
    r = submit(admin, "/users/new", {"username": "sam", "role": "supervisor", "password": "long-enough"})
    assert r.status_code == 302
    assert login(client, "sam", "long-enough").status_code == 302


@pytest.mark.parametrize("data, field, message", [
    ({"role": "supervisor"}, "password", "Supervisors and admins sign in with a password: enter one."),
    ({"role": "admin", "password": "short"}, "password", "Field must be between 8 and 200 characters long."),
    ({"role": "picker"}, "badge", "Floor staff sign in with a badge: enter its code."),
    ({"role": "packer", "badge": "B-1"}, "pin", "A badge needs a PIN: enter 4 to 8 digits."),
    ({"role": "packer", "badge": "B-1", "pin": "12"}, "pin", "A PIN is 4 to 8 digits."),
    ({"role": "supervisor", "password": "long-enough", "pin": "1234"}, "badge",
     "A PIN needs a badge: enter the badge code."),
])
def test_the_user_form_says_what_each_role_needs(admin, data, field, message):
    r = submit(admin, "/users/new", {"username": "newbie", **data})
    assert r.status_code == 422
    assert field_errors(r.text, field) == [message]
    assert _user("newbie") is None


def test_a_taken_name_is_shown_on_the_username_field(admin, users):
    r = submit(admin, "/users/new", {"username": users["picker"].username, "role": "picker", "badge": "B-NEW",
                                     "pin": "1234"})
    assert r.status_code == 422
    assert field_errors(r.text, "username") == [f"A user named {users['picker'].username} exists already."]


def test_a_taken_badge_is_shown_on_the_badge_field(admin, users):
    r = submit(admin, "/users/new", {"username": "other", "role": "picker",
                                     "badge": users["picker"].badge_code, "pin": "1234"})
    assert r.status_code == 422
    assert field_errors(r.text, "badge") == ["That badge belongs to another user."]


def test_user_create_without_csrf_token_is_refused(admin):
    r = admin.post("/users/new", data={"username": "sneaky", "role": "admin", "password": "long-enough"})
    assert r.status_code == 400
    assert _user("sneaky") is None


def test_resetting_a_pin_replaces_it_and_signs_the_devices_out(admin, client, users):
    picker = users["picker"]
    token = badge_login(client, picker.badge_code, "1234").json["token"]
    r = submit(admin, "/users", {"pin": "8642"}, action=f"/users/{picker.id}/pin")
    assert r.status_code == 302 and r.location == f"/users/{picker.id}"
    assert flashes(admin.get("/users").text) == [
        f"The PIN of {picker.username} was reset. Their devices are signed out."]
    assert badge_login(client, picker.badge_code, "1234").status_code == 401
    assert badge_login(client, picker.badge_code, "8642").status_code == 200
    r = client.get("/api/me", headers={"Authorization": f"Bearer {token}", "X-Device-Id": DEVICE})
    assert r.status_code == 401


def test_resetting_a_supervisor_pin_ends_their_web_session(admin, supervisor, users):
    assert supervisor.get("/dashboard").status_code == 200
    submit(admin, "/users", {"pin": "8642"}, action=f"/users/{users['supervisor'].id}/pin")
    assert supervisor.get("/dashboard").status_code == 302


def test_a_bad_pin_is_explained_and_nothing_changes(admin, client, users):
    picker = users["picker"]
    r = submit(admin, "/users", {"pin": "12ab"}, action=f"/users/{picker.id}/pin")
    assert r.status_code == 302
    assert flashes(admin.get("/users").text) == ["A PIN is 4 to 8 digits."]
    assert badge_login(client, picker.badge_code, "1234").status_code == 200


def test_reset_pin_of_an_unknown_user_is_404(admin):
    assert submit(admin, "/users", {"pin": "1234"}, action="/users/999999/pin").status_code == 404


def test_deactivating_a_user_ends_their_session_and_tokens(app, admin, supervisor, users):
    target = users["supervisor"]
    bearer = make_token(target)
    assert supervisor.get("/dashboard").status_code == 200
    assert app.test_client().get("/api/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 200

    r = submit(admin, "/users", {}, action=f"/users/{target.id}/deactivate")
    assert r.status_code == 302
    page = admin.get("/users").text
    assert flashes(page) == [f"User {target.username} deactivated."]
    assert f'id="deactivate-{target.id}"' not in page

    r = supervisor.get("/items")
    assert r.status_code == 302 and r.location.startswith("/login")
    assert app.test_client().get("/api/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    assert login(app.test_client(), target.username, PASSWORD).status_code == 401


def test_an_admin_cannot_deactivate_themselves(admin, users):
    me = users["admin"]
    assert f'id="deactivate-{me.id}"' not in admin.get("/users").text
    r = submit(admin, "/users", {}, action=f"/users/{me.id}/deactivate")
    assert r.status_code == 302
    assert flashes(admin.get("/users").text) == ["You cannot deactivate yourself. Ask another admin."]
    assert _user(me.username).active


def test_deactivate_without_csrf_token_is_refused(admin, users):
    assert admin.post(f"/users/{users['picker'].id}/deactivate").status_code == 400
    assert _user(users["picker"].username).active
