"""Broadcasts: an admin's message to many residents, sent through the outbox.

A broadcast is a row that moves `draft → sending → done` (or `draft → cancelled`). The admin
writes the text (a draft), picks an audience (the count is shown before anything is sent) and
confirms; the confirmation is a guarded UPDATE `draft → sending`, so a double tap sends once.
Confirming writes one outbox row per recipient (carrying the text), tagged with the broadcast
id, and the dispatcher delivers them at its usual pace (quiet hours included: a broadcast is
not urgent, so one confirmed at night goes out in the morning).

Audiences (decided here, documented in README):
- `all`: everybody who has talked to the bot;
- `area`: residents verified in that 동 (`users.verified_area`) or who proposed there;
- `round`: the eligible voters of a budget round (everyone / shared a phone number / verified,
  in the round's 동 when it has one);
- `category`: residents following, without muting, a proposal of that category.
Residents who muted everything (`muted_all`) and chats that blocked the bot (`unreachable`)
are left out and counted separately, so the admin sees who will not get it and why.

Progress is counted from the tagged outbox rows: `sent` = delivered, `dropped` = blocked the
bot (the dispatcher's answer to Telegram's 403), `failed` = refused for another reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Broadcast,
    BudgetRound,
    OutboxMessage,
    OutboxStatus,
    Proposal,
    Subscription,
    User,
)
from bot.domain.events import BroadcastMessage
from bot.domain.pb.ballot import Eligibility
from bot.domain.text import is_meaningful
from bot.services.audit import record_audit
from bot.services.sql import insert_of, is_postgres, rows_affected
from bot.services.wakes import Wake, wake_after_commit

MAX_TEXT = 4000  # Telegram allows 4096; the rest is for the 「📣 구청 알림」 header and footer
KIND = BroadcastMessage.kind
INSERT_CHUNK = 500


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class AudienceKind(StrEnum):
    ALL = "all"
    AREA = "area"
    ROUND = "round"
    CATEGORY = "cat"


class DraftOutcome(StrEnum):
    CREATED = "created"
    EMPTY = "empty"
    TOO_LONG = "too_long"


class SendOutcome(StrEnum):
    SENDING = "sending"
    EMPTY_AUDIENCE = "empty_audience"
    NO_AUDIENCE = "no_audience"  # confirmed before an audience was chosen (a forged button)
    ALREADY = "already"  # sent, being sent or cancelled already (a double tap, a stale button)
    GONE = "gone"


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    value: str | None = None


@dataclass(frozen=True)
class AudienceCount:
    """Who a broadcast would reach now, and who is left out."""

    recipients: int
    muted: int
    unreachable: int


@dataclass(frozen=True)
class Preview:
    broadcast_id: int
    text_html: str
    audience: Audience
    count: AudienceCount


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    admin_chat_id: int
    progress_message_id: int | None
    total: int
    delivered: int
    blocked: int
    failed: int
    muted: int
    unreachable: int
    reported: str | None

    @property
    def done(self) -> int:
        return self.delivered + self.blocked + self.failed

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def signature(self) -> str:
        """What the admin last saw: a new report only when this changes."""
        return f"{self.delivered}/{self.blocked}/{self.failed}/{int(self.finished)}"


def check_text(plain_text: str | None) -> DraftOutcome:
    if plain_text is None or not is_meaningful(plain_text):
        return DraftOutcome.EMPTY
    if len(plain_text) > MAX_TEXT:
        return DraftOutcome.TOO_LONG
    return DraftOutcome.CREATED


async def create_draft(
    session: AsyncSession,
    *,
    plain_text: str | None,
    text_html: str,
    admin_chat_id: int,
    actor: str,
    now: datetime,
) -> tuple[DraftOutcome, int | None]:
    """Keep the admin's text as a draft; nothing is sent before the confirmation."""
    outcome = check_text(plain_text)
    if outcome is not DraftOutcome.CREATED:
        return outcome, None
    draft = Broadcast(text_html=text_html, status=BroadcastStatus.DRAFT, created_by=actor[:120],
                      admin_chat_id=admin_chat_id, recipients=0, excluded_muted=0,
                      excluded_unreachable=0, created_at=now)
    session.add(draft)
    await session.flush()
    return outcome, draft.id


async def choose_audience(
    session: AsyncSession, broadcast_id: int, audience: Audience
) -> Preview | None:
    """Set the audience of a draft and count it; None when the draft is gone or sent."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(audience=audience.kind, audience_value=audience.value)
    )
    if not rows_affected(result):
        return None
    text_html = await session.scalar(
        select(Broadcast.text_html).where(Broadcast.id == broadcast_id))
    count = await count_audience(session, audience)
    return Preview(broadcast_id, text_html or "", audience, count)


async def count_audience(session: AsyncSession, audience: Audience) -> AudienceCount:
    members = audience_query(audience).subquery()
    row = (await session.execute(
        select(
            func.count().filter(members.c.unreachable.is_(False), members.c.muted_all.is_(False)),
            func.count().filter(members.c.unreachable.is_(False), members.c.muted_all.is_(True)),
            func.count().filter(members.c.unreachable.is_(True)),
        ).select_from(members)
    )).one()
    return AudienceCount(int(row[0]), int(row[1]), int(row[2]))


def audience_query(audience: Audience) -> Select[int, int, bool, bool]:
    """The audience's users (id, telegram id, muted, unreachable), before exclusions."""
    query = select(User.id, User.telegram_id, User.muted_all, User.unreachable)
    value = audience.value or ""
    if audience.kind is AudienceKind.AREA:
        proposed_there = select(Proposal.author_id).where(Proposal.area == value)
        return query.where(or_(User.verified_area == value, User.id.in_(proposed_there)))
    if audience.kind is AudienceKind.CATEGORY:
        following = (
            select(Subscription.user_id)
            .join(Proposal, Proposal.id == Subscription.proposal_id)
            .where(Proposal.category == value, Subscription.muted.is_(False))
        )
        return query.where(User.id.in_(following))
    if audience.kind is AudienceKind.ROUND:
        return _round_voters(query, value)
    return query


def _round_voters(
    query: Select[int, int, bool, bool], round_id: str
) -> Select[int, int, bool, bool]:
    budget_round = select(BudgetRound.eligibility, BudgetRound.area).where(
        BudgetRound.id == (int(round_id) if round_id.isdigit() else -1)
    ).subquery()
    eligibility, area = budget_round.c.eligibility, budget_round.c.area
    contact = (eligibility == Eligibility.CONTACT) & User.phone_hash.is_not(None)
    verified = (eligibility == Eligibility.VERIFIED) & User.verified_area.is_not(None) & or_(
        area.is_(None), User.verified_area == area
    )
    everyone = eligibility == Eligibility.EVERYONE
    return query.join(budget_round, or_(everyone, contact, verified))


async def confirm(
    session: AsyncSession, broadcast_id: int, *, progress_message_id: int | None, actor: str,
    now: datetime,
) -> tuple[SendOutcome, AudienceCount | None]:
    """Send a draft once: the guarded `draft → sending` lets one confirmation through."""
    draft = await session.get(Broadcast, broadcast_id)
    if draft is None:
        return SendOutcome.GONE, None
    if draft.status != BroadcastStatus.DRAFT:
        return SendOutcome.ALREADY, None
    if draft.audience is None:
        return SendOutcome.NO_AUDIENCE, None
    audience = Audience(AudienceKind(draft.audience), draft.audience_value)
    count = await count_audience(session, audience)
    if count.recipients == 0:
        return SendOutcome.EMPTY_AUDIENCE, count
    claimed = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.SENDING, confirmed_at=now,
                progress_message_id=progress_message_id)
        .execution_options(synchronize_session=False)
    )
    if not rows_affected(claimed):
        return SendOutcome.ALREADY, None
    queued = await _enqueue_all(session, broadcast_id, audience, draft.text_html, now)
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(
            recipients=queued, excluded_muted=count.muted, excluded_unreachable=count.unreachable)
        .execution_options(synchronize_session=False)
    )
    record_audit(session, now, actor, "broadcast.send", f"broadcast:{broadcast_id}",
                 after={"audience": audience.kind.value, "value": audience.value,
                        "recipients": queued, "muted": count.muted,
                        "unreachable": count.unreachable})
    return SendOutcome.SENDING, AudienceCount(queued, count.muted, count.unreachable)


async def _enqueue_all(
    session: AsyncSession, broadcast_id: int, audience: Audience, text_html: str, now: datetime
) -> int:
    """One outbox row per recipient, inserted in chunks (a district has many residents)."""
    members = audience_query(audience).where(
        User.muted_all.is_(False), User.unreachable.is_(False)
    ).order_by(User.id)
    params = BroadcastMessage(broadcast_id, text_html).to_params()
    rows = [
        {"channel": "telegram", "chat_id": telegram_id, "user_id": user_id, "kind": KIND,
         "params": params,
         "dedupe_key": f"{KIND}:{broadcast_id}:{telegram_id}", "urgent": False,
         "status": OutboxStatus.PENDING, "not_before": now, "created_at": now, "attempts": 0,
         "broadcast_id": broadcast_id}
        for user_id, telegram_id, _muted, _unreachable in (await session.execute(members)).all()
    ]
    insert = insert_of("postgresql" if is_postgres(session) else "sqlite")
    # the rows to send, and the admin's progress message to post
    wake_after_commit(session, Wake.TELEGRAM_OUTBOX, Wake.BROADCAST_PROGRESS)
    queued = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        statement = insert(OutboxMessage).values(rows[start : start + INSERT_CHUNK])
        result = await session.execute(statement.on_conflict_do_nothing())
        queued += int(rows_affected(result))
    return queued


async def is_draft(session: AsyncSession, broadcast_id: int) -> bool:
    status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    return status == BroadcastStatus.DRAFT


async def recent_rounds(session: AsyncSession, limit: int = 10) -> list[tuple[int, str]]:
    """The latest budget rounds (id, name), to pick their voters as an audience."""
    rows = await session.execute(
        select(BudgetRound.id, BudgetRound.name).order_by(BudgetRound.id.desc()).limit(limit))
    return [(round_id, name) for round_id, name in rows]


async def cancel(session: AsyncSession, broadcast_id: int, *, actor: str, now: datetime) -> bool:
    """Drop a draft (audited); False when it was already sent or cancelled."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.CANCELLED)
    )
    if not rows_affected(result):
        return False
    record_audit(session, now, actor, "broadcast.cancel", f"broadcast:{broadcast_id}",
                 before={"status": BroadcastStatus.DRAFT.value},
                 after={"status": BroadcastStatus.CANCELLED.value})
    return True


async def sending_progress(session: AsyncSession) -> list[Progress]:
    """Every broadcast being sent, with its delivered / blocked / failed counts."""
    counts = (
        select(
            OutboxMessage.broadcast_id.label("broadcast_id"),
            func.count().filter(OutboxMessage.status == OutboxStatus.SENT).label("sent"),
            func.count().filter(OutboxMessage.status == OutboxStatus.DROPPED).label("dropped"),
            func.count().filter(OutboxMessage.status == OutboxStatus.FAILED).label("failed"),
        )
        .where(OutboxMessage.broadcast_id.in_(
            select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING)))
        .group_by(OutboxMessage.broadcast_id)
        .subquery()
    )
    rows = await session.execute(
        select(Broadcast, counts.c.sent, counts.c.dropped, counts.c.failed)
        .outerjoin(counts, counts.c.broadcast_id == Broadcast.id)
        .where(Broadcast.status == BroadcastStatus.SENDING)
        .order_by(Broadcast.id)
    )
    return [
        Progress(b.id, b.admin_chat_id, b.progress_message_id, b.recipients, int(sent or 0),
                 int(dropped or 0), int(failed or 0), b.excluded_muted, b.excluded_unreachable,
                 b.reported)
        for b, sent, dropped, failed in rows
    ]


async def record_report(
    session: AsyncSession, progress: Progress, now: datetime
) -> None:
    """Remember what the admin was shown; a finished broadcast becomes `done`."""
    values: dict[str, object] = {"reported": progress.signature}
    if progress.finished:
        values |= {"status": BroadcastStatus.DONE, "finished_at": now}
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == progress.broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
        .values(**values)
    )
