"""Run the real server (gunicorn, several workers and threads) in a subprocess for live tests.

gunicorn runs in its own process group so that a test can stop it cleanly (SIGTERM) or crash it
whole (SIGKILL to the group: master and workers at once).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GUNICORN = str(BIN / "gunicorn")
FLASK = str(BIN / "flask")
SECRET = "live-test-secret-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment an operator would give the app, and nothing of ours (no DATABASE_URL leaks)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "FLASK_APP") and not k.startswith("SHIPFLOOR_")}
    instance.mkdir(parents=True, exist_ok=True)
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, SHIPFLOOR_INSTANCE=str(instance),
               PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


class Gunicorn:
    """gunicorn -c gunicorn.conf.py wsgi:app on a loopback port, started in a new process group."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int = 4, threads: int = 4, **env: str):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.env = server_env(database_url, workdir / "instance", SHIPFLOOR_BIND=f"127.0.0.1:{self.port}",
                              SHIPFLOOR_WORKERS=str(workers), SHIPFLOOR_THREADS=str(threads),
                              SHIPFLOOR_ACCESS_LOG="/dev/null", **env)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> "Gunicorn":
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.wait_ready(timeout)
        return self

    @property
    def pgid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # start_new_session: the master leads its own group

    def wait_ready(self, timeout: float) -> None:
        """Poll /healthz until it answers 200 (a loaded 2-core machine may take a while to boot workers)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
            try:
                r = httpx.get(self.url + "/healthz", timeout=5)
                if r.status_code == 200 and r.json() == {"status": "ok"}:
                    return
                last = f"{r.status_code} {r.text[:200]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not ready after {timeout}s (last: {last}):\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def kill(self) -> None:
        """Crash it: SIGKILL the whole process group, master and workers together."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.proc.wait(30)
        # Workers are the master's children in the same group; make sure none is left.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def flask_cli(database_url: str, workdir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`flask --app wsgi ARGS` as an operator runs it, against that database."""
    return subprocess.run([FLASK, "--app", "wsgi", *args], cwd=ROOT, env=server_env(database_url, workdir / "instance"),
                          capture_output=True, text=True, timeout=timeout)


def is_problem(r: httpx.Response, status: int, code: str) -> bool:
    if r.status_code != status or not r.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    try:
        body = r.json()
    except ValueError:
        return False
    return body.get("code") == code and body.get("status") == status and bool(body.get("detail"))
