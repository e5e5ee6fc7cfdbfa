"""Bans: a banned resident's new proposals, opinions, reports and 공감 are refused.

The check lives here, in the services, so that every way in (buttons, commands, the forum
mirror, the web) is covered. A refusal is the `UserBanned` exception: raised before anything
is written, it rolls the caller's transaction back, and the error handler tells the person
politely until when and why (see `bot/handlers/errors.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.domain.permissions import Role
from bot.services.audit import record_audit

PERMANENT = datetime(9999, 12, 31, tzinfo=UTC)
MAX_BAN_DAYS = 3650


class UserBanned(Exception):
    """The acting user is banned; nothing was written."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__("user is banned")
        self.until = until
        self.reason = reason

    @property
    def permanent(self) -> bool:
        return self.until >= PERMANENT


@dataclass(frozen=True)
class BanView:
    until: datetime
    reason: str

    @property
    def permanent(self) -> bool:
        return self.until >= PERMANENT


class BanOutcome(StrEnum):
    BANNED = "banned"
    UNBANNED = "unbanned"
    NOT_BANNED = "not_banned"
    STAFF = "staff"
    UNKNOWN_USER = "unknown_user"
    INVALID = "invalid"


async def current_ban(session: AsyncSession, user_id: int, now: datetime) -> BanView | None:
    """The user's ban if it is still running."""
    row = (await session.execute(
        select(User.banned_until, User.ban_reason).where(User.id == user_id)
    )).first()
    if row is None or row.banned_until is None or row.banned_until <= now:
        return None
    return BanView(row.banned_until, row.ban_reason or "")


async def ensure_not_banned(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Raise `UserBanned` when the user may not add anything right now."""
    ban = await current_ban(session, user_id, now)
    if ban is not None:
        raise UserBanned(ban.until, ban.reason)


def ban_end(now: datetime, days: int | None) -> datetime | None:
    """When a ban of `days` (None: permanent) ends; None for a number of days out of range."""
    if days is None:
        return PERMANENT
    if not 1 <= days <= MAX_BAN_DAYS:
        return None
    return now + timedelta(days=days)


async def ban_user(
    session: AsyncSession, *, telegram_id: int, days: int | None, reason: str, actor: str,
    now: datetime,
) -> BanOutcome:
    """Ban a resident for `days` (None: permanently). Staff cannot be banned.

    Outcomes: BANNED; STAFF (a moderator or an admin); UNKNOWN_USER; INVALID (no reason, or
    a number of days outside 1–3650).
    """
    until = ban_end(now, days)
    reason = " ".join(reason.split())[:200]
    if until is None or not reason:
        return BanOutcome.INVALID
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return BanOutcome.UNKNOWN_USER
    if user.role != Role.RESIDENT:
        return BanOutcome.STAFF
    before = _snapshot(user)
    await session.execute(update(User).where(User.id == user.id, User.role == Role.RESIDENT)
                          .values(banned_until=until, ban_reason=reason)
                          .execution_options(synchronize_session=False))
    record_audit(session, now, actor, "user.ban", f"user:{telegram_id}", before=before,
                 after={"banned_until": until.isoformat(), "ban_reason": reason})
    return BanOutcome.BANNED


async def unban_user(
    session: AsyncSession, *, telegram_id: int, actor: str, now: datetime
) -> BanOutcome:
    """Lift a running ban. Outcomes: UNBANNED; NOT_BANNED; UNKNOWN_USER."""
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return BanOutcome.UNKNOWN_USER
    if user.banned_until is None or user.banned_until <= now:
        return BanOutcome.NOT_BANNED
    before = _snapshot(user)
    await session.execute(update(User).where(User.id == user.id)
                          .values(banned_until=None, ban_reason=None)
                          .execution_options(synchronize_session=False))
    record_audit(session, now, actor, "user.unban", f"user:{telegram_id}", before=before,
                 after={"banned_until": None})
    return BanOutcome.UNBANNED


def _snapshot(user: User) -> dict[str, object]:
    until = user.banned_until
    return {"banned_until": until.isoformat() if until else None, "ban_reason": user.ban_reason}
