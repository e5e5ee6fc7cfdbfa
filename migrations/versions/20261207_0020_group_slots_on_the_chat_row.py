"""group slots on the chat row: a group's minute decided under the row a booking locks

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:00:00

A group may have 20 messages in any minute. Its slots of the last minute were rows of
``send_budget_group_sends``, read by a booking before it waited for the bot's row lock: a
booking of another replica that committed meanwhile was not counted, and the group could get
21. ``send_budget_chats.recent_slots`` keeps a group's latest slots on the chat's own row,
which the booking locks and checks as it is then (bot/send_budget.py). The slots of the old
table are carried over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

SLOTS = postgresql.ARRAY(sa.BigInteger()).with_variant(sa.JSON(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('send_budget_chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recent_slots', SLOTS, nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            UPDATE send_budget_chats AS c SET recent_slots = g.slots
            FROM (SELECT chat_id, array_agg(slot ORDER BY slot) AS slots
                  FROM send_budget_group_sends GROUP BY chat_id) AS g
            WHERE g.chat_id = c.chat_id
        """)
    op.drop_table('send_budget_group_sends')


def downgrade() -> None:
    op.create_table('send_budget_group_sends',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('slot', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('chat_id', 'slot', name=op.f('pk_send_budget_group_sends'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            INSERT INTO send_budget_group_sends (chat_id, slot)
            SELECT chat_id, unnest(recent_slots) FROM send_budget_chats
            WHERE recent_slots IS NOT NULL
        """)
    with op.batch_alter_table('send_budget_chats', schema=None) as batch_op:
        batch_op.drop_column('recent_slots')
