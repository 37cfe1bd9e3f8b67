"""A throwaway PostgreSQL cluster on a loopback port (reference/ci-recipes.md §1).

The test command installs the server package; this module only runs it. Set TEST_DATABASE_ADMIN_URL
to use a server of your own instead (a superuser URL: databases are created and dropped there).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile

PASSWORD = "shipfloor-test"


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing: run the README's test command "
                           "(it installs the Debian package postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, host: str, port: int, admin_host: str):
        self.host, self.port, self.admin_host = host, port, admin_host

    def _admin(self):
        import psycopg
        return psycopg.connect(host=self.admin_host, port=self.port, user="postgres", dbname="postgres",
                               autocommit=True, password=PASSWORD)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://shipfloor:{PASSWORD}@{self.host}:{self.port}/{name}"

    def create_database(self, name: str, template: str | None = None) -> str:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            extra = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(f'CREATE DATABASE "{name}" OWNER shipfloor{extra}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_cluster(durable: bool = False):
    """Start a cluster (fsync off unless durable) and stop it afterwards."""
    bindir = _bindir()
    base = tempfile.mkdtemp(prefix="sf-pg-", dir="/tmp")
    as_pg: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        as_pg = ["runuser", "-u", "postgres", "--"]
    data, log, port = os.path.join(base, "data"), os.path.join(base, "server.log"), _free_port()
    pwfile = os.path.join(base, "pw")
    with open(pwfile, "w") as f:
        f.write(PASSWORD)
    if as_pg:
        os.chown(pwfile, pw.pw_uid, pw.pw_gid)

    def run(*cmd):
        subprocess.run(as_pg + list(cmd), cwd="/tmp", check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)

    run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
        "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "--no-sync")
    speed = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    run(f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "30", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200 {speed}", "start")
    pid = int(open(os.path.join(data, "postmaster.pid")).readline())
    try:
        cluster = Cluster("127.0.0.1", port, admin_host=base)
        with cluster._admin() as conn:
            conn.execute(f"CREATE ROLE shipfloor LOGIN CREATEDB PASSWORD '{PASSWORD}'")
        yield cluster
    finally:
        try:
            run(f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
        shutil.rmtree(base, ignore_errors=True)
