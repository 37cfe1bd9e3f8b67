"""Carrier adapters: one interface (rate, create_label, void, track) over the ways a package gets a label.

- LocalCarrier ("local"): our own local-delivery service; it issues its own tracking numbers (SFL + serial
  + check digit, server/shipping/tracking.py) from TrackingSequence("local").
- ExternalCarrier (ups, usps, fedex, dhl, amzl): the label comes from the carrier (their printer, their
  site); the packer scans or types its tracking number, which must pass that carrier's format and check digit.
- EasyPostCarrier ("easypost"): the optional carrier API, registered only when SHIPFLOOR_EASYPOST_API_KEY is
  set. A documented stub: it says it is not configured; nothing in Shipfloor needs it.

Rates of every adapter come from its rate card (server/shipping/rates.py, SHIPFLOOR_RATECARDS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _

from ...errors import DomainError, InvalidInput, NotFound
from ..rates import Rate, RateRequest, card_for, price_card
from ..sequences import next_serial
from ..tracking import InvalidTracking, local_tracking_number, validate_tracking


class UnknownCarrier(NotFound):
    code, title = "unknown_carrier", "Unknown carrier"


class CarrierNotConfigured(DomainError):
    status, code, title = 503, "carrier_not_configured", "Carrier not configured"


@dataclass(frozen=True)
class TrackingInfo:
    carrier: str
    tracking_number: str
    status: str          # what we know without asking the carrier: "unknown"
    url: str | None      # the carrier's public tracking page


class Carrier:
    """The adapter interface. `code` is what shipments store; `amazon_code` what a confirmation file says."""

    code = ""
    name = ""
    amazon_code = "Other"   # Amazon's carrier-code; "Other" adds carrier-name (amazon-fbm.md §2)
    issues_tracking = False  # True: create_label makes the numbers; False: the packer scans them
    tracking_url: str | None = None  # "{}" is replaced by the number

    def rate(self, request: RateRequest) -> list[Rate]:
        """Quotes for every service of this carrier's rate card that can take the packages."""
        card = card_for(self.code)
        return price_card(card, request) if card else []

    def create_label(self, shipment, packages: Sequence, *, tracking_numbers: Sequence[str] | None = None
                     ) -> list[str]:
        """One tracking number per package, in the packages' order."""
        raise NotImplementedError

    def void(self, shipment) -> None:
        """Tell the carrier the label will not be used (nothing to tell for ours and scanned ones)."""

    def track(self, tracking_number: str) -> TrackingInfo:
        url = self.tracking_url.format(tracking_number) if self.tracking_url else None
        return TrackingInfo(self.code, tracking_number, "unknown", url)


class LocalCarrier(Carrier):
    code, name, issues_tracking = "local", "Shipfloor Local Delivery", True

    def create_label(self, shipment, packages, *, tracking_numbers=None):
        if tracking_numbers:
            raise InvalidInput(_("The local delivery service issues its own tracking numbers: scan none."),
                               field="tracking_numbers", expected="no tracking numbers")
        return [local_tracking_number(next_serial("local")) for _package in packages]


class ExternalCarrier(Carrier):
    def __init__(self, code: str, name: str, amazon_code: str, tracking_url: str | None):
        self.code, self.name, self.amazon_code, self.tracking_url = code, name, amazon_code, tracking_url

    def create_label(self, shipment, packages, *, tracking_numbers=None):
        numbers = [t for t in (tracking_numbers or []) if t and t.strip()]
        if len(numbers) != len(packages):
            raise InvalidInput(_("Scan the %(carrier)s tracking number of each package: %(n)d expected, %(got)d "
                                 "given.", carrier=self.name, n=len(packages), got=len(numbers)),
                               field="tracking_numbers", expected=f"{len(packages)} tracking numbers")
        stored = []
        for number in numbers:
            try:
                stored.append(validate_tracking(self.code, number)[1])
            except InvalidTracking as err:
                err.field = "tracking_numbers"  # the body's field, for the packer's form
                raise
        if len(set(stored)) != len(stored):
            raise InvalidTracking(_("The same tracking number was given for two packages."),
                                  field="tracking_numbers", expected="one different number per package")
        return stored


class EasyPostCarrier(Carrier):
    """Placeholder for the EasyPost API (docs/shipping.md): registered with a key, refuses until built."""

    code, name, amazon_code = "easypost", "EasyPost", "Other"

    def _refuse(self):
        raise CarrierNotConfigured(_("The EasyPost adapter is not configured in this installation: ship with a "
                                     "configured carrier and scan its tracking number."))

    def rate(self, request):
        return []  # the rate shop compares the configured cards; never a network call

    def create_label(self, shipment, packages, *, tracking_numbers=None):
        self._refuse()

    def void(self, shipment):
        self._refuse()


_EXTERNAL = (
    ExternalCarrier("ups", "UPS", "UPS", "https://www.ups.com/track?tracknum={}"),
    ExternalCarrier("usps", "USPS", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
    ExternalCarrier("fedex", "FedEx", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
    ExternalCarrier("dhl", "DHL", "DHL", "https://www.dhl.com/en/express/tracking.html?AWB={}"),
    ExternalCarrier("amzl", "Amazon Logistics", "Other", None),  # not in the carrier-code list
)
_BUILT_IN: dict[str, Carrier] = {c.code: c for c in (LocalCarrier(), *_EXTERNAL)}


def carriers() -> list[Carrier]:
    """Every carrier this installation ships with, local first."""
    found = list(_BUILT_IN.values())
    if has_app_context() and current_app.config.get("EASYPOST_API_KEY"):
        found.append(EasyPostCarrier())
    return found


def get_carrier(code: str) -> Carrier:
    for carrier in carriers():
        if carrier.code == (code or "").strip().lower():
            return carrier
    raise UnknownCarrier(_("%(code)s is not a configured carrier.", code=code), field="carrier",
                         expected=", ".join(c.code for c in carriers()))
