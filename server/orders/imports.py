"""Order imports (issue 8, item 2): Amazon's unshipped-orders report and generic CSV files with a saved
column mapping, through the one CSV import machinery (server/csvio.py: row checks by schema, a savepoint per
order, a background job in chunks of whole orders for large files).

Amazon's report (../shared/reference/amazon-fbm.md §1): tab-separated, one row per order item, read by
header name (unknown columns ignored), UTF-8 with or without a byte-order mark, else Windows-1252/Latin-1.
Rows are grouped by order-id; a continuation row (blank sku) is no line. quantity-to-ship is what to pick
(quantity-purchased when the report has no such cell); ship-by is latest-ship-date or promise-date (the
channel's deadline) when given, else computed from purchase-date by the warehouse calendar.

De-duplication is on (channel order id, line id): an order known already counts as a duplicate and is not
changed — except a line item it did not have, which is added while the order is still open (nothing
reserved or picked for it yet); once the order is further on, that row is reported as an error instead, so
work on the floor never changes under a picker's hands.

Cancellations from the channel are never applied silently: a row flagged cancelled (is-cancelled,
cancellation-requested, verge-of-cancellation), or an Amazon order still open, allocated or picking that was
bought before the report's newest purchase and is missing from it (the report lists every unshipped order),
is flagged for a supervisor's decision (services.decide_channel_cancel) and listed in `cancel_requests`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..csvio import TRUE, CsvImport, CsvRow, RowError, read_rows
from ..errors import DomainError, InvalidInput, NotFound
from ..extensions import db
from ..inventory.ledger import Actor
from .errors import UnknownSku
from .models import Order, OrderImportMapping, OrderStatus
from .schemas import MAPPING_REQUIRED, FileTime, row_schema
from .services import add_line, create_order, find_order, request_channel_cancel

AMAZON = "amazon"
CSV = "csv"

# Our field → the report's columns that may hold it, the first filled-in one wins (cancel: any true one).
AMAZON_COLUMNS: dict[str, tuple[str, ...]] = {
    "channel_order_id": ("order-id",), "channel_line_id": ("order-item-id",), "sku": ("sku",),
    "qty": ("quantity-to-ship", "quantity-purchased"), "product_name": ("product-name",),
    "ordered_at": ("purchase-date",), "ship_by": ("latest-ship-date", "promise-date"),
    "deliver_by": ("delivery-end-date",), "customer_name": ("buyer-name",), "customer_email": ("buyer-email",),
    "ship_to_name": ("recipient-name",), "address1": ("ship-address-1",), "address2": ("ship-address-2",),
    "address3": ("ship-address-3",), "city": ("ship-city",), "state": ("ship-state",),
    "postal_code": ("ship-postal-code",), "country": ("ship-country",),
    "phone": ("ship-phone-number", "buyer-phone-number"), "service_level": ("ship-service-level",),
    "cancel": ("is-cancelled", "cancellation-requested", "verge-of-cancellation"),
}
# What the import page lists: each field's usual report column, and those an order cannot do without.
AMAZON_DOCUMENTED = tuple(options[0] for options in AMAZON_COLUMNS.values())
AMAZON_REQUIRED = tuple(AMAZON_COLUMNS[field][0] for field in MAPPING_REQUIRED)
# Statuses in which a missing order is flagged: packed and later ones left the pick floor's hands.
FLAGGED_WHEN_MISSING = (OrderStatus.OPEN, OrderStatus.ALLOCATED, OrderStatus.PICKING)
ORDER_FIELDS = ("ordered_at", "ship_by", "deliver_by", "customer_name", "customer_email", "ship_to_name",
                "address1", "address2", "address3", "city", "state", "postal_code", "country", "phone",
                "service_level")
SHIP_TO = {"ship_to_name": "name", "address1": "address1", "address2": "address2", "address3": "address3",
           "city": "city", "state": "state", "postal_code": "postal_code", "country": "country", "phone": "phone"}


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8 (a byte-order mark dropped), else Windows-1252, else Latin-1 (never fails)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def is_amazon_report(text: str) -> bool:
    header = text.split("\n", 1)[0].lower()
    return "\t" in header and "order-id" in header.split("\t")


@dataclass(frozen=True)
class Layout:
    """How one file's columns hold our fields: candidates per field, and the column each field is read from
    (what a refused cell's reason names)."""

    candidates: dict[str, tuple[str, ...]]
    primary: dict[str, str]

    @classmethod
    def of(cls, params: dict, columns: set[str] | None = None) -> Layout:
        """The layout for the file's columns; without them, the one rows() chose for the file (params)."""
        if columns is None:
            columns = set(params.get("columns_read", ()))
        if params["format"] == AMAZON:
            candidates = AMAZON_COLUMNS
        else:
            candidates = {field: (header.strip().lower(),) for field, header in params["columns"].items()}
        primary = {field: next((c for c in options if c in columns), options[0])
                   for field, options in candidates.items()}
        return cls(candidates, primary)

    def column(self, field: str) -> str:
        return self.primary.get(field, field)

    def cells(self, row: dict[str, str]) -> dict[str, str]:
        """The row's cells for our fields, under each field's column name."""
        out = {}
        for field, options in self.candidates.items():
            filled = [row[c] for c in options if row.get(c)]
            if field == "cancel":
                filled = [v for v in filled if v.lower() in TRUE] or filled
            if filled:
                out[self.primary[field]] = filled[0]
        return out


class OrderImport(CsvImport):
    """The orders import: its columns come from the file's format (params) and its result counts orders
    imported, duplicates and updated ones, and lists the orders flagged for a cancel decision."""

    def rows(self, data, params):
        text = decode(data)
        parsed = list(read_rows(text))
        columns = {name for _line, cells in parsed for name in cells}
        layout = Layout.of(params, columns)
        # The saver and after() name and read each field's column as this file has it (a job: the same file).
        params["columns_read"] = sorted(set(layout.primary.values()) & columns)
        missing = [layout.column(f) for f in MAPPING_REQUIRED if not set(layout.candidates.get(f, ())) & columns]
        if parsed and missing:
            raise RowError(_("The file lacks the column(s): %(cols)s.", cols=", ".join(missing)))
        groups: dict[object, list[tuple[int, dict]]] = {}
        key = layout.column("channel_order_id")
        for line, row in parsed:
            cells = layout.cells(row)
            groups.setdefault(cells.get(key) or ("line", line), []).append((line, cells))
        return row_schema(tuple(sorted(layout.primary.items()))), list(groups.values())

    def empty(self) -> dict:
        return {"imported": 0, "duplicates": 0, "updated": 0, "errors": []}

    def after(self, params, groups, result):
        return {**result, "cancel_requests": flag_cancellations(params, groups)}


def _actor(params: dict) -> Actor:
    return Actor(**params.get("actor", {"user_id": None}))


def _order_saver(params: dict):
    layout = Layout.of(params)
    channel, actor = params["channel"], _actor(params)

    def save(rows: list[CsvRow]) -> str:
        lines = [row for row in rows if row.values["sku"]]  # a blank-sku row continues the order: no line
        order = find_order(channel, rows[0].values["channel_order_id"])
        if order is not None:
            return _known_order(order, lines, actor)
        lines = _lines_to_ship(lines, layout)
        data = {"channel": channel, "channel_order_id": rows[0].values["channel_order_id"],
                "lines": [_line(row) for row in lines], "ship_to": {}}
        for field in ORDER_FIELDS:  # the first row that fills it in
            value = next((row.values[field] for row in rows if row.values[field] is not None), None)
            if value is None and field in MAPPING_REQUIRED:
                raise RowError(_("%(col)s is empty.", col=layout.column(field)), line=lines[0].line)
            if field in SHIP_TO:
                data["ship_to"][SHIP_TO[field]] = value
            else:
                data[field] = value
        try:
            create_order(data, actor=actor, source="import")
        except UnknownSku as e:
            raise RowError(e.detail, line=lines[e.line_index].line) from None
        return "imported"

    return save


def _lines_to_ship(lines: list[CsvRow], layout: Layout) -> list[CsvRow]:
    """The order's rows with something to ship (quantity-to-ship 0: shipped already); RowError otherwise."""
    seen = set()
    for row in lines:
        if row.values["qty"] is None:
            raise RowError(_("%(col)s is empty.", col=layout.column("qty")), line=row.line)
        line_id = row.values["channel_line_id"]
        if line_id and line_id in seen:
            raise RowError(_("%(col)s %(id)s appears twice in the order.", col=layout.column("channel_line_id"),
                             id=line_id), line=row.line)
        seen.add(line_id)
    to_ship = [row for row in lines if row.values["qty"] > 0]
    if not to_ship:  # reported on the order's first line
        raise RowError(_("The order has no line with a SKU and a quantity to ship."))
    return to_ship


def _line(row: CsvRow) -> dict:
    return {"sku": row.values["sku"], "qty": row.values["qty"], "channel_line_id": row.values["channel_line_id"],
            "product_name": row.values["product_name"]}


def _known_order(order: Order, lines: list[CsvRow], actor: Actor) -> str:
    """A duplicate: nothing changes, but for line items the order did not have (added while it is open)."""
    known = {line.channel_line_id for line in order.lines}
    new = [row for row in lines if row.values["channel_line_id"] and row.values["channel_line_id"] not in known
           and (row.values["qty"] or 0) > 0]
    for index, row in enumerate(new):
        try:
            add_line(order, _line(row), actor=actor, index=index)
        except DomainError as e:
            raise RowError(e.detail, line=row.line) from None
    return "updated" if new else "duplicates"


def flag_cancellations(params: dict, groups: list[list[tuple[int, dict]]]) -> list[dict]:
    """Flag the orders the channel says are cancelled, for a supervisor's decision; what was flagged now."""
    layout, channel, actor = Layout.of(params), params["channel"], _actor(params)
    id_column, flag_column = layout.column("channel_order_id"), layout.column("cancel")
    flagged, in_file = [], set()
    for group in groups:
        order_id = group[0][1].get(id_column)
        if not order_id:
            continue
        in_file.add(order_id)
        cancel_line = next((line for line, cells in group if cells.get(flag_column, "").lower() in TRUE), None)
        order = find_order(channel, order_id) if cancel_line else None
        note = _("The channel's file flags it as cancelled (line %(n)d).", n=cancel_line or 0)
        if order is not None and request_channel_cancel(order, note=note, actor=actor):
            flagged.append({"id": order.id, "channel_order_id": order.channel_order_id, "note": note})
    if params["format"] == AMAZON and in_file:
        flagged += _flag_missing(channel, in_file, _newest_purchase(groups, layout), actor)
    return flagged


def _newest_purchase(groups, layout: Layout):
    column, reader, newest = layout.column("ordered_at"), FileTime(), None
    for group in groups:
        for _line, cells in group:
            try:
                moment = reader.deserialize(cells[column]) if cells.get(column) else None
            except ValidationError:
                continue
            if moment is not None and (newest is None or moment > newest):
                newest = moment
    return newest


def _flag_missing(channel: str, in_file: set[str], newest, actor: Actor) -> list[dict]:
    """Orders of the channel still on the pick floor, bought before the report's newest purchase, that the
    full unshipped report no longer lists: the channel cancelled them (or shipped them elsewhere)."""
    if newest is None:
        return []
    candidates = db.session.scalars(sa.select(Order).where(
        Order.channel == channel, Order.status.in_(FLAGGED_WHEN_MISSING), Order.ordered_at < newest,
        Order.channel_cancel_requested_at.is_(None)).order_by(Order.id)).all()
    note = _("Missing from the unshipped-orders report with purchases up to %(at)s.",
             at=newest.strftime("%Y-%m-%d %H:%M UTC"))
    flagged = []
    for order in candidates:
        if order.channel_order_id not in in_file and request_channel_cancel(order, note=note, actor=actor):
            flagged.append({"id": order.id, "channel_order_id": order.channel_order_id, "note": note})
    return flagged


ORDERS_IMPORT = OrderImport("import_orders", lambda: None, _order_saver)


# --- the upload's parameters and the saved mappings ----------------------------------------------------------

def upload_params(data: bytes, *, format: str | None, mapping: str | None, actor: Actor) -> dict:
    """What the import of this upload needs besides the file (a job keeps it): its format, channel and, for a
    CSV file, the saved mapping's columns as they are now. 422 when a CSV file names no known mapping."""
    who = {"user_id": actor.user_id, "device_id": actor.device_id}
    if format is None:
        format = CSV if mapping else (AMAZON if is_amazon_report(decode(data[:4096])) else None)
    if format == AMAZON:
        return {"format": AMAZON, "channel": AMAZON, "actor": who}
    if not mapping:
        raise InvalidInput(_("This is no Amazon unshipped-orders report: choose a saved column mapping for a CSV "
                             "file."), field="mapping")
    saved = get_mapping(mapping)
    return {"format": CSV, "channel": saved.channel, "columns": dict(saved.columns), "actor": who}


def get_mapping(name: str) -> OrderImportMapping:
    found = db.session.scalar(sa.select(OrderImportMapping).where(OrderImportMapping.name == name))
    if found is None:
        raise NotFound(_("No saved column mapping %(name)s.", name=name), field="mapping")
    return found


def list_mappings() -> list[OrderImportMapping]:
    return list(db.session.scalars(sa.select(OrderImportMapping).order_by(OrderImportMapping.name)))


def save_mapping(name: str, *, channel: str, columns: dict[str, str], actor: Actor | None) -> OrderImportMapping:
    """Create or replace the mapping `name` (our field → the file's column header); our required fields must
    each name a column."""
    if not 0 < len(name) <= 64 or name != name.strip():
        raise InvalidInput(_("A mapping's name has 1 to 64 characters, without spaces around."), field="name")
    columns = {field: header.strip() for field, header in columns.items() if header and header.strip()}
    missing = [field for field in MAPPING_REQUIRED if field not in columns]
    if missing:
        raise InvalidInput(_("Name the file's column for: %(fields)s.", fields=", ".join(missing)), field="columns")
    headers = [header.lower() for header in columns.values()]
    twice = sorted({header for header in headers if headers.count(header) > 1})
    if twice:
        raise InvalidInput(_("Each column feeds one field: %(cols)s is named twice.", cols=", ".join(twice)),
                           field="columns")
    mapping = db.session.scalar(sa.select(OrderImportMapping).where(OrderImportMapping.name == name))
    if mapping is None:
        mapping = OrderImportMapping(name=name)
        db.session.add(mapping)
    mapping.channel, mapping.columns = channel.strip().lower(), columns
    mapping.updated_by = actor.user_id if actor else None
    db.session.flush()
    return mapping


def mapping_out(mapping: OrderImportMapping) -> dict:
    return {"name": mapping.name, "channel": mapping.channel, "columns": mapping.columns,
            "updated_at": mapping.updated_at}
