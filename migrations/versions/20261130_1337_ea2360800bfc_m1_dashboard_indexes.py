"""m1: indexes for the live dashboard's reads on a big history

Measured with bench/dashboard.py (50,000 orders, 500,000 ledger rows; bench/RESULTS.md):
- stock_balances (item_id, location_id, qty, reserved) WHERE qty > 0: every carton and tote an item passed through
  keeps a balance row at 0 (about 100,000 of them against a few hundred that hold stock), so sums over stock (units
  on hand, low stock, goods waiting) read this small partial index instead of the whole table;
- stock_moves (dst_id, item_id), in place of (dst_id): the moves into one dock of one item (the oldest arrival of
  goods waiting) instead of every move of that item; it still serves dst_id alone;
- orders (ordered_at): the cancel rate's orders placed in the last 7 days, instead of every order;
- orders (updated_at), shipments (voided_at), print_jobs (printed_at, cancelled_at): the MAX() of the live
  page's change fingerprint, polled every 2 s by every open dashboard, without a scan of each table.

Revision ID: ea2360800bfc
Revises: 12914faf73c2
Create Date: 2026-11-30 13:37:42.675412

"""
from alembic import op
import sqlalchemy as sa

import server.db  # noqa: F401  (custom column types such as UTCDateTime; keep `db` out of server/__init__)


# revision identifiers, used by Alembic.
revision = 'ea2360800bfc'
down_revision = '12914faf73c2'
branch_labels = None
depends_on = None

IN_STOCK = sa.text("qty > 0")


def upgrade():
    op.create_index('ix_stock_balances_in_stock', 'stock_balances', ['item_id', 'location_id', 'qty', 'reserved'],
                    sqlite_where=IN_STOCK, postgresql_where=IN_STOCK)
    op.create_index('ix_stock_moves_dst_item', 'stock_moves', ['dst_id', 'item_id'])
    op.drop_index('ix_stock_moves_dst_id', table_name='stock_moves')
    op.create_index('ix_orders_ordered_at', 'orders', ['ordered_at'])
    op.create_index('ix_orders_updated_at', 'orders', ['updated_at'])
    op.create_index('ix_shipments_voided_at', 'shipments', ['voided_at'])
    op.create_index('ix_print_jobs_printed_at', 'print_jobs', ['printed_at'])
    op.create_index('ix_print_jobs_cancelled_at', 'print_jobs', ['cancelled_at'])


def downgrade():
    op.drop_index('ix_print_jobs_cancelled_at', table_name='print_jobs')
    op.drop_index('ix_print_jobs_printed_at', table_name='print_jobs')
    op.drop_index('ix_shipments_voided_at', table_name='shipments')
    op.drop_index('ix_orders_updated_at', table_name='orders')
    op.drop_index('ix_orders_ordered_at', table_name='orders')
    op.create_index('ix_stock_moves_dst_id', 'stock_moves', ['dst_id'])
    op.drop_index('ix_stock_moves_dst_item', table_name='stock_moves')
    op.drop_index('ix_stock_balances_in_stock', table_name='stock_balances')
