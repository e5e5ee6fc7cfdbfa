"""moderation: work items, bans, hidden proposals, merges, offline intake

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.Integer(), nullable=True),
    sa.Column('claimed_by_name', sa.String(length=120), nullable=True),
    sa.Column('claimed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by'], ['users.id'], name=op.f('fk_work_items_claimed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_items')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_work_items_dedupe_key'))
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index('ix_work_items_claimed_at_created_at', ['claimed_at', 'created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('banned_until', bot.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ban_reason', sa.String(length=200), nullable=True))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offline_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('offline_contact', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('offline_contact_hash', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposals_merged_into_id_proposals'), 'proposals', ['merged_into_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposals_merged_into_id_proposals'), type_='foreignkey')
        batch_op.drop_column('offline_contact_hash')
        batch_op.drop_column('offline_contact')
        batch_op.drop_column('offline_channel')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('ban_reason')
        batch_op.drop_column('banned_until')

    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('ix_work_items_claimed_at_created_at')

    op.drop_table('work_items')
