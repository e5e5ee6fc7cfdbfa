"""text messages: 알림톡 with an SMS fallback for residents who are not on Telegram

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-11 00:00:00

``text_contacts``: a Kakao-only resident's number, given with their consent for 알림톡: a
Fernet token (CONTACT_KEY), a keyed hash, the masked form; deleted when taken back.
``text_deliveries``: the delivery report of each text (provider, message id, channel, status,
code, cost in won); the daily cost cap adds up a KST day of them.
``proposals.offline_text_secret``: an offline proposer's contact, kept encrypted with their
consent to hear the proposal's news by 알림톡/SMS, erased when it is closed;
``proposals.offline_text_refused_at``: the provider refused that number.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'text_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('number_secret', sa.Text(), nullable=False),
        sa.Column('number_hash', sa.String(length=64), nullable=False),
        sa.Column('masked', sa.String(length=16), nullable=False),
        sa.Column('consented_at', UTCDateTime(), nullable=False),
        sa.Column('refused_at', UTCDateTime(), nullable=True),
        sa.Column('refused_code', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_text_contacts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_contacts')),
        sa.UniqueConstraint('user_id', name=op.f('uq_text_contacts_user_id')),
    )
    op.create_index('ix_text_contacts_number_hash', 'text_contacts', ['number_hash'])
    op.create_table(
        'text_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('provider', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=True),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('fallback', sa.String(length=8), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('error_code', sa.String(length=16), nullable=True),
        sa.Column('cost_won', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('reported_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'],
                                name=op.f('fk_text_deliveries_outbox_id_outbox'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_deliveries')),
    )
    op.create_index('ix_text_deliveries_outbox_id', 'text_deliveries', ['outbox_id'])
    op.create_index('ix_text_deliveries_created_at', 'text_deliveries', ['created_at'])
    op.create_index('ix_text_deliveries_status_created_at', 'text_deliveries',
                    ['status', 'created_at'])
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offline_text_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('offline_text_refused_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('offline_text_refused_at')
        batch_op.drop_column('offline_text_secret')
    op.drop_index('ix_text_deliveries_status_created_at', table_name='text_deliveries')
    op.drop_index('ix_text_deliveries_created_at', table_name='text_deliveries')
    op.drop_index('ix_text_deliveries_outbox_id', table_name='text_deliveries')
    op.drop_table('text_deliveries')
    op.drop_index('ix_text_contacts_number_hash', table_name='text_contacts')
    op.drop_table('text_contacts')
