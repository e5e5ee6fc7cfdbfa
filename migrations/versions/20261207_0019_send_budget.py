"""send budget: one share of Telegram's rate for every replica on one PostgreSQL

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:00:00

Two replicas used to pace themselves each, and together sent twice Telegram's limit.
``send_budget`` holds the bot's next free slot and the end of a 429 pause;
``send_budget_chats`` each chat's next free slot, ``send_budget_group_sends`` the slots a
group had in the last minute (20 a minute, as a burst). Every send books its slot from them in
one short transaction (bot/send_budget.py). SQLite has the tables too, unused: a single
process paces itself there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('send_budget',
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('next_slot', sa.BigInteger(), nullable=False),
    sa.Column('paused_until', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_send_budget'))
    )
    op.create_table('send_budget_chats',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('next_slot', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_send_budget_chats'))
    )
    with op.batch_alter_table('send_budget_chats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_send_budget_chats_next_slot'), ['next_slot'],
                              unique=False)
    op.create_table('send_budget_group_sends',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('slot', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'slot', name=op.f('pk_send_budget_group_sends'))
    )


def downgrade() -> None:
    op.drop_table('send_budget_group_sends')
    with op.batch_alter_table('send_budget_chats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_send_budget_chats_next_slot'))
    op.drop_table('send_budget_chats')
    op.drop_table('send_budget')
