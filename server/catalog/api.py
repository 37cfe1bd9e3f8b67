"""Catalogue endpoints: item search, creation and CSV import."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..csvio import import_upload
from ..schemas import CsvUpload, ImportResult, PageQuery
from . import services
from .schemas import ItemIn, ItemOut, ItemPage

bp = APIBlueprint("catalog", __name__, url_prefix="/api", tag="Catalogue")


def item_out(item) -> dict:
    return {"sku": item.sku, "name": item.name, "unit": item.unit,
            "barcodes": [b.code for b in item.barcodes],
            "barcodes_detail": [{"code": b.code, "kind": b.kind.value, "units": b.units} for b in item.barcodes],
            "weight_g": item.weight_g, "tracks_lot": item.tracks_lot, "tracks_expiry": item.tracks_expiry,
            "tracks_serial": item.tracks_serial, "active": item.active}


@bp.get("/items")
@require_role(*ANY_ROLE)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(ItemPage)
@bp.doc(summary="Search items by SKU, name or barcode")
def list_items(query):
    items, total = services.search_items(query["q"], limit=query["limit"], offset=query["offset"])
    return {"items": [item_out(i) for i in items], "total": total}


@bp.write("/items", roles=Role.SUPERVISOR, body=ItemIn, out=ItemOut, status=201,
          summary="Create an item with its barcodes")
def create_item(body):
    item = services.create_item(body.pop("sku"), body.pop("name"), barcodes=body.pop("barcodes"), **body)
    return item_out(item)


@bp.write("/items/import", roles=Role.SUPERVISOR, files=CsvUpload, out=ImportResult, queued=True,
          summary="Create or update items from a CSV file (go-live)")
def import_items(files):
    return import_upload(services.ITEMS_IMPORT, files["file"].read())
