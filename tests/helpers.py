"""Plain helpers for tests: a client that sends a bearer token, problem+json checks, a cheap hash."""

from __future__ import annotations

import uuid

# Users and tokens are made by tests/factories.py; imported here for the tests that know them from here.
from tests.factories import make_token, make_user  # noqa: F401


class ApiClient:
    """Flask test client that adds a bearer token (and an Idempotency-Key on writes, like the handheld)."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def headers(self, extra=None, *, write=False, key=None):
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if write:
            h["Idempotency-Key"] = key or uuid.uuid4().hex
        h.update(extra or {})
        return h

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, *, key=None, **kw):
        return self.client.post(path, json=json, headers=self.headers(kw.pop("headers", None), write=True,
                                                                      key=key), **kw)

    def put(self, path, json=None, *, key=None, **kw):
        return self.client.put(path, json=json, headers=self.headers(kw.pop("headers", None), write=True,
                                                                     key=key), **kw)

    def scan(self, code: str):
        return self.client.post("/api/scan", json={"code": code}, headers=self.headers())


PROBLEM_KEYS = ("type", "title", "status", "code", "detail")


def assert_problem(r, status: int, code: str | None = None, *, field: str | None = None) -> dict:
    """Assert `r` is a problem+json answer with that status (and code, and field) and return its body."""
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:500])
    assert r.mimetype == "application/problem+json", r.content_type
    body = r.get_json(force=True)
    for key in PROBLEM_KEYS:
        assert body.get(key) not in (None, ""), f"problem without {key}: {body}"
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def cheap_hash_secret(secret: str) -> str:
    """A fast stand-in for server.auth.passwords.hash_secret, for tests that are not about hashing.

    scrypt costs ~80 ms a hash; the `users` fixture makes ten. Patch it with
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret).
    """
    from werkzeug.security import generate_password_hash
    return generate_password_hash(secret, method="pbkdf2:sha256:1000")
