"""Issue 7: "ask a supervisor" — a supervisor unlocks a floor worker and resets their PIN, audited."""

from __future__ import annotations

from tests.supervisor.web import csrf_token, flashes, table

DEVICE = "HH-UNLOCK-01"


def badge_login(client, badge, pin="1234", device=DEVICE):
    return client.post("/api/auth/badge-login", json={"badge": badge, "pin": pin, "device_id": device})


def _locked_out(client, badge):
    """Wrong PINs from one handheld until the worker is locked there (the lock says: ask a supervisor)."""
    for _ in range(4):
        assert badge_login(client, badge, pin="0000").status_code == 401
    r = badge_login(client, badge)
    assert r.status_code == 429 and "ask a supervisor" in r.json["detail"]


def test_a_supervisor_unlocks_a_locked_worker_and_the_unlock_is_audited(supervisor, users, client):
    picker = users["picker"]
    _locked_out(client, picker.badge_code)
    page = supervisor.get(f"/users/{picker.id}")
    assert page.status_code == 200
    assert 'data-locks="0"' not in page.text and table(page.text, "locks-table")

    r = supervisor.post(f"/users/{picker.id}/unlock", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302 and r.location == f"/users/{picker.id}"
    page = supervisor.get(r.location).text
    assert flashes(page) == [f"{picker.username} can sign in again."]
    assert 'data-locks="0"' in page
    when, who, what, _detail = table(page, "audit-table")[0]
    assert (who, what) == (users["supervisor"].username, "Unlocked")
    assert badge_login(client, picker.badge_code).status_code == 200


def test_unlocking_also_frees_the_device_the_worker_locked(supervisor, users, client):
    picker = users["picker"]
    for n in range(11):  # wrong tries on this handheld, their badge and mistyped ones: the handheld locks
        badge_login(client, picker.badge_code if n % 4 == 0 else f"TYPO-{n}", pin="0000")
    assert badge_login(client, users["packer"].badge_code).status_code == 429
    token = csrf_token(supervisor.get(f"/users/{picker.id}").text)
    supervisor.post(f"/users/{picker.id}/unlock", data={"csrf_token": token})
    assert badge_login(client, picker.badge_code).status_code == 200


def test_a_supervisor_resets_a_floor_workers_pin_from_the_user_page(supervisor, users, client):
    picker = users["picker"]
    old = badge_login(client, picker.badge_code).json["token"]
    page = supervisor.get(f"/users/{picker.id}").text
    r = supervisor.post(f"/users/{picker.id}/pin", data={"pin": "97531", "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and r.location == f"/users/{picker.id}"
    assert client.get("/api/me", headers={"Authorization": f"Bearer {old}", "X-Device-Id": DEVICE}).status_code == 401
    assert badge_login(client, picker.badge_code, pin="97531").status_code == 200
    rows = table(supervisor.get(f"/users/{picker.id}").text, "audit-table")
    assert [(who, what) for _when, who, what, _d in rows] == [(users["supervisor"].username, "PIN reset")]


def test_a_supervisor_lists_floor_workers_but_not_staff(supervisor, users):
    page = supervisor.get("/users").text
    assert f'id="user-{users["picker"].id}"' in page
    assert f'id="user-{users["admin"].id}"' not in page
    assert supervisor.get(f"/users/{users['admin'].id}").status_code == 403


def test_unlock_without_csrf_token_is_refused(supervisor, users, client):
    _locked_out(client, users["picker"].badge_code)
    assert supervisor.post(f"/users/{users['picker'].id}/unlock").status_code == 400
    assert badge_login(client, users["picker"].badge_code).status_code == 429


def test_the_unlock_entry_says_how_many_locks_in_words(app, client, users):
    """The audit keeps the number; the page words it (one lock, not "1 lock(s)")."""
    from server.auth import services
    from server.auth.queries import user_by_id
    from server.http import run_in_transaction
    from tests.supervisor.web import login

    picker, boss = users["picker"], users["supervisor"]
    run_in_transaction(lambda: services.audit(boss.id, user_by_id(picker.id), "unlock", "1"))
    run_in_transaction(lambda: services.audit(boss.id, user_by_id(picker.id), "unlock", "3"))
    login(client, boss.username)
    page = client.get(f"/users/{picker.id}").get_data(as_text=True)
    assert "1 lock lifted" in page and "3 locks lifted" in page and "lock(s)" not in page
