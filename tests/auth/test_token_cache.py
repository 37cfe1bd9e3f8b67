"""The per-worker token cache: revocation in this worker is immediate, elsewhere bounded by the TTL.

A token read from the database is trusted for TOKEN_CACHE_SECONDS; logout, PIN or password change and
deactivation done through this worker drop it at once; a revocation written by another worker (here:
straight into the database) is seen once the entry is older than the TTL.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from tests.helpers import ApiClient, assert_problem, make_token


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand: clock.now += seconds."""
    from server.auth.token_cache import token_cache

    class Clock:
        now = 1000.0

        def __call__(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr(token_cache, "clock", fake)
    return fake


@pytest.fixture
def picker(client, users) -> ApiClient:
    return ApiClient(client, make_token(users["picker"]))


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _in_transaction(fn):
    from server.http import run_in_transaction
    return run_in_transaction(fn)


@pytest.mark.parametrize("change", ["reset_pin", "set_password", "deactivate_user"])
def test_credential_changes_in_this_worker_end_a_cached_device_token_at_once(client, db, users, clock, change):
    from server.auth import services
    from server.auth.models import User

    user = users["picker"]
    r = client.post("/api/auth/badge-login", json={"badge": user.badge_code, "pin": "1234",
                                                   "device_id": "HH-CACHE-01"})
    handheld = ApiClient(client, r.json["token"])
    headers = {"X-Device-Id": "HH-CACHE-01"}
    assert handheld.get("/api/me", headers=headers).status_code == 200  # cached from here on
    args = {"reset_pin": ("9753",), "set_password": ("a-new-password",), "deactivate_user": ()}[change]
    _in_transaction(lambda: getattr(services, change)(db.session.get(User, user.id), *args))
    assert_problem(handheld.get("/api/me", headers=headers), 401, "unauthorized")


def test_deactivation_ends_a_cached_api_token_at_once(db, users, picker, clock):
    from server.auth import services
    from server.auth.models import User

    assert picker.get("/api/me").status_code == 200
    _in_transaction(lambda: services.deactivate_user(db.session.get(User, users["picker"].id)))
    assert_problem(picker.get("/api/me"), 401, "unauthorized")


def test_logout_ends_the_cached_token_at_once(picker, clock):
    assert picker.get("/api/me").status_code == 200
    assert picker.client.post("/api/auth/logout", headers=picker.headers()).status_code == 204
    assert_problem(picker.get("/api/me"), 401, "unauthorized")


def test_a_revocation_by_another_worker_is_seen_within_the_cache_lifetime(db, picker, clock):
    from server.auth.models import ApiToken
    from server.auth.token_cache import TOKEN_CACHE_SECONDS
    from server.db import utcnow

    assert picker.get("/api/me").status_code == 200
    # Another worker process revokes the token: this worker's cache does not hear of it.
    _in_transaction(lambda: db.session.execute(sa.update(ApiToken).where(
        ApiToken.token_hash == _digest(picker.token)).values(revoked_at=utcnow())))
    clock.now += TOKEN_CACHE_SECONDS - 0.01
    assert picker.get("/api/me").status_code == 200  # the bound the README states: up to the TTL
    clock.now += 0.01
    assert_problem(picker.get("/api/me"), 401, "unauthorized")


def test_a_read_racing_a_revocation_cannot_put_the_old_token_back(db, picker, clock):
    """Another thread reads the token row after the revocation's UPDATE but before its commit."""
    from server.auth import services
    from server.auth.token_cache import token_cache

    assert picker.get("/api/me").status_code == 200
    cached = token_cache.get(_digest(picker.token))

    def revoke_while_another_thread_caches_the_old_row():
        services.revoke_token(picker.token)
        token_cache.put(_digest(picker.token), cached, generation=token_cache.generation())

    _in_transaction(revoke_while_another_thread_caches_the_old_row)
    assert_problem(picker.get("/api/me"), 401, "unauthorized")


def test_an_entry_read_before_a_revocation_is_not_stored_after_it(clock):
    from server.auth.token_cache import AuthUser, CachedToken, TokenCache

    cache = TokenCache(clock=clock)
    entry = CachedToken(user=AuthUser(id=7, username="ann", display_name="Ann", role="picker"), kind="api",
                        device_id=None, expires_at=None, read_at=clock())
    generation = cache.generation()  # the read starts ...
    cache.forget_user(7)             # ... a revocation lands meanwhile ...
    cache.put("d", entry, generation=generation)
    assert cache.get("d") is None    # ... so what was read is not trusted
    cache.put("d", entry, generation=cache.generation())
    assert cache.get("d") == entry


def test_the_cached_user_serves_role_checks_names_and_writes_in_later_transactions(app, db, users, picker,
                                                                                     clock):
    from server.scanning.models import ScanLog

    first = picker.get("/api/me").json["user"]
    again = picker.get("/api/me").json["user"]  # from the cache
    assert again == first == {"id": users["picker"].id, "name": users["picker"].display_name,
                              "username": users["picker"].username, "role": "picker"}
    assert_problem(picker.get("/api/users"), 403, "forbidden")
    assert picker.scan("NO-SUCH-CODE").status_code == 404  # writes its scan log with the cached user id
    assert picker.scan("NO-SUCH-CODE-2").status_code == 404
    logged = db.session.scalars(sa.select(ScanLog.user_id)).all()
    assert logged == [users["picker"].id] * 2


def test_a_role_change_with_forget_cached_tokens_applies_to_the_next_request(db, users, picker, clock):
    from server.auth import services
    from server.auth.models import Role, User

    assert_problem(picker.get("/api/users"), 403, "forbidden")  # cached as a picker

    def promote():
        db.session.get(User, users["picker"].id).role = Role.ADMIN
        services.forget_cached_tokens(users["picker"].id)

    _in_transaction(promote)
    assert picker.get("/api/users").status_code == 200
    assert picker.get("/api/me").json["user"]["role"] == "admin"
