"""call-backs for offline proposals and residents' questions to the staff

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00

``proposals.offline_contact_secret``: the contact of a resident who proposed offline and
agreed to be called back, encrypted with CONTACT_KEY; NULL without consent and once erased.
``callback_items``: the notices such an author would get, to be told by phone.
``staff_questions``: 「운영진에게 묻기」, each question and its answer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offline_contact_secret', sa.Text(), nullable=True))
    op.create_table(
        'callback_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=160), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('done_at', UTCDateTime(), nullable=True),
        sa.Column('done_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['done_by'], ['users.id'],
                                name=op.f('fk_callback_items_done_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_callback_items_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_items')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_callback_items_dedupe_key')),
    )
    op.create_index('ix_callback_items_done_at_created_at', 'callback_items',
                    ['done_at', 'created_at'], unique=False)
    op.create_index(op.f('ix_callback_items_proposal_id'), 'callback_items', ['proposal_id'],
                    unique=False)
    op.create_table(
        'staff_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('work_item_id', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', UTCDateTime(), nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['answered_by'], ['users.id'],
                                name=op.f('fk_staff_questions_answered_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_staff_questions_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'],
                                name=op.f('fk_staff_questions_work_item_id_work_items'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_questions')),
    )
    op.create_index('ix_staff_questions_user_id_created_at', 'staff_questions',
                    ['user_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_staff_questions_user_id_created_at', table_name='staff_questions')
    op.drop_table('staff_questions')
    op.drop_index(op.f('ix_callback_items_proposal_id'), table_name='callback_items')
    op.drop_index('ix_callback_items_done_at_created_at', table_name='callback_items')
    op.drop_table('callback_items')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('offline_contact_secret')
