"""gunicorn settings for `make run` and production: several sync workers over one database."""

import multiprocessing
import os

bind = os.environ.get("SHIPFLOOR_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("SHIPFLOOR_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("SHIPFLOOR_THREADS", "1"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("SHIPFLOOR_ACCESS_LOG", "-") or None  # "" turns the access log off
certfile = os.environ.get("SHIPFLOOR_CERT") or None
keyfile = os.environ.get("SHIPFLOOR_KEY") or None


def on_starting(server):
    # Create SECRET_KEY once, in the master, before any worker starts (DESIGN decision 11).
    if not os.environ.get("SECRET_KEY"):
        from server.config import ensure_secret_key
        ensure_secret_key()
