"""Orders picked and packed through the real picking and packing services, ready for a label."""

from __future__ import annotations

from tests.packing.packfloor import FLOOR, NOW, make_order, picked, tote_of  # noqa: F401 (re-exported)


def packed(lines, packages, *, boss, picker, packer, weight_g: int = 900, box: str = "BX-M", **order_fields):
    """An Amazon order with lines [(sku, qty)], picked, then packed as `packages` ([[(sku, qty)], ...], one
    list per package) at KPACK-1 → (order, [packages])."""
    from server.extensions import db
    from server.packing import services

    order = make_order(lines)
    for key, value in order_fields.items():
        setattr(order, key, value)
    db.session.flush()
    picked(order, boss=boss, picker=picker)
    services.start_packing(tote_of(order), station="KPACK-1", actor=packer)
    done = []
    for number, contents in enumerate(packages, start=1):
        package = services.new_package(order, station="KPACK-1", actor=packer) if number > 1 else None
        for sku, qty in contents:
            package = services.scan_item(order, sku, qty=qty, actor=packer).package
        done.append(services.close_package(package, weight_g=weight_g, box=box, actor=packer))
    return order, done
