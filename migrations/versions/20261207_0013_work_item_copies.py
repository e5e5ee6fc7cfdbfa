"""work items in the staff's private chats: each outbox copy knows its work item

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:30:00

Without a moderators' group, a work item goes to every moderator's and admin's private chat.
The first to act handles it; the other copies are then edited to say who did what, and the
copies not yet sent are dropped. ``outbox.work_item_id`` finds them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_work_item_id'), ['work_item_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_work_item_id_work_items'),
                                    'work_items', ['work_item_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_work_item_id_work_items'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_work_item_id'))
        batch_op.drop_column('work_item_id')
