"""Jobs tests: small thresholds, so that a dozen rows make a job of several chunks."""

from __future__ import annotations

import io

import pytest

from tests.helpers import cheap_hash_secret
from tests.supervisor.web import login

INLINE_ROWS, CHUNK_ROWS = 4, 3


@pytest.fixture(autouse=True)
def _small_jobs(monkeypatch):
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret)
    monkeypatch.setattr("server.csvio.INLINE_ROWS", INLINE_ROWS)
    monkeypatch.setattr("server.csvio.CHUNK_ROWS", CHUNK_ROWS)
    monkeypatch.setattr("server.csvio.CHUNK_SECONDS", 60)  # chunks end by rows here, not by time


def items_csv(n: int, *, bad: dict[int, str] | None = None, prefix: str = "J") -> str:
    """A header and n item rows (file lines 2..n+1); bad: {file line: a row that the schema refuses}."""
    lines = ["sku,name,weight_g"]
    for line in range(2, n + 2):
        lines.append((bad or {}).get(line) or f"{prefix}-{line:03d},Item {line},{line}")
    return "\n".join(lines) + "\n"


def post_file(api, path: str, text: str, role: str = "supervisor", key: str | None = None):
    return api(role).post(path, data={"file": (io.BytesIO(text.encode()), "big.csv")},
                          content_type="multipart/form-data", key=key)


@pytest.fixture
def supervisor(app, users):
    """A test client signed in to the supervisor pages as the supervisor."""
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    return client
