"""indexes for the staff's proposal lists in /admin (ten lines a page over hundreds)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00

A page of /admin's lists is one query: by status and 공감, by 동 and 분야, and the overdue
reviews and answers by their due dates. These indexes let each be read through an index on
both databases instead of a scan of every proposal.
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_proposals_status_endorsement_count': ['status', 'endorsement_count'],
    'ix_proposals_status_review_due': ['status', 'review_due'],
    'ix_proposals_status_answer_due': ['status', 'answer_due'],
    'ix_proposals_area_category': ['area', 'category'],
}


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
