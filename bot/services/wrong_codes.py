"""The limit on wrong codes, shared by /verify and account linking: at most
`FAILURES_PER_HOUR` in any rolling hour per user, counted from the rows of a failure table
(`VerificationFailure`, `AccountLinkFailure`: a user id and an instant each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AccountLinkFailure, VerificationFailure

FAILURES_PER_HOUR = 5
FAILURE_WINDOW = timedelta(hours=1)

FailureTable = type[VerificationFailure] | type[AccountLinkFailure]


@dataclass(frozen=True)
class WrongCode:
    """After a wrong code: locked out until `retry_at`, or `tries_left` more."""

    retry_at: datetime | None
    tries_left: int


async def record_wrong_code(
    session: AsyncSession, table: FailureTable, user_id: int, now: datetime
) -> WrongCode:
    session.add(table(user_id=user_id, at=now))
    await session.flush()
    count, oldest = await _recent_failures(session, table, user_id, now)
    if count >= FAILURES_PER_HOUR and oldest is not None:
        return WrongCode(oldest + FAILURE_WINDOW, 0)
    return WrongCode(None, FAILURES_PER_HOUR - count)


async def locked_out_until(
    session: AsyncSession, table: FailureTable, user_id: int, now: datetime
) -> datetime | None:
    """When the oldest failure of the last hour drops out, if the user is at the limit."""
    count, oldest = await _recent_failures(session, table, user_id, now)
    if count < FAILURES_PER_HOUR or oldest is None:
        return None
    return oldest + FAILURE_WINDOW


async def _recent_failures(
    session: AsyncSession, table: FailureTable, user_id: int, now: datetime
) -> tuple[int, datetime | None]:
    """How many of the last FAILURES_PER_HOUR failures fall in the last hour, and the oldest."""
    recent = (
        select(table.at)
        .where(table.user_id == user_id, table.at > now - FAILURE_WINDOW)
        .order_by(table.at.desc())
        .limit(FAILURES_PER_HOUR)
        .subquery()
    )
    count, oldest = (await session.execute(
        select(func.count(), func.min(recent.c.at)).select_from(recent)
    )).one()
    return int(count), oldest
