"""Residents as the bot knows them: created on first contact, language and notification choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Insert,
    Integer,
    String,
    Table,
    bindparam,
    case,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.db.types import UTCDateTime
from bot.domain.permissions import Ban, Role
from bot.i18n import SUPPORTED_LANGUAGES, pick_language
from bot.services.intake import was_handled
from bot.services.sql import insert_of

_users = cast(Table, User.__table__)
# The settings screen's toggles run on a resident's tap: built once with bound parameters, as
# the upsert below, not anew for every press (building costs more than SQLite takes to run
# them). The parameters are named unlike the columns, whose names an UPDATE reserves for SET.
_WHICH_USER = bindparam("which_user", type_=Integer)
_SET_DAILY_DIGEST = (
    update(_users)
    .where(_users.c.id == _WHICH_USER)
    .values(daily_digest=bindparam("daily", type_=Boolean))
)
_SET_MUTED_ALL = (
    update(_users)
    .where(_users.c.id == _WHICH_USER)
    .values(muted_all=bindparam("muted", type_=Boolean))
)


@dataclass(frozen=True)
class UserView:
    """What handlers need to know about the person behind an update."""

    id: int
    telegram_id: int
    language: str
    role: Role
    muted_all: bool
    ban: Ban | None = None  # as stored: it may have ended already (the rules compare it to now)
    daily_digest: bool = False  # non-urgent news once a day (bot/domain/digest.py)
    budget_news: bool = False  # told when a budget vote opens (the settings screen shows it)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


@dataclass(frozen=True)
class UpdateStart:
    duplicate: bool
    user: UserView | None


def record_update(
    connection: Connection,
    *,
    update_id: int,
    telegram_id: int | None,
    telegram_language: str | None,
    admin_ids: frozenset[int],
    now: datetime,
) -> UpdateStart:
    """Check the update was not handled before (a redelivery is reported as duplicate) and
    record the user.

    This runs for every update, so it is written for the database's fast lane: synchronous,
    two Core statements (a look-up of the stored update, and one upsert of the user
    returning what the handlers need), no ORM session.
    """
    if was_handled(connection, update_id, now):
        return UpdateStart(duplicate=True, user=None)
    if telegram_id is None:
        return UpdateStart(duplicate=False, user=None)
    is_admin = telegram_id in admin_ids
    row = connection.execute(_upsert_statement(connection.dialect.name), {
        "telegram_id": telegram_id, "language": pick_language(None, telegram_language),
        "role": Role.ADMIN if is_admin else Role.RESIDENT, "is_admin": is_admin, "now": now,
    }).one()
    ban = Ban(row.banned_until, row.ban_reason or "") if row.banned_until is not None else None
    return UpdateStart(duplicate=False, user=UserView(row.id, telegram_id, row.language,
                                                      Role(row.role), row.muted_all, ban,
                                                      daily_digest=bool(row.daily_digest),
                                                      budget_news=bool(row.budget_news)))


@cache
def _upsert_statement(dialect: str) -> Insert:
    """Create the user on first contact; later, refresh what Telegram tells us each time.

    Built once per dialect with bound parameters: every update runs it, and building the
    statement anew cost several times what SQLite takes to run it."""
    insert = insert_of(dialect)
    users = cast(Table, User.__table__)
    current = users.c
    now = bindparam("now", type_=UTCDateTime())
    language = bindparam("language", type_=String)
    statement = insert(users).values(
        telegram_id=bindparam("telegram_id", type_=BigInteger), language=language,
        language_chosen=False, role=bindparam("role", type_=String), muted_all=False,
        unreachable=False, created_at=now, last_seen_at=now,
    )
    return statement.on_conflict_do_update(
        index_elements=[current.telegram_id],
        set_={
            "last_seen_at": now,
            "unreachable": False,
            "language": case((current.language_chosen, current.language), else_=language),
            "role": case((bindparam("is_admin", type_=Boolean), bindparam("role", type_=String)),
                         else_=current.role),
        },
    ).returning(current.id, current.language, current.role, current.muted_all,
                current.banned_until, current.ban_reason, current.daily_digest,
                current.budget_news)


async def set_language(session: AsyncSession, user_id: int, language: str) -> bool:
    """Remember the user's explicit choice; False for a language we don't offer."""
    if language not in SUPPORTED_LANGUAGES:
        return False
    await session.execute(
        update(User).where(User.id == user_id).values(language=language, language_chosen=True)
    )
    return True


def set_daily_digest(connection: Connection, user_id: int, daily: bool) -> None:
    """News once a day, or as it happens (a fast-lane write: it runs on the resident's tap).

    Switching it off needs nothing more: the waiting rows are due at once (see the
    dispatcher)."""
    connection.execute(_SET_DAILY_DIGEST, {"which_user": user_id, "daily": daily})


def set_muted_all(connection: Connection, user_id: int, muted: bool) -> None:
    """Mute or unmute everything (a fast-lane write: it runs on the resident's tap)."""
    connection.execute(_SET_MUTED_ALL, {"which_user": user_id, "muted": muted})
