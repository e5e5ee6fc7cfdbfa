"""departments reply links answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:10:34.610799
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('category_departments',
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_category_departments_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('category', name=op.f('pk_category_departments'))
    )
    op.create_table('re_review_requests',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_re_review_requests_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_re_review_requests'))
    )
    op.create_table('reply_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_reply_links_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_reply_links_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_reply_links_token_hash'))
    )
    with op.batch_alter_table('reply_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_links_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('satisfaction_votes',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_satisfaction_votes_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_satisfaction_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'user_id', name=op.f('pk_satisfaction_votes'))
    )
    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('official_name', sa.String(length=40), nullable=False),
    sa.Column('expected_completion', sa.Date(), nullable=True),
    sa.Column('budget_krw', sa.BigInteger(), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_answers_department_id_departments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['link_id'], ['reply_links.id'], name=op.f('fk_answers_link_id_reply_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_answers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_answers_idempotency_key'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_office', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='telegram', nullable=False))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_reminder_at', bot.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dissatisfaction_flagged', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('dissatisfaction_flagged')
        batch_op.drop_column('next_reminder_at')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('channel')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('head_office')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_proposal_id'))

    op.drop_table('answers')
    op.drop_table('satisfaction_votes')
    with op.batch_alter_table('reply_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_links_proposal_id'))

    op.drop_table('reply_links')
    op.drop_table('re_review_requests')
    op.drop_table('category_departments')
