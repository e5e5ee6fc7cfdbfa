"""answers that cannot slip: the interim and escalation steps, and the department head's e-mail

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:50:00

``proposals.answer_step_at`` is the next one-off step of the answer window (ask for a 중간답변
at its middle, check for one at D-3, tell the department head and then the moderators once the
final answer is overdue), claimed with a guarded UPDATE so it runs once. The head's address
is ``departments.head_email``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_step_at', UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('answer_step_at')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('head_email')
