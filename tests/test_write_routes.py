"""Every /api write is declared one way (DESIGN decision 14, STYLE §11), and that way fixes the order:
role check (401 → 403) → Idempotency-Key + one transaction → input (422) → handler → output schema."""

from __future__ import annotations

import pytest
from apiflask import Schema
from apiflask.fields import String
from apiflask.validators import Length

from tests.helpers import ApiClient, assert_problem, make_token, make_user


def _bare_app():
    from server import create_app
    from server.testing import TestConfig
    return create_app(TestConfig("sqlite://"))  # never connects: only the URL map is read


def test_every_api_write_route_is_declared_through_write_or_action():
    from server.api import WRITE_METHODS, undeclared_write_routes

    app = _bare_app()
    writes = [(m, r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api")
              for m in r.methods & WRITE_METHODS]
    assert ("POST", "/api/moves") in writes and ("POST", "/api/auth/login") in writes and len(writes) > 20
    assert undeclared_write_routes(app) == []


def test_a_route_added_the_old_way_is_caught():
    from apiflask import APIBlueprint as PlainBlueprint

    from server.api import APIBlueprint, undeclared_write_routes
    from server.auth.guard import require_role
    from server.auth.models import Role
    from server.idempotency import idempotent

    app = _bare_app()
    old = PlainBlueprint("old_way", __name__, url_prefix="/api")

    @old.post("/old-write")
    @require_role(Role.SUPERVISOR)
    @idempotent
    def old_write():
        return {}

    @old.route("/old-delete/<int:n>", methods=["DELETE"])
    def old_delete(n):
        return {}

    new = APIBlueprint("new_way", __name__, url_prefix="/api")

    @new.write("/declared", roles=Role.SUPERVISOR, summary="declared")
    def declared():
        return {}

    # A declared view registered again the old way under another URL is not declared there.
    new.post("/declared-again")(declared)

    app.register_blueprint(old)
    app.register_blueprint(new)
    assert sorted(undeclared_write_routes(app)) == [
        "DELETE /api/old-delete/<int:n>", "POST /api/declared-again", "POST /api/old-write"]


def test_a_declaration_must_say_who_may_call_it_and_how_it_commits():
    from server.api import APIBlueprint
    from server.auth.models import Role

    bp = APIBlueprint("bad", __name__, url_prefix="/api")
    with pytest.raises(ValueError, match="roles"):
        bp.write("/nobody", summary="no roles")
    with pytest.raises(ValueError, match="roles"):
        bp.write("/both", roles=Role.ADMIN, public=True, transaction=False, summary="both")
    with pytest.raises(ValueError, match="transaction=False"):
        bp.write("/public", public=True, summary="a public write has no user to key idempotency on")
    with pytest.raises(ValueError, match="write method"):
        bp.write("/get", roles=Role.ADMIN, method="GET", summary="not a write")


# --- the declared order, on a throwaway route ------------------------------------------------------

class ZoneIn(Schema):
    code = String(required=True, validate=Length(1, 16))


class ZoneOut(Schema):
    code = String()


@pytest.fixture
def trial(database_url):
    """An app with one extra declared write: create a zone, refused (409) after flushing for code BUSY."""
    from flask import g

    from server import create_app
    from server.api import APIBlueprint
    from server.auth.models import Role
    from server.errors import DomainError
    from server.extensions import csrf, db
    from server.http import run_in_transaction
    from server.inventory import locations
    from server.testing import TestConfig

    app = create_app(TestConfig(database_url))
    bp = APIBlueprint("trial", __name__, url_prefix="/api")
    calls = []

    class Busy(DomainError):
        status, code, title = 409, "busy", "Busy"

    @bp.write("/trial-zones", roles=Role.SUPERVISOR, body=ZoneIn, out=ZoneOut, status=201, summary="Trial")
    def create_zone(body):
        calls.append(body["code"])
        zone = locations.get_or_create_zone(body["code"])
        db.session.flush()
        if body["code"] == "BUSY":
            raise Busy("refused after writing")
        return zone

    csrf.exempt(bp)  # as create_app does for every bearer-token API blueprint
    app.register_blueprint(bp)
    app.teardown_request(lambda _exc: g.__dict__.clear())
    with app.app_context():
        users = run_in_transaction(lambda: {r: make_user(r) for r in ("picker", "supervisor")})
        client = app.test_client()
        yield {"client": client, "calls": calls, "db": db,
               "as": lambda role: ApiClient(client, make_token(users[role]) if role else None)}
        db.session.remove()
        db.engine.dispose()


def _zones(db) -> list[str]:
    import sqlalchemy as sa

    from server.inventory.models import Zone
    db.session.rollback()
    return sorted(db.session.scalars(sa.select(Zone.code)))


def test_declared_write_checks_token_then_role_then_input_before_the_handler(trial):
    as_ = trial["as"]
    bad = {"code": ""}
    assert_problem(as_(None).post("/api/trial-zones", json=bad), 401, "unauthorized")
    assert_problem(as_("picker").post("/api/trial-zones", json=bad), 403, "forbidden")
    assert_problem(as_("supervisor").post("/api/trial-zones", json=bad), 422, "invalid_input", field="code")
    assert trial["calls"] == []


def test_declared_write_commits_once_serialises_through_its_schema_and_replays_by_key(trial):
    supervisor = trial["as"]("supervisor")
    first = supervisor.post("/api/trial-zones", json={"code": "Z1"}, key="k-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json == {"code": "Z1"}  # the model went through ZoneOut
    again = supervisor.post("/api/trial-zones", json={"code": "Z1"}, key="k-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert trial["calls"] == ["Z1"]
    assert _zones(trial["db"]) == ["Z1"]


def test_declared_write_rolls_back_a_refusal_and_keeps_the_answer_for_its_key(trial):
    supervisor = trial["as"]("supervisor")
    assert_problem(supervisor.post("/api/trial-zones", json={"code": "BUSY"}, key="k-2"), 409, "busy")
    replay = supervisor.post("/api/trial-zones", json={"code": "BUSY"}, key="k-2")
    assert_problem(replay, 409, "busy")
    assert trial["calls"] == ["BUSY"]
    assert _zones(trial["db"]) == []


def test_declared_writes_document_their_problem_responses(client):
    doc = client.get("/api/openapi.json").get_json(force=True)
    reverse = doc["paths"]["/api/movements/{move_id}/reverse"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(reverse)
    assert reverse["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/MoveOut")
    login = doc["paths"]["/api/auth/login"]["post"]["responses"]
    assert "403" not in login and "409" not in login and "422" in login
