"""Getting a job's bytes to a printer: raw TCP (a Zebra's port 9100) or a CUPS raw queue.

Raw TCP: connect (3 s), send everything, shut our side down so the printer knows the job is complete,
close. The raw port serves one connection at a time, so we never hold it open.
CUPS: `lp -d QUEUE -o raw` with the bytes on stdin (the `lp` command from cups-client; pycups would need
the CUPS headers to build, and lp is what every CUPS host has). SHIPFLOOR_LP names another lp binary.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

CONNECT_TIMEOUT = 3.0
SEND_TIMEOUT = 10.0
LP_TIMEOUT = 15.0


class PrinterUnreachable(Exception):
    """The job did not reach the printer: nothing was printed, so it can be sent again safely."""


class DeliveryUncertain(Exception):
    """The connection broke while the job was being sent: part of it may have reached the printer."""


def send_tcp(host: str, port: int, payload: bytes, *, connect_timeout: float = CONNECT_TIMEOUT) -> None:
    try:
        conn = socket.create_connection((host, port), timeout=connect_timeout)
    except OSError as e:  # refused, no route, timeout: not one byte went out
        raise PrinterUnreachable(f"{host}:{port}: {e.strerror or e}") from e
    try:
        conn.settimeout(SEND_TIMEOUT)
        conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
    except OSError as e:
        raise DeliveryUncertain(f"{host}:{port}: {e.strerror or e}") from e
    finally:
        conn.close()


def lp_command() -> str | None:
    return os.environ.get("SHIPFLOOR_LP") or shutil.which("lp")


def send_cups(queue: str, payload: bytes, *, title: str | None = None) -> None:
    lp = lp_command()
    if lp is None:
        raise PrinterUnreachable("CUPS: the lp command is not installed (apt install cups-client)")
    command = [lp, "-d", queue, "-o", "raw"] + (["-t", title] if title else [])
    try:
        done = subprocess.run(command, input=payload, capture_output=True, timeout=LP_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise DeliveryUncertain(f"CUPS {queue}: lp did not answer in {LP_TIMEOUT:.0f} s") from e
    if done.returncode != 0:  # lp refused the job (unknown queue, scheduler down): CUPS has not taken it
        message = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        raise PrinterUnreachable(f"CUPS {queue}: {message or f'lp exited with {done.returncode}'}")
