"""Items and barcodes: creation, lookup by any code, search, CSV import."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from ..csvio import CsvImport, CsvRow, RowError
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..gtin import expand_upc_e, gs1_check_digit, looks_like_gtin, normalize_gtin
from .models import BarcodeKind, Item, ItemBarcode
from .schemas import MAX_BARCODES, ItemIn, split_barcode_spec

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-+]{0,63}$")
FNSKU_PATTERN = re.compile(r"^X0[0-9A-Z]{8}$")


def sku_key(sku: str) -> str:
    return sku.strip().upper()


def classify_barcode(code: str) -> tuple[str, BarcodeKind]:
    """Normalise a barcode for storage and tell its kind; GTIN-shaped codes need a valid check digit."""
    code = code.strip()
    if not code:
        raise InvalidInput(_("A barcode cannot be empty."), field="barcodes")
    if looks_like_gtin(code):
        gtin = normalize_gtin(code)
        if gtin is None:
            raise InvalidInput(_("%(code)s looks like a GTIN but its check digit is wrong.", code=code),
                               field="barcodes", expected=f"check digit {gs1_check_digit(code[:-1])}")
        return gtin, BarcodeKind.GTIN
    upper = code.upper()
    if FNSKU_PATTERN.match(upper):
        return upper, BarcodeKind.FNSKU
    if len(upper) > 64:
        raise InvalidInput(_("A barcode has at most 64 characters."), field="barcodes")
    return upper, BarcodeKind.INTERNAL


def add_barcodes(item: Item, specs: Iterable[str]) -> None:
    """Attach barcodes, each `CODE` or `CODE*N` (a case-pack code standing for N units).

    One query looks every code up and one flush writes them (a long list once took a request past the
    server's timeout, a query and a flush per code). A code the item has already, with the same units, is
    kept; another item's code, or more than MAX_BARCODES on the item, is refused.
    """
    wanted: dict[str, tuple[str, BarcodeKind, int]] = {}  # normalised code → (as given, kind, units)
    for spec in specs:
        try:
            code, units = split_barcode_spec(spec)
        except ValueError as err:
            raise InvalidInput(str(err), field="barcodes") from None
        normalised, kind = classify_barcode(code)
        if normalised in wanted and wanted[normalised][2] != units:
            raise InvalidInput(_("Barcode %(code)s is given twice, for different case packs.", code=code),
                               field="barcodes")
        wanted[normalised] = (code, BarcodeKind.CASE if units > 1 else kind, units)
    if not wanted:
        return
    owners = {b.code: b for b in db.session.scalars(sa.select(ItemBarcode).where(ItemBarcode.code.in_(wanted)))}
    new = []
    for normalised, (code, kind, units) in wanted.items():
        owner = owners.get(normalised)
        if owner is None:
            new.append(ItemBarcode(code=normalised, kind=kind, units=units))
        elif owner.item_id != item.id or owner.units != units:
            raise InvalidInput(_("Barcode %(code)s belongs to another item already.", code=code),
                               field="barcodes")
    if len(item.barcodes) + len(new) > MAX_BARCODES:
        raise InvalidInput(_("An item has at most %(max)d barcodes.", max=MAX_BARCODES), field="barcodes")
    item.barcodes.extend(new)
    db.session.flush()


def create_item(sku: str, name: str, *, barcodes: list[str] | tuple = (), **attrs) -> Item:
    """Create an item with its barcodes (each `CODE` or `CODE*N` for a case pack of N)."""
    sku = sku.strip()
    if not SKU_PATTERN.match(sku):
        raise InvalidInput(_("A SKU is 1 to 64 letters, digits or . _ / - +, starting with a letter or digit."),
                           field="sku")
    if not name.strip():
        raise InvalidInput(_("An item needs a name."), field="name")
    if db.session.scalar(sa.select(Item.id).where(Item.sku_key == sku_key(sku))):
        raise InvalidInput(_("SKU %(sku)s exists already.", sku=sku), field="sku")
    item = Item(sku=sku, sku_key=sku_key(sku), name=name.strip(), **attrs)
    db.session.add(item)
    db.session.flush()
    add_barcodes(item, barcodes)
    return item


def find_item_by_code(code: str) -> tuple[Item, int] | None:
    """Find an active item by SKU or any barcode; return it with the units one scan stands for.

    An 8-digit code that is no known GTIN-8 may be a UPC-E sent unexpanded (CONTRACT.md, Scanning):
    its UPC-A is tried next, then the SKU.
    """
    code = code.strip()
    gtin = normalize_gtin(code) if looks_like_gtin(code) else None
    upc_e = expand_upc_e(code)
    params = {"barcode": gtin or code.upper(), "upc_a": upc_e.zfill(14) if upc_e else None, "sku": code.upper()}
    row = db.session.execute(_item_by_code_statement(bool(upc_e)), params).first()
    return (row[0], row[1]) if row is not None else None


@functools.cache
def _item_by_code_statement(with_upc_e: bool):
    # One query: a barcode match (with the units it stands for) wins over a UPC-E's UPC-A, then the SKU.
    # Built once: every scan-driven write looks its item up this way.
    def by_barcode(param: str, rank: int):
        return sa.select(ItemBarcode.item_id.label("item_id"), ItemBarcode.units.label("units"),
                         sa.literal(rank).label("rank")).where(ItemBarcode.code == sa.bindparam(param))
    hits = sa.union_all(
        by_barcode("barcode", 0), *([by_barcode("upc_a", 1)] if with_upc_e else []),
        sa.select(Item.id, sa.literal(1), sa.literal(2)).where(Item.sku_key == sa.bindparam("sku")),
    ).subquery()
    return sa.select(Item, hits.c.units).join(hits, Item.id == hits.c.item_id).where(Item.active) \
        .order_by(hits.c.rank).limit(1)


def get_item(code: str, *, field: str = "item") -> Item:
    found = find_item_by_code(code)
    if found is None:
        raise NotFound(_("No item has the SKU or barcode %(code)s.", code=code), field=field)
    return found[0]


def search_items(q: str | None, *, limit: int, offset: int, include_inactive: bool = False):
    """Page through items whose SKU, name or barcode contains q."""
    stmt = sa.select(Item)
    if not include_inactive:
        stmt = stmt.where(Item.active)
    if q:
        like = f"%{q.strip().upper()}%"
        by_code = sa.select(ItemBarcode.item_id).where(ItemBarcode.code.like(like))
        stmt = stmt.where(sa.or_(Item.sku_key.like(like), sa.func.upper(Item.name).like(like),
                                 Item.id.in_(by_code)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Item.sku_key).limit(limit).offset(offset)).all()
    return items, total


def deactivate_item(item: Item) -> None:
    """Items are never deleted: moves and orders refer to them."""
    item.active = False


ITEM_COLUMNS = {"sku", "name"}
# Zones belong to inventory, which depends on the catalogue: the import reads them by table, not by model.
_ZONES = sa.table("zones", sa.column("id"), sa.column("code"))


def _item_saver(_params: dict):
    """Create or update items from a go-live CSV: each row is the API's ItemIn plus a home_zone code; an update
    changes the cells given."""
    zones = {code.upper(): zone_id for zone_id, code in db.session.execute(sa.select(_ZONES.c.id, _ZONES.c.code))}

    def save(rows: list[CsvRow]) -> str:
        row = rows[0]
        attrs = dict(row.values)
        sku, name, codes = attrs.pop("sku"), attrs.pop("name"), attrs.pop("barcodes")
        given = set(row.given)
        zone_code = row.extra["home_zone"].upper()
        if zone_code:
            if zone_code not in zones:
                raise RowError(_("home_zone: no zone is called %(z)s.", z=_shown(zone_code)))
            attrs["home_zone_id"] = zones[zone_code]
            given.add("home_zone_id")
        existing = db.session.scalar(sa.select(Item).where(Item.sku_key == sku_key(sku)))
        if existing is None:
            create_item(sku, name, barcodes=codes, **attrs)
            return "created"
        existing.name = name.strip()
        for key, value in attrs.items():
            if key in given:
                setattr(existing, key, value)
        add_barcodes(existing, codes)
        return "updated"

    return save


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted back in a row error, cut short: a row error never echoes a huge cell."""
    return value if len(value) <= limit else value[:limit] + "…"


ITEMS_IMPORT = CsvImport("import_items", ItemIn, _item_saver, required=frozenset(ITEM_COLUMNS), extra=("home_zone",))


def import_items_csv(data: bytes | str) -> dict:
    """Create or update items from a go-live CSV (ITEMS_IMPORT) in the caller's transaction; bad rows are
    reported by line and skipped."""
    return ITEMS_IMPORT.run(data)
