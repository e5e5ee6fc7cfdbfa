"""Writing outbox rows: the messages a change owes people, in the change's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Result, Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, Subscription, User
from bot.domain.events import Event
from bot.services.callbacks import Diversion, divert_author
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.wakes import Wake, wake_after_commit


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    notice: Event,
    now: datetime,
    user_id: int | None = None,
    not_before: datetime | None = None,
    work_item_id: int | None = None,
) -> bool:
    """Add one outbox row; False when a row with the same dedupe key already exists."""
    dedupe_key = f"{notice.kind}:{notice.key}:{chat_id}"
    result = await session.execute(
        insert_ignoring_conflicts(
            session,
            OutboxMessage,
            channel="telegram",
            chat_id=chat_id,
            user_id=user_id,
            kind=notice.kind,
            params=notice.to_params(),
            dedupe_key=dedupe_key,
            urgent=notice.urgent,
            status="pending",
            not_before=not_before or now,
            created_at=now,
            attempts=0,
            work_item_id=work_item_id,
        )
    )
    return _added(session, result, Wake.TELEGRAM_OUTBOX)


async def enqueue_email(
    session: AsyncSession, *, address: str, notice: Event, now: datetime
) -> bool:
    """Add one e-mail to the outbox (delivered by the mail sender, not the Telegram one)."""
    result = await session.execute(
        insert_ignoring_conflicts(
            session,
            OutboxMessage,
            channel="email",
            chat_id=0,
            address=address,
            kind=notice.kind,
            params=notice.to_params(),
            dedupe_key=f"{notice.kind}:{notice.key}:mail:{address}"[:160],
            urgent=notice.urgent,
            status="pending",
            not_before=now,
            created_at=now,
            attempts=0,
        )
    )
    return _added(session, result, Wake.EMAIL_OUTBOX)


def _added(session: AsyncSession, result: Result[Any], sender: Wake) -> bool:
    """Whether the insert added a row; if so, its sender is woken after the commit (a row
    that was already there woke it when it was written)."""
    added = bool(rows_affected(result))
    if added:
        wake_after_commit(session, sender)
    return added


async def enqueue_for_users(
    session: AsyncSession, user_ids: list[int], notice: Event, now: datetime
) -> int:
    """Tell each reachable user once; users who muted everything miss non-urgent notices.
    The author of record of an offline proposal whose resident waits for its news is not
    told: the notice goes by text or on the call-back list (`bot.services.callbacks`)."""
    diversion = await divert_author(session, user_ids, notice, now)
    texted = await _text_offline_proposer(session, diversion, notice, now)
    if not diversion.user_ids:
        return texted
    rows = await session.execute(
        select(*_RECIPIENT).where(User.id.in_(set(diversion.user_ids))))
    return texted + await _enqueue_for_recipients(session, rows, notice, now)


async def enqueue_for_followers(
    session: AsyncSession, proposal_id: int, notice: Event, now: datetime
) -> int:
    """`enqueue_for_users` for the proposal's followers who have not muted it, read with
    their chats in one query."""
    rows = (await session.execute(
        select(*_RECIPIENT).join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.proposal_id == proposal_id, Subscription.muted.is_(False))
    )).all()
    diversion = await divert_author(session, [row.id for row in rows], notice, now)
    kept = set(diversion.user_ids)
    texted = await _text_offline_proposer(session, diversion, notice, now)
    return texted + await _enqueue_for_recipients(
        session, [row for row in rows if row.id in kept], notice, now)


async def _text_offline_proposer(
    session: AsyncSession, diversion: Diversion, notice: Event, now: datetime
) -> int:
    """The offline proposer's notice as a row for their text chat (bot.kakao.notices sends
    it by 알림톡/SMS), when it goes by text."""
    if diversion.text_chat is None:
        return 0
    return int(await enqueue(session, chat_id=diversion.text_chat, notice=notice, now=now))


_RECIPIENT = (User.id, User.telegram_id, User.muted_all, User.unreachable)


async def _enqueue_for_recipients(
    session: AsyncSession, rows: Iterable[Row[int, int, bool, bool]], notice: Event,
    now: datetime,
) -> int:
    added = 0
    for user_id, telegram_id, muted_all, unreachable in rows:
        if unreachable or (muted_all and not notice.urgent):
            continue
        added += await enqueue(
            session, chat_id=telegram_id, notice=notice, now=now, user_id=user_id
        )
    return added


async def proposal_followers(session: AsyncSession, proposal_id: int) -> list[int]:
    """Users subscribed to a proposal who have not muted it."""
    rows = await session.scalars(
        select(Subscription.user_id).where(
            Subscription.proposal_id == proposal_id, Subscription.muted.is_(False)
        )
    )
    return list(rows)
