"""Migrations: `flask db upgrade` builds the schema the models describe, on SQLite and PostgreSQL.

The conftest template is built with Flask-Migrate's `upgrade`; every `app` here runs on a clone of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")
FLASK = str(Path(sys.executable).with_name("flask"))


def _schema_diff(engine) -> list:
    """What autogenerate would write for the live database against the models (empty: they agree)."""
    from server.db import Base

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(ctx, Base.metadata)


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _model_tables() -> set[str]:
    from server.db import Base
    return set(Base.metadata.tables)


def test_migrated_database_matches_the_models(db, backend):
    """Autogenerate finds nothing to add, drop or alter after `upgrade head`."""
    assert _model_tables() <= _tables(db.engine)
    assert _schema_diff(db.engine) == []


def test_downgrade_to_base_then_upgrade_to_head_rebuilds_the_schema(app, db, backend):
    from flask_migrate import downgrade, upgrade

    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="base")
    db.engine.dispose()
    assert _tables(db.engine) - {"alembic_version"} == set()

    upgrade(directory=MIGRATIONS)
    db.engine.dispose()
    assert _model_tables() <= _tables(db.engine)
    assert _schema_diff(db.engine) == []
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    assert current == set(ScriptDirectory(MIGRATIONS).get_heads())


def _cli_env(tmp_path: Path, db_file: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "FLASK_APP")}
    env.update(DATABASE_URL=f"sqlite:///{db_file}", SHIPFLOOR_INSTANCE=str(tmp_path / "instance"),
               PYTHONDONTWRITEBYTECODE="1")
    return env


def test_flask_db_upgrade_cli_creates_tables_and_one_secret_key(tmp_path):
    """The operator's command on a new SQLite file: schema at head; the secret key is made once and kept."""
    db_file = tmp_path / "fresh.db"
    env = _cli_env(tmp_path, db_file)
    key_file = tmp_path / "instance" / "secret_key"

    first = subprocess.run([FLASK, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        assert _model_tables() <= _tables(engine)
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()
    assert key_file.is_file()
    key = key_file.read_text().strip()
    assert len(key) >= 32
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only

    second = subprocess.run([FLASK, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert key_file.read_text().strip() == key
    assert [p.name for p in key_file.parent.iterdir() if p.name.startswith(".secret_key")] == []


@pytest.mark.parametrize("url, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_spellings_use_psycopg3(url, expected):
    from server.config import normalise_db_url
    assert normalise_db_url(url) == expected
