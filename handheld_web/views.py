"""Page routes of the handheld shell. No data here: the pages call /api from the browser."""

import hashlib
import json
from pathlib import Path

from flask import current_app, make_response, render_template, url_for
from flask_babel import get_locale

from handheld_web import bp
from handheld_web.screens import page_endpoints, screens_out
from server.inventory.codes import CONTAINER_KINDS, PUTAWAY_OVERRIDE_REASONS, LocationKind
from server.receiving.services import RECEIVING_KINDS

_ROOT = Path(__file__).parent
_STATIC = _ROOT / "static"
# Static files the service worker keeps for offline starts (pages are added by endpoint below). "vendor" holds
# the camera's zxing-wasm decoder, so camera scanning reads codes with no network too.
_SHELL_STATIC = ("js", "css", "icons", "vendor")
_SHELL_PAGES = ("handheld.index", *page_endpoints(), "handheld.manifest")


def _no_cache(response):
    # The service worker decides what to keep; the HTTP cache must not hand it stale copies.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _shell_files() -> list[Path]:
    files = [p for d in _SHELL_STATIC for p in sorted((_STATIC / d).rglob("*")) if p.is_file()]
    return files + sorted(p for p in (_ROOT / "templates").rglob("*") if p.is_file())


def _shell_version() -> str:
    """Hash the shell's files so every deploy that changes them gets a fresh service-worker cache."""
    digest = hashlib.sha256()
    for path in _shell_files():
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@bp.context_processor
def _inject_locale():
    try:
        locale = str(get_locale() or "en")
    except (AttributeError, KeyError, RuntimeError):  # Babel not initialised on this app
        locale = "en"
    return {"locale": locale.replace("_", "-")}


@bp.get("/")
def index():
    """Show the app shell: badge login and the home screen, switched in the browser."""
    return _no_cache(make_response(render_template("handheld/index.html", page="index", screens=screens_out())))


@bp.get("/lookup")
def lookup():
    """Show the scan-anything lookup screen."""
    return _no_cache(make_response(render_template("handheld/lookup.html", page="lookup")))


def _task_page(page: str, **context):
    return _no_cache(make_response(render_template(f"handheld/{page}.html", page=page, **context)))


def _receiving_rules() -> dict:
    """Where goods may be received, as the server decides it, so the scan can refuse a bin at once."""
    return {
        "receiving_kinds": sorted(k.value for k in RECEIVING_KINDS),
        "container_kinds": sorted(k.value for k in CONTAINER_KINDS),
        "kind_labels": {k.value: str(k.label) for k in LocationKind},
    }


@bp.get("/receive")
def receive():
    """Show the receiving screen: receipt, dock, then item scans with quantities."""
    return _task_page("receive", rules=_receiving_rules())


@bp.get("/putaway")
def putaway():
    """Show the put-away screen: from the dock to the suggested bin."""
    return _task_page("putaway", putaway_reasons=PUTAWAY_OVERRIDE_REASONS)


@bp.get("/move")
def move():
    """Show the move screen: items between locations, or a whole tote or pallet."""
    return _task_page("move")


@bp.get("/pick")
def pick():
    """Show the pick screen: scan a cart, then each task of the batch along the walking route."""
    return _task_page("pick")


@bp.get("/pack")
def pack():
    """Show the pack screen: a tote or order, every unit into packages, box and weight, the carrier."""
    return _task_page("pack")


@bp.get("/load")
def load():
    """Show the dock's load screen: scan each package label as it goes on the truck."""
    return _task_page("load")


@bp.get("/count")
def count():
    """Show the blind count screen: the next bin to count, its items scanned, never the expected quantity."""
    return _task_page("count")


@bp.get("/returns")
def returns():
    """Show the returns screen: the return by label, order or tracking number, then each unit graded and disposed."""
    return _task_page("returns")


@bp.get("/manifest.webmanifest")
def manifest():
    """Describe the installable web app."""
    icons = [
        {
            "src": url_for("handheld.static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for size in (192, 512)
        for purpose in ("any", "maskable")
    ]
    body = {
        "name": "Shipfloor",
        "short_name": "Shipfloor",
        "start_url": url_for("handheld.index"),
        "scope": url_for("handheld.index"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b2e59",
        "icons": icons,
    }
    response = current_app.response_class(json.dumps(body), mimetype="application/manifest+json")
    return _no_cache(response)


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from /hh/ so that its scope covers every handheld page."""
    shell = [url_for(endpoint) for endpoint in _SHELL_PAGES] + [
        url_for("handheld.static", filename=p.relative_to(_STATIC).as_posix())
        for p in _shell_files()
        if _STATIC in p.parents
    ]
    body = render_template("handheld/sw.js", version=_shell_version(), shell=shell)
    response = make_response(body)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = url_for("handheld.index")
    return _no_cache(response)
