"""The desktop pack station (/pack/): a page for packers and supervisors at 1366x768 with a keyboard-wedge
scanner and scale. No data is rendered here: the page signs in through the API (name and password, like any
API client) and drives the packing and shipping APIs from static/pack_station.js, showing what they answer.

Its own blueprint, outside the supervisor pages' staff-only gate: packers are not supervisors."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from ..inventory.codes import LocationKind
from ..inventory.locations import search_locations

bp = Blueprint("pack_station", __name__, url_prefix="/pack", template_folder="templates")


@bp.get("/")
def station():
    """Show the pack station: sign in, scan a tote or order, scan every unit, close packages, ship."""
    stations, _total = search_locations(None, limit=200, offset=0, kind=LocationKind.PACK_STATION)
    try:
        locale = str(get_locale() or "en").replace("_", "-")
    except (AttributeError, KeyError, RuntimeError):  # Babel not initialised on this app
        locale = "en"
    response = make_response(render_template("supervisor/pack/station.html", stations=[loc.code for loc in stations],
                                             locale=locale, words=words()))
    response.headers["Cache-Control"] = "no-store"
    return response


def words() -> dict[str, str]:
    """What the page says in its own words ({name} placeholders filled in by the page)."""
    return {
        "scan_order": _("Scan a tote, cart slot or order"),
        "scan_items": _("Scan each item of order {order} into package {package}"),
        "scan_item_first": _("Tote {tote} holds several orders: scan an item from it"),
        "all_packed": _("Every unit is packed: close the open package"),
        "ready": _("Packed: choose the carrier service, or scan the carrier's tracking numbers, then ship"),
        "packed_n": _("Packed {qty} × {sku} into package {package}"),
        "closed": _("Package {package} closed: {weight} g"),
        "shipped": _("Shipped with {carrier}: {tracking}. Labels sent to the printer."),
        "sent_back": _("Order {order} sent back: {reason}"),
        "weight_needed": _("Type the weight or put the package on the scale"),
        "reason_needed": _("Say why"),
        "signed_in": _("Signed in as {name} at {station}"),
        "no_quotes": _("No rate card serves this address: scan the carrier's tracking numbers"),
        "meets": _("on time"),
        "late": _("misses the promise"),
        "suggested": _("suggested"),
        "offline": _("No connection to the server: try again"),
    }
