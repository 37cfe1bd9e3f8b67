"""Configuration from the environment; nothing secret lives in code."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("SHIPFLOOR_INSTANCE", ROOT / "instance"))


def ensure_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the kept secret key, creating it once, atomically, when missing.

    Several gunicorn workers may start together: the key is written to a temp file and
    hard-linked into place, so exactly one value wins and every worker reads that one.
    """
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        tmp = instance_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process won the race: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'shipfloor.db'}"


class Config:
    """Settings read from the environment when the app is created."""

    def __init__(self, env: dict | None = None) -> None:
        env = os.environ if env is None else env
        self.SQLALCHEMY_DATABASE_URI = normalise_db_url(env.get("DATABASE_URL") or default_database_url())
        self.SECRET_KEY = env.get("SECRET_KEY") or ensure_secret_key()
        self.WAREHOUSE_TIMEZONE = env.get("SHIPFLOOR_TIMEZONE", "UTC")
        # Ship-by deadlines (server/orders/ship_by.py): business days of handling, daily cut-off, ISO holiday dates.
        self.HANDLING_DAYS = env.get("SHIPFLOOR_HANDLING_DAYS", "2")
        self.ORDER_CUTOFF = env.get("SHIPFLOOR_CUTOFF", "14:00")
        self.HOLIDAYS = env.get("SHIPFLOOR_HOLIDAYS", "")
        # Pick batches (server/picking/batching.py): orders a batch, and whether a built batch is released at once.
        self.PICK_BATCH_SIZE = int(env.get("SHIPFLOOR_PICK_BATCH_SIZE", "8"))
        self.PICK_RELEASE = env.get("SHIPFLOOR_PICK_RELEASE", "manual")  # manual (a supervisor) or auto
        # Cycle counts (server/counts, docs/counts-api.md): days between counts per ABC class; tolerance per class
        # (pct of expected or qty, whichever is larger, and a value cap in cents); seconds one bin takes.
        self.COUNT_FREQUENCY_DAYS = {"A": 30, "B": 90, "C": 365}
        self.COUNT_TOLERANCE = {"A": {"pct": 0.0, "qty": 0, "value_cents": 0},
                                "B": {"pct": 0.02, "qty": 0, "value_cents": 2000},
                                "C": {"pct": 0.05, "qty": 1, "value_cents": 5000}}
        self.COUNT_SECONDS_PER_BIN = int(env.get("SHIPFLOOR_COUNT_SECONDS_PER_BIN", "90"))
        # ABC classes are recomputed by `flask jobs worker` once they are this many hours old (counts/schedule.py).
        self.COUNT_CLASSIFY_HOURS = float(env.get("SHIPFLOOR_COUNT_CLASSIFY_HOURS", "24"))
        # Shipping (server/shipping, docs/shipping.md): an order ships when its label is created or when its
        # packages are scanned at the dock; SSCC company prefix; the rate-card folder; the ship-from address (JSON).
        self.SHIP_ON = env.get("SHIPFLOOR_SHIP_ON", "label")  # label | dock
        self.GS1_PREFIX = env.get("SHIPFLOOR_GS1_PREFIX", "0614141")
        self.RATECARDS = env.get("SHIPFLOOR_RATECARDS", str(ROOT / "server" / "shipping" / "ratecards"))
        self.SHIP_FROM = env.get("SHIPFLOOR_SHIP_FROM", "")  # empty: the demo warehouse's address
        self.EASYPOST_API_KEY = env.get("SHIPFLOOR_EASYPOST_API_KEY") or None  # the optional carrier API
        # Extra characters that wedge scanners send instead of the GS1 group separator (0x1D).
        self.SCAN_GS_SUBSTITUTES = tuple(env.get("SHIPFLOOR_GS_SUBSTITUTES", "|").split())
        self.SHIFT_HOURS = float(env.get("SHIPFLOOR_SHIFT_HOURS", "10"))
        # The day's forecast (server/dashboard/forecast.py): the floor's shift (local HH:MM), and the rates it uses
        # until today has measured enough (near bench/late_shipments.py's times: ~85 units a picker-hour with
        # ship-by batches; 60 s an order + 10 s a further unit at the pack bench is ~50 orders a packer-hour).
        self.SHIFT_START = env.get("SHIPFLOOR_SHIFT_START", "08:00")
        self.SHIFT_END = env.get("SHIPFLOOR_SHIFT_END", "16:30")
        self.FORECAST_PICK_UNITS_PER_HOUR = float(env.get("SHIPFLOOR_FORECAST_PICK_UNITS_PER_HOUR", "80"))
        self.FORECAST_PACK_ORDERS_PER_HOUR = float(env.get("SHIPFLOOR_FORECAST_PACK_ORDERS_PER_HOUR", "50"))
        # Pictures for POST /api/decode (server/decode): the largest upload, the most pixels (read from the header,
        # before anything is decoded) and the seconds the decoder's child process may take before it is replaced.
        self.DECODE_MAX_BYTES = int(env.get("SHIPFLOOR_DECODE_MAX_BYTES", str(15 * 1024 * 1024)))
        self.DECODE_MAX_PIXELS = int(env.get("SHIPFLOOR_DECODE_MAX_PIXELS", "40000000"))
        self.DECODE_TIMEOUT_S = float(env.get("SHIPFLOOR_DECODE_TIMEOUT_S", "10"))
        self.SQLITE_SYNCHRONOUS = env.get("SHIPFLOOR_SQLITE_SYNCHRONOUS", "FULL")
        # A network database may drop idle connections: ping before use. A SQLite file cannot.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")}
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # A supervisor session slides for 12 hours of use; over HTTPS the cookie never travels in clear.
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=float(env.get("SHIPFLOOR_SESSION_HOURS", "12")))
        self.SESSION_COOKIE_SECURE = bool(env.get("SHIPFLOOR_CERT")) or env.get("SHIPFLOOR_PROXIES", "0") != "0"
        self.BABEL_DEFAULT_LOCALE = env.get("SHIPFLOOR_LOCALE", "en")
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "server" / "translations")
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        # Background jobs (server/jobs): Huey's queue in a SQLite file, or Redis to share it between machines.
        self.JOBS_QUEUE_FILE = env.get("SHIPFLOOR_JOBS_QUEUE_FILE", str(INSTANCE_DIR / "jobs-queue.db"))
        self.JOBS_REDIS_URL = env.get("SHIPFLOOR_REDIS_URL") or None
        self.JOBS_IMMEDIATE = False
        self.TESTING = False


def normalise_db_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
