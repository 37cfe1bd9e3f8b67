"""A real TCP label printer on loopback (the virtual printer in a thread), a port nobody listens on, and printers
in the database pointing at them."""

from __future__ import annotations

import socket
import threading

import pytest

from server.printing.virtual_printer import VirtualPrinter


def start_virtual_printer(spool, port: int = 0) -> VirtualPrinter:
    printer = VirtualPrinter("127.0.0.1", port, spool)
    threading.Thread(target=printer.serve_forever, daemon=True).start()
    return printer


@pytest.fixture
def virtual_printer(tmp_path):
    printer = start_virtual_printer(tmp_path / "spool")
    yield printer
    printer.shutdown()
    printer.server_close()


def free_port() -> int:
    """A loopback port with nobody listening (a printer switched off): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_printer(name: str = "Zebra 1", *, port: int, dpi: int = 203, **kw):
    from server.printing import services
    return services.create_printer(name, host="127.0.0.1", port=port, dpi=dpi, **kw)


LABEL = "^XA^CI28^FO20,20^A0N,30,30^FH\\^FDOrder 1 — Ærø 東京^FS^XZ".encode()
