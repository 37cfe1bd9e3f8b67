"""A virtual ZPL label printer: a raw TCP server (like a Zebra on port 9100) that keeps what it gets.

Each connection's bytes are stored as one file in the spool folder, named by arrival time, so the
demo, the tests and the Printers page can read back exactly what a real printer would have printed.
It answers `~HS` as a Zebra does (three STX…ETX strings, zpl.md §6), with flags a test or a person can
set: `--status paper_out,paused` at start, or a file `status.json` in the spool folder
({"paper_out": true}) read at every `~HS`, so a running printer can run out of paper.
"""

from __future__ import annotations

import json
import re
import socket
import socketserver
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .status import HOST_STATUS, host_status_answer

FLAGS = ("paper_out", "paused", "head_open", "ribbon_out", "over_temperature")
STATUS_FILE = "status.json"
IDLE_SECONDS = 5.0  # a sender that stops sending without closing: its job ends here
_FORMAT = re.compile(rb"\^XA.*?\^XZ", re.DOTALL | re.IGNORECASE)


def spool_folder() -> Path:
    """Where `flask virtual-printer` stores what it receives unless told otherwise (the Printers page reads it)."""
    from flask import current_app

    return Path(current_app.instance_path) / "printer-spool"


def split_labels(data: bytes) -> list[bytes]:
    """The label formats (^XA … ^XZ) in a received stream, in order; anything between them is dropped."""
    return _FORMAT.findall(data)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        printer: VirtualPrinter = self.server  # type: ignore[assignment]
        chunks, pending = [], b""
        self.request.settimeout(IDLE_SECONDS)
        while True:
            try:
                data = self.request.recv(65536)
            except (TimeoutError, socket.timeout, ConnectionError):
                break
            if not data:
                break
            pending += data
            # ~HS is answered at once, wherever it comes in the stream (a Zebra handles ~ commands on arrival)
            while HOST_STATUS in pending.upper():
                at = pending.upper().index(HOST_STATUS)
                chunks.append(pending[:at])
                pending = pending[at + len(HOST_STATUS):]
                printer.status_asks += 1
                self.request.sendall(host_status_answer(**printer.current_flags()))
            keep = len(HOST_STATUS) - 1  # a ~HS split across two reads
            chunks.append(pending[:-keep] if len(pending) > keep else b"")
            pending = pending[-keep:] if len(pending) > keep else pending
        job = b"".join(chunks) + pending
        if job.strip():
            printer.store(job)


class VirtualPrinter(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, host: str, port: int, spool: Path, *, flags: dict | None = None):
        spool.mkdir(parents=True, exist_ok=True)
        self.spool = spool
        self.flags = dict(flags or {})  # tests change these while it runs
        self.status_asks = 0  # ~HS requests answered (tests count them)
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def current_flags(self) -> dict:
        flags = {name: bool(self.flags.get(name)) for name in FLAGS}
        try:
            from_file = json.loads((self.spool / STATUS_FILE).read_text())
        except (OSError, ValueError):
            from_file = {}
        flags.update({name: bool(from_file[name]) for name in FLAGS if name in from_file})
        return flags

    def store(self, job: bytes) -> None:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns()}.zpl"
        part = self.spool / f"{name}.part"  # readers see a whole job or none
        part.write_bytes(job)
        part.replace(self.spool / name)

    def received(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted(self.spool.glob("*.zpl"))]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """What it received once `count` jobs are in (a job is stored when its sender closes), or at the timeout:
        tests ask for one more than they expect, with a short timeout, to see that nothing else came."""
        deadline = time.monotonic() + timeout
        while len(jobs := self.received()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return jobs

    def received_labels(self) -> list[bytes]:
        return [label for job in self.received() for label in split_labels(job)]


@dataclass(frozen=True)
class ReceivedLabel:
    received_at: datetime
    file: str
    index: int  # its place in the job (a job may carry several labels)
    zpl: bytes


def read_spool(folder: Path, *, limit: int = 20) -> list[ReceivedLabel]:
    """The latest labels a virtual printer stored in this folder, newest first."""
    if not folder.is_dir():
        return []
    out: list[ReceivedLabel] = []
    for path in sorted(folder.glob("*.zpl"), reverse=True):
        at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        labels = split_labels(path.read_bytes())
        for index in range(len(labels) - 1, -1, -1):
            out.append(ReceivedLabel(at, path.name, index + 1, labels[index]))
            if len(out) >= limit:
                return out
    return out
