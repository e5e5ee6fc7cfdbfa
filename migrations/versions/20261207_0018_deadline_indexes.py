"""indexes for the deadline machine: every deadline column read by status through an index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00

The deadline machine no longer arms one scheduler job per deadline: one query finds the
earliest pending instant of every kind of deadline, and due items are read in batches
ordered by their deadline. With 100,000 open proposals each of those reads must be an index
seek, not a scan; collect_until and debate_closes_at were indexed already (0001).
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_proposals_status_halfway_at': ['status', 'halfway_at'],
    'ix_proposals_status_closing_soon_at': ['status', 'closing_soon_at'],
    'ix_proposals_status_next_reminder_at': ['status', 'next_reminder_at'],
    'ix_proposals_status_debate_reminder_at': ['status', 'debate_reminder_at'],
    'ix_proposals_status_answer_step_at': ['status', 'answer_step_at'],
    'ix_proposals_head_reminder_at': ['head_reminder_at'],
}


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
