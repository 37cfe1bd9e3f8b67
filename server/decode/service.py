"""Find the barcodes in an uploaded picture: checks here, the barcode libraries in a child process.

zxing-cpp and zbar are C/C++ libraries: one that aborts (zxing-cpp 3.1.1 does on some PDF417 images) or
never returns must take down a throwaway child, not the gunicorn worker. Each server process keeps one
child (a ProcessPoolExecutor of one worker) started on its first picture; a crash or a timeout answers
422 undecodable_image and the next picture gets a new child. The child comes from a forkserver, not a
fork of the threaded gunicorn worker (a fork copies locks other threads hold); the forkserver imports the
engine once, so a new child after a crash is a fork of it (milliseconds), not a fresh import of numpy,
OpenCV and zxing-cpp (about a second).

What the child costs (2 busy cores, medians of 15): handing a picture over and the answer back takes
0.8 ms at 640x480, 4 ms at 1600x1200 and 35-65 ms at 12 MP (pickled through a pipe), against 160-430 ms
for the decoding itself: about 2 % for a typical 2 MP photo, 10-15 % at 12 MP. The first picture of a
server process also starts the forkserver (about 1.8 s, once); a new child after a crash adds about 80 ms.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as DecodeTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np
from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..errors import DomainError
from ..scanning import gs1
from . import engine
from .uploads import load_upload

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
# EAN and UPC carry a bare GTIN, never GS1 element strings (an EAN-13 starting 10 is not a lot number).
_RETAIL = frozenset({"EAN-13", "EAN-8", "UPC-A", "UPC-E"})


class UndecodableImage(DomainError):
    status, code, title = 422, "undecodable_image", "Picture not readable"

    def __init__(self):
        super().__init__(_("This picture could not be read; take it again."), field="image")


def decode_upload(data: bytes) -> dict:
    """Find every barcode in an uploaded PNG or JPEG: its format, text, box and GS1 fields."""
    started = time.perf_counter()
    gray = load_upload(data)
    timeout = current_app.config["DECODE_TIMEOUT_S"] if has_app_context() else TIMEOUT_S
    barcodes = decoder.decode(gray, timeout=timeout, fault=_test_fault())
    return {"barcodes": [_barcode_out(b) for b in barcodes],
            "ms": round((time.perf_counter() - started) * 1000, 1)}


def _barcode_out(barcode: engine.Barcode) -> dict:
    return {"format": barcode.format, "text": barcode.text, "bbox": list(barcode.bbox), "gs1": gs1_fields(barcode)}


def gs1_fields(barcode: engine.Barcode) -> dict[str, str] | None:
    """The GS1 element strings a barcode carries, marked by its AIM id or just its content; else None.

    Unmarked content counts as GS1 when it parses completely with valid check digits (zbar gives no AIM
    id), except a GTIN-shaped number, which is a GTIN (CONTRACT.md, Scanning). A code that does not parse
    is simply not GS1: one odd barcode never fails the answer.
    """
    if barcode.format in _RETAIL:
        return None
    scan = gs1.parse_scan((barcode.aim or "") + barcode.text)
    if not scan.is_gs1_marked and gs1.looks_like_gtin(scan.payload):
        return None
    return gs1.try_gs1(scan.payload)


def _test_fault() -> str | None:
    """Under TESTING only: SHIPFLOOR_TEST_DECODER_FAULT=abort|hang|raise makes the child abort, hang or raise.

    Read here and handed to the child with the picture, so that it reaches a child started before the
    variable was set (the pool outlives a test)."""
    if has_app_context() and current_app.config.get("TESTING"):
        return os.environ.get("SHIPFLOOR_TEST_DECODER_FAULT") or None
    return None


def _decode_in_child(gray: np.ndarray, fault: str | None) -> list[engine.Barcode]:
    """What the child runs for one picture."""
    if fault == "abort":
        os.abort()  # what zxing-cpp's abort looks like from here: SIGABRT, no Python exception
    if fault == "hang":
        time.sleep(3600)
    if fault == "raise":
        raise RuntimeError("a test's decoder fault")
    return engine.decode_gray(gray)


def _exit_with_parent(lifeline: Connection) -> None:
    """In the child, first: exit when the server process is gone, even by kill -9 (its end of `lifeline`
    closes). A pool's worker would otherwise wait for work forever, and hold the forkserver up with it."""
    def wait():
        try:
            lifeline.recv_bytes()  # nothing is ever sent: this returns at end of file
        except (EOFError, OSError):
            pass
        os._exit(0)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


@dataclass
class _Child:
    pool: ProcessPoolExecutor  # of one worker: the child
    lifeline: Connection  # the server process's end of the child's lifeline

    def stop(self, *, kill: bool) -> None:
        if kill:  # Python 3.11 has no public way to kill a pool's workers (3.14 adds kill_workers())
            for process in list((self.pool._processes or {}).values()):
                process.kill()
        self.pool.shutdown(wait=not kill, cancel_futures=True)
        self.lifeline.close()


class ChildDecoder:
    """One child process that runs engine.decode_gray, replaced after a crash or a timeout.

    With several threads in a server process their pictures queue for the one child, and the time limit
    counts from submitting: one picture that hangs also fails those queued behind it (gunicorn runs one
    thread per worker by default, gunicorn.conf.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._pid = 0  # the process that started the child (a gunicorn worker forked later needs its own)

    def decode(self, gray: np.ndarray, *, timeout: float, fault: str | None = None) -> list[engine.Barcode]:
        """Run the decoder on `gray` in the child; UndecodableImage when the child dies or runs out of time."""
        child = self._current()
        try:
            try:
                future = child.pool.submit(_decode_in_child, gray, fault)
            except BrokenProcessPool:  # the child died between pictures (killed from outside): start another
                self._discard(child)
                child = self._current()
                future = child.pool.submit(_decode_in_child, gray, fault)
            return future.result(timeout=timeout)
        except DecodeTimeout:
            log.warning("decoder child ran past %.1f s on a %dx%d picture: replaced", timeout, *gray.shape[::-1])
        except BrokenProcessPool:
            log.warning("decoder child died on a %dx%d picture: replaced", *gray.shape[::-1])
        except Exception:  # a bug in the cascade, raised in the child: the child itself is fine, keep it
            log.exception("decoder failed on a %dx%d picture", *gray.shape[::-1])
            raise UndecodableImage() from None
        self._discard(child)
        raise UndecodableImage()

    def _current(self) -> _Child:
        with self._lock:
            if self._child is None or self._pid != os.getpid():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([__name__])  # this module, the engine and its libraries
                theirs, ours = context.Pipe(duplex=False)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_exit_with_parent,
                                           initargs=(theirs,))
                self._child, self._pid = _Child(pool, ours), os.getpid()
            return self._child

    def _discard(self, child: _Child) -> None:
        """Kill the child (it may be hanging) and forget it; the next picture starts a new one."""
        with self._lock:
            if self._child is child:
                self._child = None
        child.stop(kill=True)

    def close(self) -> None:
        """Stop the child (tests; a server process simply exits)."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.stop(kill=False)


decoder = ChildDecoder()
