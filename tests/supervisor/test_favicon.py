"""The site icon: browsers ask every site for /favicon.ico, signed in or not."""

from __future__ import annotations

from pathlib import Path

HANDHELD_ICON = Path(__file__).resolve().parents[2] / "handheld_web" / "static" / "icons" / "icon-192.png"


def test_favicon_answers_with_the_app_icon_without_a_sign_in(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.mimetype == "image/png"
    assert r.data == HANDHELD_ICON.read_bytes()
    assert r.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "max-age" in r.headers.get("Cache-Control", "")


def test_supervisor_pages_name_the_icon(client):
    page = client.get("/login").text
    assert '<link rel="icon" href="/favicon.ico" type="image/png">' in page
