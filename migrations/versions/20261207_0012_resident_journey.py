"""the resident's journey: budget news, the daily digest, why an answer disappointed, a place

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:20:00

- ``users.budget_news``: the resident asked to hear when a budget round opens (opt-in, like
  ``polls_opt_in``).
- ``users.daily_digest``: non-urgent news waits for one message a day (「하루 한 번 모아 받기」).
- ``satisfaction_votes.reason_code`` / ``reason_text``: why a resident was dissatisfied with
  the final answer, from a short list or in a sentence (masked before it is stored).
- ``proposals`` and ``proposal_drafts`` ``latitude`` / ``longitude``: a place shared with
  Telegram's location, shown as a map link.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'budget_news', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column(
            'daily_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('satisfaction_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reason_text', sa.String(length=300), nullable=True))
    for table in ('proposals', 'proposal_drafts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
            batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))


def downgrade() -> None:
    for table in ('proposal_drafts', 'proposals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('longitude')
            batch_op.drop_column('latitude')
    with op.batch_alter_table('satisfaction_votes', schema=None) as batch_op:
        batch_op.drop_column('reason_text')
        batch_op.drop_column('reason_code')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('daily_digest')
        batch_op.drop_column('budget_news')
