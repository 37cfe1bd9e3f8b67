"""Who may call what: every /api route, found in the URL map (never hand-picked), against every credential.

CONTRACT.md: bearer token on every /api call but the public ones; 401 → 403 → 422 → 404 → 409.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest

from tests.helpers import assert_problem, make_token, make_user

# The only /api routes anyone may call without a token.
PUBLIC = {"/api/openapi.json", "/api/auth/badge-login", "/api/auth/login"}
ROLES = ["picker", "packer", "receiver", "supervisor", "admin"]  # admin last: it may deactivate user 1


def api_routes(app) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) for every protected /api route, from the app's URL map."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.rule in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, rule.endpoint))
    return sorted(out, key=lambda r: (r[1], r[0]))


def _collection_app():
    from server import create_app
    from server.testing import TestConfig
    return create_app(TestConfig("sqlite://"))  # never connects: only the URL map is read


_APP = _collection_app()
ROUTES = api_routes(_APP)
ROLE_ROUTES = [r for r in ROUTES if getattr(_APP.view_functions[r[2]], "allowed_roles", None) is not None]
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def url_for_rule(rule: str) -> str:
    """A concrete URL: 1 for int parameters, x for any other."""
    return _PARAM.sub(lambda m: "1" if m[1] == "int" else "x", rule)


def route_id(route) -> str:
    return f"{route[0]} {route[1]}"


def call(client, method: str, rule: str, headers: dict):
    kwargs = {} if method == "GET" else {"json": {}}
    return client.open(url_for_rule(rule), method=method, headers=headers, **kwargs)


@pytest.fixture
def users(app):
    """One user per role, after a bystander who is user 1: the target of `/api/users/1/...` calls."""
    from server.http import run_in_transaction

    def create():
        bystander = make_user("picker", username="bystander")
        assert bystander.id == 1, "URL parameter 1 must name the bystander"
        return {role: make_user(role) for role in ROLES}

    return run_in_transaction(create)


def fresh_tokens(users) -> dict[str, str]:
    """A new API token per role, in one transaction (a route may be logout, which revokes it)."""
    from server.auth import services
    from server.auth.models import TokenKind
    from server.extensions import db
    from server.http import run_in_transaction

    return run_in_transaction(lambda: {
        role: services.issue_token(db.session.merge(user), kind=TokenKind.API, name="matrix")[0]
        for role, user in users.items()})


@pytest.fixture
def bad_credentials(users):
    """Authorization headers that must all be refused; the tokens belong to an admin, allowed everywhere."""
    from server.auth import services
    from server.auth.models import TokenKind
    from server.extensions import db
    from server.http import run_in_transaction

    def issue_revoked_and_expired():
        admin = db.session.merge(users["admin"])
        revoked, _row = services.issue_token(admin, kind=TokenKind.API, name="revoked")
        services.revoke_token(revoked)
        expired, _row = services.issue_token(admin, kind=TokenKind.API, name="expired",
                                             lifetime=timedelta(seconds=-1))
        return revoked, expired

    revoked, expired = run_in_transaction(issue_revoked_and_expired)
    return {
        "no token": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": "Basic YWRtaW46cGFzc3dvcmQxMjM="},
        "no scheme": {"Authorization": make_token(users["admin"])},
        "unknown token": {"Authorization": f"Bearer sf_{secrets.token_urlsafe(32)}"},
        "revoked token": {"Authorization": f"Bearer {revoked}"},
        "expired token": {"Authorization": f"Bearer {expired}"},
    }


def _problem_failure(r, status: int, code: str) -> str | None:
    try:
        assert_problem(r, status, code)
    except AssertionError as e:
        return str(e) or f"{r.status_code} {r.get_data(as_text=True)[:200]}"
    return None


def test_route_list_comes_from_the_live_url_map(app):
    """The collected routes are the app's, and they include the endpoints CONTRACT.md names."""
    assert api_routes(app) == ROUTES
    listed = {(m, r) for m, r, _e in ROUTES}
    assert {("POST", "/api/scan"), ("GET", "/api/items"), ("GET", "/api/locations"),
            ("POST", "/api/items"), ("POST", "/api/locations"), ("GET", "/api/users")} <= listed
    assert not PUBLIC & {r for _m, r, _e in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_protected_route_declares_who_may_call_it(route):
    """Every protected route goes through require_role, so the matrices below cover it."""
    view = _APP.view_functions[route[2]]
    assert getattr(view, "allowed_roles", None), f"{route_id(route)} has no require_role"


def test_every_protected_route_answers_401_problem_without_valid_credentials(client, bad_credentials):
    """Routes × (no token, malformed header, unknown, revoked, expired token): all 401 problem+json.

    One test walks the whole matrix (a fresh database per cell would be slow) and reports every failing cell.
    """
    failures = []
    for method, rule, _endpoint in ROUTES:
        for label, headers in bad_credentials.items():
            r = call(client, method, rule, headers)
            problem = _problem_failure(r, 401, "unauthorized")
            if problem is None and label == "no token" and not r.headers.get("WWW-Authenticate", "").startswith(
                    "Bearer"):
                problem = "no WWW-Authenticate: Bearer challenge"
            if problem:
                failures.append(f"{method} {rule} [{label}]: {problem}")
    assert failures == []


def test_every_role_outside_a_route_roles_gets_403_and_inside_gets_through(client, users):
    """Routes × roles: outside `allowed_roles` → 403 problem; inside → neither 401 nor 403 (422/404 are fine)."""
    from server.auth.models import Role

    failures = []
    for method, rule, endpoint in ROLE_ROUTES:
        allowed = _APP.view_functions[endpoint].allowed_roles
        if Role.ADMIN not in allowed:
            failures.append(f"{method} {rule}: admins may do everything, but not this")
        tokens = fresh_tokens(users)
        for role in ROLES:
            r = call(client, method, rule, {"Authorization": f"Bearer {tokens[role]}"})
            cell = f"{method} {rule} [{role}]"
            if Role(role) in allowed:
                if r.status_code in (401, 403) or r.status_code >= 500:
                    failures.append(f"{cell}: allowed but got {r.status_code} {r.get_data(as_text=True)[:200]}")
            else:
                problem = _problem_failure(r, 403, "forbidden")
                if problem:
                    failures.append(f"{cell}: {problem}")
    assert failures == []


def _valid_item():
    return {"sku": "NEW-1", "name": "New thing"}


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/items", _valid_item()),
    ("POST", "/api/locations", {"code": "B-09-9"}),
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "mallory", "role": "admin", "password": "sneaky-pass-1"}),
], ids=["create item", "create location", "list users", "create user"])
def test_picker_is_refused_supervisor_and_admin_endpoints_even_with_a_valid_body(api, db, method, path, body):
    from server.auth.models import User
    from server.catalog.models import Item
    from server.inventory.models import Location

    counts = lambda: [db.session.query(m).count() for m in (Item, Location, User)]  # noqa: E731
    before = counts()
    picker = api("picker")
    r = picker.client.open(path, method=method, json=body, headers=picker.headers(write=method != "GET"))
    body_ = assert_problem(r, 403, "forbidden")
    assert "picker" in body_["detail"]
    db.session.rollback()
    assert counts() == before


def test_picker_cannot_reset_their_own_pin_through_the_admin_api(api, users):
    picker = api("picker")
    r = picker.post(f"/api/users/{users['picker'].id}/pin", json={"pin": "9999"})
    assert_problem(r, 403, "forbidden")


# --- order of checks: 401 → 403 → 422 → 404 ----------------------------------------------------------

INVALID_ITEM = {"name": "No SKU", "weight_g": -1}


def test_missing_token_beats_invalid_body(client):
    assert_problem(client.post("/api/items", json=INVALID_ITEM), 401, "unauthorized")


def test_wrong_role_beats_invalid_body(api):
    assert_problem(api("picker").post("/api/items", json=INVALID_ITEM), 403, "forbidden")


def test_invalid_body_from_an_allowed_role_is_422_naming_the_fields(api):
    body = assert_problem(api("supervisor").post("/api/items", json=INVALID_ITEM), 422, "invalid_input")
    assert body["field"] in ("sku", "weight_g")
    assert {e["field"] for e in body["errors"]} == {"sku", "weight_g"}


def test_invalid_body_beats_unknown_target(api):
    supervisor = api("supervisor")
    assert_problem(supervisor.post("/api/locations", json={"code": "", "parent": "NOWHERE"}), 422,
                   "invalid_input", field="code")
    assert_problem(supervisor.post("/api/locations", json={"code": "B-01-1", "parent": "NOWHERE"}), 404,
                   field="parent")


def test_invalid_body_beats_unknown_user_on_admin_routes(api, users):
    admin = api("admin")
    missing = max(u.id for u in users.values()) + 1000
    assert_problem(admin.post(f"/api/users/{missing}/pin", json={"pin": "1"}), 422, "invalid_input",
                   field="pin")
    assert_problem(admin.post(f"/api/users/{missing}/pin", json={"pin": "4321"}), 404, field="user_id")


def test_supervisor_may_create_what_a_picker_may_not(api):
    r = api("supervisor").post("/api/items", json=_valid_item())
    assert r.status_code == 201, r.json
    assert r.json["sku"] == _valid_item()["sku"]
