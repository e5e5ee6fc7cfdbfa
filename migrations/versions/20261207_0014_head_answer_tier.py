"""the district head's answer tier: a second answer track per proposal

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:45:00

A proposal whose 공감 reach HEAD_ANSWER_THRESHOLD is routed to the head's office once
(``head_routed_at``, a guarded UPDATE), which answers through its own reply link with its own
clock (``head_answer_due``, ``head_reminder_at``) until its answer is published
(``head_answered_at``). Reply links and answers say which track they belong to (``track``:
``department`` or ``head``), so a department's new link never revokes the office's.
``late_endorse_until``: while a higher tier is configured, 공감 keep counting after the review
started, until the collection window ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

PROPOSAL_TIMES = ('head_routed_at', 'head_answer_due', 'head_reminder_at', 'head_answered_at',
                  'late_endorse_until')


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name in PROPOSAL_TIMES:
            batch_op.add_column(sa.Column(name, UTCDateTime(timezone=True), nullable=True))
    for table in ('reply_links', 'answers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('track', sa.String(length=16), nullable=False,
                                          server_default='department'))


def downgrade() -> None:
    for table in ('answers', 'reply_links'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('track')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name in reversed(PROPOSAL_TIMES):
            batch_op.drop_column(name)
