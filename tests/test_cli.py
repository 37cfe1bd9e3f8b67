"""The operator commands of CONTRACT.md, run as the operator runs them: `flask --app wsgi ...` in a subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    """A new SQLite database upgraded by the real `flask db upgrade`, shared by this module's tests."""
    base = tmp_path_factory.mktemp("cli")
    db_file = base / "shipfloor.db"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "FLASK_APP")}
    env.update(DATABASE_URL=f"sqlite:///{db_file}", SHIPFLOOR_INSTANCE=str(base / "instance"),
               PYTHONDONTWRITEBYTECODE="1")
    result = _run(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return {"env": env, "url": f"sqlite:///{db_file}"}


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([FLASK, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def flask(cli_db, *args: str) -> subprocess.CompletedProcess:
    return _run(cli_db["env"], *args)


@contextlib.contextmanager
def in_app(url: str):
    """The app in this process on the CLI's database, as a test client would see it."""
    from server import create_app
    from server.extensions import db
    from server.testing import TestConfig

    app = create_app(TestConfig(url))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def find_user(url: str, username: str):
    from server.auth.models import User
    from server.extensions import db

    with in_app(url):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def test_db_upgrade_creates_every_table_at_the_head_revision(cli_db):
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from server.db import Base

    engine = sa.create_engine(cli_db["url"])
    try:
        assert set(Base.metadata.tables) <= set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    assert current == set(ScriptDirectory(str(ROOT / "migrations")).get_heads())


def test_user_add_with_password_creates_a_supervisor_who_can_sign_in(cli_db):
    r = flask(cli_db, "user", "add", "Sam", "--role", "supervisor", "--password", "floor-boss-9")
    assert r.returncode == 0, r.stderr
    assert "sam" in r.stdout

    user = find_user(cli_db["url"], "sam")
    assert user is not None
    assert user.role.value == "supervisor"
    assert user.badge_code is None and user.pin_hash is None
    assert user.password_hash != "floor-boss-9"
    assert check_password_hash(user.password_hash, "floor-boss-9")
    with in_app(cli_db["url"]) as app:
        login = app.test_client().post("/api/auth/login", json={"username": "SAM", "password": "floor-boss-9"})
    assert login.status_code == 200, login.json
    assert login.json["user"]["role"] == "supervisor"


def test_user_add_with_badge_and_pin_creates_a_floor_user_who_can_badge_in(cli_db):
    r = flask(cli_db, "user", "add", "Pia", "--role", "picker", "--badge", "BADGE-CLI-77", "--pin", "4321")
    assert r.returncode == 0, r.stderr

    user = find_user(cli_db["url"], "pia")
    assert user is not None
    assert user.role.value == "picker"
    assert user.badge_code == "BADGE-CLI-77"
    assert user.pin_hash != "4321" and check_password_hash(user.pin_hash, "4321")
    with in_app(cli_db["url"]) as app:
        login = app.test_client().post("/api/auth/badge-login",
                                       json={"badge": "BADGE-CLI-77", "pin": "4321", "device_id": "HH-CLI-0001"})
    assert login.status_code == 200, login.json


def test_user_add_refuses_an_unknown_role_and_creates_nobody(cli_db):
    r = flask(cli_db, "user", "add", "Bob", "--role", "boss", "--password", "whatever-123")
    assert r.returncode != 0
    assert "boss" in r.stderr
    assert find_user(cli_db["url"], "bob") is None


def test_user_add_refuses_a_pin_without_a_badge(cli_db):
    r = flask(cli_db, "user", "add", "Nobadge", "--role", "picker", "--pin", "1234")
    assert r.returncode != 0
    assert r.stderr.startswith("error:")
    assert find_user(cli_db["url"], "nobadge") is None


def test_token_create_prints_a_token_alone_on_the_last_line_that_authenticates(cli_db):
    added = flask(cli_db, "user", "add", "Tess", "--role", "admin", "--password", "admin-pass-1")
    assert added.returncode == 0, added.stderr

    r = flask(cli_db, "token", "create", "tess")
    assert r.returncode == 0, r.stderr
    token = r.stdout.rstrip("\n").splitlines()[-1]
    assert token and token == token.strip() and " " not in token

    with in_app(cli_db["url"]) as app:
        client = app.test_client()
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        other = client.get("/api/me", headers={"Authorization": f"Bearer {token}x"})
    assert me.status_code == 200, me.json
    assert me.json["user"]["username"] == "tess"
    assert me.json["user"]["role"] == "admin"
    assert other.status_code == 401


def test_token_create_for_an_unknown_user_fails(cli_db):
    r = flask(cli_db, "token", "create", "ghost")
    assert r.returncode != 0
    assert "ghost" in r.stderr
