"""i9: pack overrides (a supervisor lets an order be packed and labelled short, with a reason)

Revision ID: a9c4e2f1b7d3
Revises: 17ad08c53cc8
Create Date: 2026-11-30 10:45:00

"""
from alembic import op
import sqlalchemy as sa

import server.db  # noqa: F401  (custom column types such as UTCDateTime)


revision = 'a9c4e2f1b7d3'
down_revision = '17ad08c53cc8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pack_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pack_overrides_order_id_orders'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pack_overrides_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pack_overrides'))
    )
    with op.batch_alter_table('pack_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_overrides_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pack_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_overrides_order_id'))
    op.drop_table('pack_overrides')
