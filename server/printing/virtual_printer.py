"""A virtual ZPL label printer: a raw TCP server (like a Zebra on port 9100) that keeps what it gets.

Each connection's bytes are stored as one file in the spool folder, named by arrival time, so the
demo and the tests can read back exactly what a real printer would have printed.
"""

from __future__ import annotations

import socketserver
import time
from pathlib import Path


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        chunks = []
        self.request.settimeout(5)
        while True:
            try:
                data = self.request.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            chunks.append(data)
        if chunks:
            spool: Path = self.server.spool  # type: ignore[attr-defined]
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}.zpl"
            (spool / name).write_bytes(b"".join(chunks))


class VirtualPrinter(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, host: str, port: int, spool: Path):
        spool.mkdir(parents=True, exist_ok=True)
        self.spool = spool
        super().__init__((host, port), _Handler)

    def received(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted(self.spool.glob("*.zpl"))]
