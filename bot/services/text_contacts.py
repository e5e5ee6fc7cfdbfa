"""Numbers for 알림톡/SMS and what became of each text: synchronous functions on a
`Connection`, run on the database's fast lane (by the outbox transport and the settings).

Two kinds of recipient get texts:

- a Kakao-only resident who gave their number in the settings (explicit consent, taken back
  with the number): `text_contacts`, the number encrypted with CONTACT_KEY (the contact
  vault's Fernet), a keyed hash to find it, the masked form to show;
- the resident behind an offline proposal who agreed at intake: `proposals.offline_text_
  secret`, the same encrypted contact as the call-back list's, erased with it when the
  proposal is closed (bot/services/callbacks.py).

A number the provider refuses is marked (`refused_at`): the resident's notices are then held
for their next Kakao turn again, an offline proposer's go on the call-back list, where staff
see the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from bot.db.models import (
    CallbackItem,
    Proposal,
    TextContact,
    TextDelivery,
    User,
)
from bot.domain.text import phone_hash
from bot.domain.text_messages import (
    TextChannel,
    masked_number,
    mobile_number,
    offline_proposal_of,
)
from bot.services.contact_vault import Contact, UnreadableContact, seal, unseal

_contacts = cast(Table, TextContact.__table__)
_deliveries = cast(Table, TextDelivery.__table__)
_users = cast(Table, User.__table__)
_proposals = cast(Table, Proposal.__table__)
_callbacks = cast(Table, CallbackItem.__table__)

COSTING = ("accepted", "delivered", "undelivered", "unreported", "duplicate")  # the cap's
AWAITING_REPORT = "accepted"
TAKEN = COSTING  # the provider took the text
UNREPORTED = "unreported"  # taken, and no final report will ever come


@dataclass(frozen=True)
class Recipient:
    """Whom a text goes to: a resident (`user_id`) or an offline proposal's resident."""

    number: str
    user_id: int | None = None
    proposal_id: int | None = None

    def __repr__(self) -> str:  # never the number in a log line
        return f"Recipient(user_id={self.user_id}, proposal_id={self.proposal_id})"


@dataclass(frozen=True)
class NumberView:
    """What the settings show of a resident's number."""

    masked: str
    refused: bool


# ----- the resident's own number (settings) --------------------------------------------------


def give_number(connection: Connection, *, user_id: int, number: str, contact_key: str,
                secret_key: str, now: datetime) -> str:
    """Keep `number` (digits, checked by the caller) for the resident's 알림톡, with their
    consent given now; a number given again replaces the old one. Returns its masked form."""
    masked = masked_number(number)
    connection.execute(delete(_contacts).where(_contacts.c.user_id == user_id))
    connection.execute(insert(_contacts).values(
        user_id=user_id, number_secret=seal(Contact("", number), contact_key),
        number_hash=phone_hash(number, secret_key), masked=masked, consented_at=now))
    return masked


def remove_number(connection: Connection, *, user_id: int) -> bool:
    """Forget the resident's number (consent taken back); False when there was none."""
    removed = connection.execute(delete(_contacts).where(_contacts.c.user_id == user_id))
    return bool(removed.rowcount)


def number_view(connection: Connection, user_id: int) -> NumberView | None:
    row = connection.execute(select(_contacts.c.masked, _contacts.c.refused_at)
                             .where(_contacts.c.user_id == user_id)).first()
    return None if row is None else NumberView(row.masked, row.refused_at is not None)


# ----- the transport: whom a row goes to, and what became of it -----------------------------


def recipient_of(connection: Connection, chat_id: int, contact_key: str) -> Recipient | None:
    """The number the outbox row for `chat_id` goes to by text; None when it does not go by
    text (no number, taken back, refused, erased, or unreadable with this key)."""
    proposal_id = offline_proposal_of(chat_id)
    if proposal_id is not None:
        secret = connection.execute(select(_proposals.c.offline_text_secret).where(
            _proposals.c.id == proposal_id,
            _proposals.c.offline_text_refused_at.is_(None))).scalar()
        number = _number(secret, contact_key)
        return None if number is None else Recipient(number, proposal_id=proposal_id)
    row = connection.execute(
        select(_users.c.id, _contacts.c.number_secret)
        .join(_contacts, _contacts.c.user_id == _users.c.id)
        .where(_users.c.telegram_id == chat_id, _contacts.c.refused_at.is_(None))).first()
    number = None if row is None else _number(row.number_secret, contact_key)
    return None if number is None or row is None else Recipient(number, user_id=row.id)


def _number(secret: str | None, contact_key: str) -> str | None:
    if secret is None:
        return None
    try:
        return mobile_number(unseal(secret, contact_key).phone)
    except UnreadableContact:
        return None


def spent_since(connection: Connection, since: datetime) -> int:
    """Won spent on texts since `since` (the start of the KST day), from the reports."""
    total = connection.execute(
        select(func.coalesce(func.sum(_deliveries.c.cost_won), 0))
        .where(_deliveries.c.created_at >= since, _deliveries.c.status.in_(COSTING))).scalar()
    return int(total or 0)


@dataclass(frozen=True)
class DeliveryRecord:
    """One attempt's report, as stored."""

    outbox_id: int
    provider: str
    status: str
    channel: TextChannel
    fallback: TextChannel | None = None
    cost_won: int = 0
    message_id: str | None = None
    error_code: str | None = None


def record_delivery(connection: Connection, record: DeliveryRecord, now: datetime) -> None:
    connection.execute(insert(_deliveries).values(
        outbox_id=record.outbox_id, provider=record.provider, message_id=record.message_id,
        channel=record.channel.value, status=record.status,
        fallback=record.fallback.value if record.fallback else None,
        error_code=(record.error_code or None) and record.error_code[:16],
        cost_won=record.cost_won, created_at=now))


def taken_before(connection: Connection, outbox_id: int) -> bool:
    """The provider took a text for this outbox row already (a stored delivery says so)."""
    return connection.execute(select(_deliveries.c.id).where(
        _deliveries.c.outbox_id == outbox_id, _deliveries.c.status.in_(TAKEN)
    ).limit(1)).first() is not None


def mark_refused(connection: Connection, recipient: Recipient, code: str | None,
                 now: datetime) -> None:
    """The provider refused the number: no more texts to it until it is given again."""
    if recipient.proposal_id is not None:
        connection.execute(update(_proposals).where(_proposals.c.id == recipient.proposal_id)
                           .values(offline_text_refused_at=now))
        return
    connection.execute(update(_contacts).where(_contacts.c.user_id == recipient.user_id)
                       .values(refused_at=now, refused_code=(code or "")[:16] or None))


def call_instead(connection: Connection, *, proposal_id: int, kind: str, params: dict[str, object],
                 dedupe_key: str, now: datetime) -> None:
    """Put an offline proposer's notice on the call-back list (their texts cannot go)."""
    exists = connection.execute(select(_callbacks.c.id).where(
        _callbacks.c.dedupe_key == dedupe_key[:160])).first()
    if exists is None:
        connection.execute(insert(_callbacks).values(
            proposal_id=proposal_id, kind=kind, params=params, dedupe_key=dedupe_key[:160],
            created_at=now))


# ----- final reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingReport:
    id: int
    message_id: str
    channel: TextChannel  # the fallback the text was sent with


def awaiting_reports(connection: Connection, *, before: datetime, since: datetime,
                     limit: int = 50) -> list[AwaitingReport]:
    """Texts the provider took between `since` and `before` whose final report has not come
    yet, newest first (a report that never becomes final cannot hold back later ones; past
    `since` it is no longer asked for)."""
    rows = connection.execute(
        select(_deliveries.c.id, _deliveries.c.message_id, _deliveries.c.fallback)
        .where(_deliveries.c.status == AWAITING_REPORT, _deliveries.c.message_id.is_not(None),
               _deliveries.c.created_at < before, _deliveries.c.created_at >= since)
        .order_by(_deliveries.c.id.desc()).limit(limit)).all()
    return [AwaitingReport(row.id, row.message_id, TextChannel(row.fallback or "sms"))
            for row in rows]


def store_report(connection: Connection, *, delivery_id: int, delivered: bool,
                 channel: TextChannel, cost_won: int, error_code: str | None,
                 now: datetime, lost: bool = False) -> None:
    """The final report: how it went, what it cost (a fallback costs its own price); `lost`:
    none will come (the text stays counted, and is not asked about again)."""
    status = UNREPORTED if lost else "delivered" if delivered else "undelivered"
    connection.execute(update(_deliveries).where(_deliveries.c.id == delivery_id).values(
        status=status, channel=channel.value,
        cost_won=cost_won, error_code=(error_code or None) and error_code[:16],
        reported_at=now))
