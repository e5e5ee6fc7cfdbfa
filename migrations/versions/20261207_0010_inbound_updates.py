"""inbound updates: every Telegram update is stored before it is acknowledged

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00

Replaces processed_updates (a bare redelivery guard written when handling began) by
inbound_updates, written before the webhook answers 200 or the polling offset moves on.
The guard's rows are carried over as handled updates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('worker', sa.String(length=32), nullable=True),
    sa.Column('received_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbound_updates'))
    )
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_updates_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_updates_handled_at'), ['handled_at'], unique=False)
    op.execute(
        "INSERT INTO inbound_updates (update_id, received_at, handled_at) "
        "SELECT update_id, processed_at, processed_at FROM processed_updates"
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_processed_at'))
    op.drop_table('processed_updates')


def downgrade() -> None:
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_processed_at'), ['processed_at'], unique=False)
    op.execute(
        "INSERT INTO processed_updates (update_id, processed_at) "
        "SELECT update_id, received_at FROM inbound_updates"
    )
    with op.batch_alter_table('inbound_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_updates_handled_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_updates_received_at'))
    op.drop_table('inbound_updates')
