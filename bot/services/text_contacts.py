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

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from bot.db.models import (
    CallbackItem,
    OutboxMessage,
    Proposal,
    TextContact,
    TextDelivery,
    User,
)
from bot.domain.text import phone_hash
from bot.domain.text_messages import (
    DailyCap,
    TextChannel,
    masked_number,
    mobile_number,
    offline_proposal_of,
)
from bot.services.contact_vault import Contact, UnreadableContact, seal, unseal
from bot.services.kakao_accounts import HeldNotice, hold_notice

_contacts = cast(Table, TextContact.__table__)
_deliveries = cast(Table, TextDelivery.__table__)
_users = cast(Table, User.__table__)
_proposals = cast(Table, Proposal.__table__)
_callbacks = cast(Table, CallbackItem.__table__)
_outbox = cast(Table, OutboxMessage.__table__)
TEXT_BUDGET_LOCK = 0x7465787473  # "texts": PostgreSQL's advisory lock around booking a text

SENDING = "sending"  # booked before its request: no answer yet
UNKNOWN = "unknown"  # the request got no answer: it may have gone through
RETRIED = "retried"  # an unanswered request sent again with the same key: still in doubt
IN_DOUBT = (SENDING, UNKNOWN, RETRIED)  # the provider may have taken the text
NOT_TAKEN = "not_taken"  # an unanswered request the provider says it never took
GIVEN_UP = "given_up"  # in doubt when the notice went the old way (its price still counts)
AWAITING_REPORT = "accepted"
UNDELIVERED = "undelivered"
TAKEN = ("accepted", "delivered", UNDELIVERED, "unreported", "duplicate")  # the provider took it
COSTING = (*TAKEN, SENDING, UNKNOWN, GIVEN_UP)  # what the daily cap adds up
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


@dataclass(frozen=True)
class Attempts:
    """What became of the texts tried for one outbox row: one was taken; or some may have
    been (`in_doubt_since`: the first of them, when its key was first sent); or neither."""

    taken: bool
    in_doubt_since: datetime | None


def attempts_of(connection: Connection, outbox_id: int) -> Attempts:
    row = connection.execute(
        select(func.count().filter(_deliveries.c.status.in_(TAKEN)),
               func.min(_deliveries.c.created_at).filter(_deliveries.c.status.in_(IN_DOUBT)))
        .where(_deliveries.c.outbox_id == outbox_id)).one()
    return Attempts(bool(row[0]), row[1])


def book_attempt(connection: Connection, record: DeliveryRecord, *, cap: DailyCap,
                 urgent: bool, now: datetime) -> int | None:
    """Book a text at its dearest price (its fallback's) before its request goes, unless a
    non-urgent text would take the day's spending past the cap: then None. Booking first,
    one process at a time, is what keeps concurrent senders (the dispatcher's slots, other
    replicas) from all passing the cap at once; the final report corrects the price. The
    row's own unanswered attempts stay in doubt (`RETRIED`), their price carried by this one."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(TEXT_BUDGET_LOCK)))
    own = and_(_row(record.outbox_id), _deliveries.c.status.in_((SENDING, UNKNOWN)))
    already = connection.execute(select(func.coalesce(func.sum(_deliveries.c.cost_won), 0))
                                 .where(own)).scalar() or 0
    spent = spent_since(connection, cap.day_start(now)) - int(already)
    if cap.holds(spent, urgent=urgent, price=record.cost_won):
        return None
    connection.execute(update(_deliveries).where(own).values(status=RETRIED, cost_won=0))
    return record_delivery(connection, record, now)


def settle_doubts(connection: Connection, *, outbox_id: int, status: str) -> None:
    """The row's attempts in doubt resolved: `NOT_TAKEN` (the provider never took them: no
    cost) or `GIVEN_UP` (the notice went the old way: their price still counts)."""
    values: dict[str, object] = {"status": status}
    if status == NOT_TAKEN:
        values["cost_won"] = 0
    connection.execute(update(_deliveries).where(
        _row(outbox_id), _deliveries.c.status.in_(IN_DOUBT)).values(**values))


def take_doubt(connection: Connection, *, outbox_id: int, message_id: str | None,
               cost_won: int) -> None:
    """The provider says it took an attempt in doubt: the row's latest one becomes that text
    (its final report is then asked for, its price counted), the row's other attempts (in
    doubt, or the repeat refused as a duplicate) cost nothing."""
    latest = connection.execute(select(func.max(_deliveries.c.id)).where(
        _row(outbox_id), _deliveries.c.status.in_(IN_DOUBT))).scalar()
    settle_doubts(connection, outbox_id=outbox_id, status=NOT_TAKEN)
    connection.execute(update(_deliveries).where(_row(outbox_id)).values(cost_won=0))
    if latest is not None:
        settle_attempt(connection, attempt_id=int(latest), status=AWAITING_REPORT,
                       cost_won=cost_won, message_id=message_id)


def _row(outbox_id: int) -> ColumnElement[bool]:
    return _deliveries.c.outbox_id == outbox_id


def record_delivery(connection: Connection, record: DeliveryRecord, now: datetime) -> int:
    inserted = connection.execute(insert(_deliveries).values(
        outbox_id=record.outbox_id, provider=record.provider, message_id=record.message_id,
        channel=record.channel.value, status=record.status,
        fallback=record.fallback.value if record.fallback else None,
        error_code=(record.error_code or None) and record.error_code[:16],
        cost_won=record.cost_won, created_at=now))
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


def settle_attempt(connection: Connection, *, attempt_id: int, status: str, cost_won: int,
                   message_id: str | None = None, error_code: str | None = None) -> None:
    """What the provider answered to a booked attempt (or what it said of it later)."""
    connection.execute(update(_deliveries).where(_deliveries.c.id == attempt_id).values(
        status=status, cost_won=cost_won, message_id=message_id,
        error_code=(error_code or None) and error_code[:16]))


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
    none will come (the text stays counted, and is not asked about again). A text that
    reached nobody, neither as 알림톡 nor by its fallback, marks the number unreachable, and
    its notice goes the old way (`_the_old_way`), so that it is not lost."""
    status = UNREPORTED if lost else "delivered" if delivered else UNDELIVERED
    stored = connection.execute(update(_deliveries).where(
        _deliveries.c.id == delivery_id, _deliveries.c.status == AWAITING_REPORT).values(
        status=status, channel=channel.value,
        cost_won=cost_won, error_code=(error_code or None) and error_code[:16],
        reported_at=now))
    if status == UNDELIVERED and stored.rowcount == 1:  # once, whichever replica stored it
        _the_old_way(connection, delivery_id, error_code, now)


def _the_old_way(connection: Connection, delivery_id: int, code: str | None,
                 now: datetime) -> None:
    """An undelivered text's notice: held for the Kakao resident's next turn, or on the
    call-back list for an offline proposer (where staff see the number); the number is
    marked unreachable either way."""
    row = connection.execute(
        select(_outbox.c.id, _outbox.c.chat_id, _outbox.c.kind, _outbox.c.params)
        .join(_deliveries, _deliveries.c.outbox_id == _outbox.c.id)
        .where(_deliveries.c.id == delivery_id)).first()
    if row is None:
        return
    proposal_id = offline_proposal_of(row.chat_id)
    if proposal_id is not None:
        mark_refused(connection, Recipient("", proposal_id=proposal_id), code, now)
        call_instead(connection, proposal_id=proposal_id, kind=row.kind, params=row.params,
                     dedupe_key=f"{proposal_id}:{row.kind}:outbox:{row.id}", now=now)
        return
    user = connection.execute(select(_users.c.id, _users.c.language)
                              .where(_users.c.telegram_id == row.chat_id)).first()
    if user is not None:
        mark_refused(connection, Recipient("", user_id=user.id), code, now)
        hold_notice(connection, chat_id=row.chat_id,
                    notice=HeldNotice(row.kind, row.params, user.language), now=now)


def give_up_reports(connection: Connection, *, before: datetime, now: datetime) -> int:
    """Texts taken before `before` whose final report never came: counted as sent, not asked
    about again (`UNREPORTED`). How many."""
    given_up = connection.execute(update(_deliveries).where(
        _deliveries.c.status == AWAITING_REPORT, _deliveries.c.created_at < before)
        .values(status=UNREPORTED, reported_at=now))
    return int(given_up.rowcount or 0)


# ----- staff: numbers that cannot be reached ------------------------------------------------


@dataclass(frozen=True)
class UnreachableNumber:
    masked: str
    since: datetime
    code: str | None


def unreachable_numbers(connection: Connection, limit: int = 10
                        ) -> tuple[int, list[UnreachableNumber]]:
    """Kakao residents' numbers the provider refused or never reached (their news waits in
    KakaoTalk instead): how many, and the latest `limit` of them, masked."""
    count = connection.execute(select(func.count()).select_from(_contacts)
                               .where(_contacts.c.refused_at.is_not(None))).scalar() or 0
    rows = connection.execute(
        select(_contacts.c.masked, _contacts.c.refused_at, _contacts.c.refused_code)
        .where(_contacts.c.refused_at.is_not(None))
        .order_by(_contacts.c.refused_at.desc()).limit(limit)).all()
    return int(count), [UnreachableNumber(row.masked, row.refused_at, row.refused_code)
                        for row in rows]
