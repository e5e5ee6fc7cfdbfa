"""Bans: a banned resident's new proposals, opinions, reports and 공감 are refused.

The rule is `bot.domain.permissions.may`; the services that write a resident's contribution
ask it here (`ensure_permitted`), with the actor read in their own transaction, so that
every way in (buttons, commands, the forum mirror, the web) is covered even if a handler
forgets to ask. A refusal is the `UserBanned` exception: raised before anything is written,
it rolls the caller's transaction back, and the error handler tells the person politely
until when and why (see `bot/handlers/errors.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.domain.permissions import PERMANENT, Action, Actor, Allowed, Ban, Refused, Role, may
from bot.services.audit import record_audit

MAX_BAN_DAYS = 3650


class UserBanned(Exception):
    """The acting user is banned (the rules refused); nothing was written."""

    def __init__(self, refused: Refused) -> None:
        super().__init__("user is banned")
        assert refused.ban is not None
        self.refused = refused
        self.until = refused.ban.until
        self.reason = refused.ban.reason

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


async def load_actor(session: AsyncSession, user_id: int) -> Actor | None:
    """The user as the permission rules see them; None for an unknown id."""
    row = (await session.execute(
        select(User.role, User.banned_until, User.ban_reason).where(User.id == user_id)
    )).first()
    if row is None:
        return None
    ban = Ban(row.banned_until, row.ban_reason or "") if row.banned_until is not None else None
    return Actor(user_id, Role(row.role), ban)


async def current_ban(session: AsyncSession, user_id: int, now: datetime) -> Ban | None:
    """The user's ban if it is still running."""
    actor = await load_actor(session, user_id)
    return actor.ban_running(now) if actor is not None else None


async def ensure_permitted(
    session: AsyncSession, user_id: int, action: Action, now: datetime
) -> None:
    """Ask the rules for a resident's contribution; raise `UserBanned` when they refuse.

    Only the ban matters here: the rules about the subject (one's own proposal, the author
    only) become the services' own outcomes, asked of `subject_rules` once the subject is
    loaded."""
    verdict = may(await load_actor(session, user_id), action, now=now)
    if not isinstance(verdict, Allowed):
        raise UserBanned(verdict)


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
