"""district proposals: 「구 제안」 that staff publish for residents to 공감 and debate

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 23:30:00

``proposals.origin`` and ``proposal_drafts.origin``: ``resident`` (every proposal so far) or
``district`` (written by staff with /district_proposal, shown as 「구 제안」).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('proposals', 'proposal_drafts'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('origin', sa.String(length=12), nullable=False,
                                       server_default='resident'))


def downgrade() -> None:
    for table in ('proposal_drafts', 'proposals'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('origin')
