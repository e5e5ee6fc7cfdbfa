"""council offers: a seat offered to a drawn member or a reserve, confirmed by a deadline

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 19:00:00

``council_applications``: ``offered_at`` and ``confirm_by`` when a seat is offered (at the draw,
or to a reserve moving up), then ``confirmed_at``, ``declined_at`` or, when the deadline
passes unanswered, ``expired_at`` (the deadline machine; the seat then goes to the next
reserve who keeps the rules). ``confirm_by`` is indexed: the machine's probe seeks it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

COLUMNS = ('offered_at', 'confirm_by', 'confirmed_at', 'declined_at', 'expired_at')


def upgrade() -> None:
    with op.batch_alter_table('council_applications', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_council_applications_confirm_by'), ['confirm_by'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('council_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_applications_confirm_by'))
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
