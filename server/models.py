"""Import every domain's models so that Base.metadata knows all tables (Alembic, create_all)."""

from .auth.models import ApiToken, LoginThrottle, User  # noqa: F401
from .catalog.models import Item, ItemBarcode  # noqa: F401
from .inventory.models import Location, Warehouse, Zone  # noqa: F401
from .orders.models import Order, OrderLine  # noqa: F401
from .scanning.models import ScanLog  # noqa: F401
from .inventory.ledger_models import (  # noqa: F401
    ContainerMove, Reservation, StockBalance, StockMove,
)
from .receiving.models import Receipt, ReceiptLine  # noqa: F401
from .idempotency import IdempotencyRecord  # noqa: F401
from .jobs.models import Job  # noqa: F401
from .orders.models import OrderEvent, OrderImportMapping  # noqa: F401
from .picking.models import BatchOrder, PickBatch, PickTask  # noqa: F401
from .counts.models import CountRequest  # noqa: F401
from .packing.models import BoxType, Package, PackageLine  # noqa: F401
from .shipping.models import Manifest, Shipment, TrackingSequence  # noqa: F401
from .printing.models import Printer, PrintJob, StationPrinter  # noqa: F401
from .counts.models import CountEntry, CountList, CountTask, CountVariance, ItemClass  # noqa: F401
from .replenishment.models import ReplenishmentParams  # noqa: F401
from .returns.models import Return, ReturnLine  # noqa: F401
from .devices.models import DeviceReport  # noqa: F401
