"""Every bad upload to POST /api/decode is a clear 4xx problem (issue 11, acceptance), and the server stays up.

Through the test client for the exact answers (and how much of a too-large body is read), then against the
real server (gunicorn, as `make run` starts it) to see that none of them harms it.
"""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.decode.test_api import EAN13, encoded, ean13_png
from tests.helpers import PROBLEM_KEYS, assert_problem, make_token, make_user
from tests.inventory.live import Gunicorn

rollback = pytest.mark.rollback  # the client tests write nothing: the database only checks the token
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MB = 1024 * 1024


def png_bomb(side: int = 20000) -> bytes:
    """A valid side x side black grayscale PNG of a few hundred KB (400 MB once decoded), built without ever
    holding the pixels: the zlib stream is one compressed block of zero rows, repeated.

    A block ended with a full flush starts from an empty history, so the same input compresses to the same
    bytes every time; the checksum of n zero bytes is adler32 = (n mod 65521) << 16 | 1."""
    rows_per_block = 100
    compressor = zlib.compressobj(9)
    zero_rows = bytes((side + 1) * rows_per_block)  # each row: filter byte 0, then `side` black pixels
    first = compressor.compress(zero_rows) + compressor.flush(zlib.Z_FULL_FLUSH)
    header, block = first[:2], first[2:]
    n = side * (side + 1)
    stream = header + block * (side // rows_per_block) + b"\x03\x00" + struct.pack(">I", (n % 65521) << 16 | 1)
    return png_file(side, side, stream)


def png_file(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def bad_crc_png() -> bytes:
    good = ean13_png()
    at = good.index(b"IDAT") + 4 + struct.unpack(">I", good[good.index(b"IDAT") - 4:good.index(b"IDAT")])[0]
    return good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1:]


def truncated_jpeg() -> bytes:
    noise = np.random.default_rng(11).integers(0, 255, (600, 800), dtype=np.uint8)
    whole = encoded(Image.fromarray(noise), "JPEG", quality=90)
    return whole[:len(whole) // 2]


def gif() -> bytes:
    return encoded(Image.new("L", (64, 64), 200), "GIF")


# name → (the upload: the `image` part's bytes, or None for no such part; status; code)
BAD_UPLOADS = {
    "an empty file": (lambda: b"", 422, "no_image"),
    "no image field": (lambda: None, 422, "no_image"),
    "a truncated JPEG": (truncated_jpeg, 422, "bad_image"),
    "a PNG with a bad CRC": (bad_crc_png, 422, "bad_image"),
    "a PDF": (lambda: PDF, 415, "unsupported_image"),
    "a GIF": (gif, 415, "unsupported_image"),
    "text": (lambda: b"0109506000134352\n", 415, "unsupported_image"),
    "a 20000x20000 PNG bomb": (png_bomb, 422, "too_many_pixels"),
}


def multipart(image: bytes | None) -> dict:
    return {"image": (io.BytesIO(image), "upload.bin")} if image is not None else {"note": "no picture"}


@rollback
@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_a_bad_upload_is_a_clear_problem(api, name):
    make, status, code = BAD_UPLOADS[name]
    r = api("picker").client.post("/api/decode", data=multipart(make()), headers=api("picker").headers(),
                                  content_type="multipart/form-data")
    body = assert_problem(r, status, code)
    assert len(body["detail"].split()) >= 6 and "Traceback" not in body["detail"], body


@rollback
def test_a_request_with_no_body_at_all_is_no_image(api):
    r = api("picker").client.post("/api/decode", headers=api("picker").headers())
    assert_problem(r, 422, "no_image")


@rollback
def test_unsupported_names_the_two_accepted_types(api):
    r = api("picker").client.post("/api/decode", data=multipart(PDF), headers=api("picker").headers(),
                                  content_type="multipart/form-data")
    detail = assert_problem(r, 415, "unsupported_image")["detail"]
    assert "PNG" in detail and "JPEG" in detail


@rollback
def test_a_picture_over_the_pixel_limit_says_its_size(api, app, monkeypatch):
    monkeypatch.setitem(app.config, "DECODE_MAX_PIXELS", 1_000_000)
    big = encoded(Image.new("L", (1250, 1000), 230))  # 1.25 MP: over 1 MP, far under Pillow's own limits
    r = api("picker").client.post("/api/decode", data=multipart(big), headers=api("picker").headers(),
                                  content_type="multipart/form-data")
    assert "1250x1000" in assert_problem(r, 422, "too_many_pixels")["detail"]


@rollback
def test_a_picture_just_over_the_byte_limit_is_too_large(api, app, monkeypatch):
    data = ean13_png()
    monkeypatch.setitem(app.config, "DECODE_MAX_BYTES", len(data) - 1)
    r = api("picker").client.post("/api/decode", data=multipart(data), headers=api("picker").headers(),
                                  content_type="multipart/form-data")
    assert_problem(r, 413, "too_large")
    monkeypatch.setitem(app.config, "DECODE_MAX_BYTES", len(data))
    r = api("picker").client.post("/api/decode", data=multipart(data), headers=api("picker").headers(),
                                  content_type="multipart/form-data")
    assert r.status_code == 200 and [b["text"] for b in r.json["barcodes"]] == [EAN13]


class HugeUpload(io.RawIOBase):
    """A multipart body with a `size`-byte JPEG-looking part, made up as it is read; counts what was read."""

    BOUNDARY = "decode-test-boundary"

    def __init__(self, size: int):
        self.head = (f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\n'
                     "Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff").encode("latin-1")
        self.tail = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client asks the length this way
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = offset if whence == io.SEEK_SET else self.length + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        start = self.position
        end = min(start + len(buffer), self.length)
        chunk = bytearray(end - start)  # the picture's bytes are zeros; lay the framing over them
        for part, offset in ((self.head, 0), (self.tail, self.length - len(self.tail))):
            lo, hi = max(start, offset), min(end, offset + len(part))
            if lo < hi:
                chunk[lo - start:hi - start] = part[lo - offset:hi - offset]
        memoryview(buffer).cast("B")[:len(chunk)] = chunk
        self.position = end
        return len(chunk)


@rollback
@pytest.mark.parametrize("framing", ["Content-Length", "chunked"])
def test_a_50_mb_upload_is_refused_without_being_read(api, framing):
    upload = HugeUpload(50 * MB)
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True} if framing == "chunked" else {}
    r = api("picker").client.post("/api/decode", input_stream=upload, headers=api("picker").headers(),
                                  content_type=f"multipart/form-data; boundary={HugeUpload.BOUNDARY}",
                                  environ_overrides=chunked)
    body = assert_problem(r, 413, "too_large")
    assert "15 MB" in body["detail"]
    # Refused from Content-Length without a byte read; a chunked body is read up to the cap at most.
    assert upload.position <= (0 if framing == "Content-Length" else 16 * MB), upload.position


@rollback
def test_no_login_is_401(api, client):
    r = client.post("/api/decode", data=multipart(ean13_png()), content_type="multipart/form-data")
    assert_problem(r, 401, "unauthorized")
    r = client.post("/api/decode", data=multipart(ean13_png()), content_type="multipart/form-data",
                    headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.mimetype == "application/problem+json"


# --- the real server ------------------------------------------------------------------------------------------

def test_the_server_stays_up_after_every_bad_upload(backend, app, database_url, tmp_path):
    if backend == "postgresql":
        pytest.skip("refused before any database work but the token check: SQLite covers the server")
    from server.http import run_in_transaction
    token = make_token(run_in_transaction(lambda: make_user("picker")))
    server = Gunicorn(database_url, tmp_path, workers=1, threads=2).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as http:
            def post(files=None, **kw):
                return http.post("/api/decode", files=files, **kw)

            uploads = [(name, make(), status, code) for name, (make, status, code) in BAD_UPLOADS.items()]
            uploads.append(("50 MB", b"\xff\xd8\xff" + bytes(50 * MB), 413, "too_large"))
            for name, data, status, code in uploads:
                r = post(files={"image": ("upload.bin", data)} if data is not None else {"note": (None, "x")})
                assert r.status_code == status, (name, r.status_code, r.text[:300])
                assert r.headers["content-type"] == "application/problem+json", (name, r.headers)
                problem = r.json()
                assert problem["code"] == code and all(problem.get(k) for k in PROBLEM_KEYS), (name, problem)

            upload = HugeUpload(50 * MB)  # chunked, no Content-Length: its size shows only as it is read
            r = post(content=iter(lambda: upload.read(MB), b""),
                     headers={"Content-Type": f"multipart/form-data; boundary={HugeUpload.BOUNDARY}"})
            assert r.status_code == 413 and r.json()["code"] == "too_large", r.text[:300]

            r = post(files={"image": ("label.png", ean13_png())})
            assert r.status_code == 200, r.text[:300]
            assert [b["text"] for b in r.json()["barcodes"]] == [EAN13]
            assert http.get("/healthz").status_code == 200
        assert server.proc.poll() is None
        assert "Worker exiting" not in server.log() and "WORKER TIMEOUT" not in server.log(), server.log()
    finally:
        server.stop()
