"""Residents as the bot knows them: created on first contact, language and notification choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate, Role, User
from bot.i18n import SUPPORTED_LANGUAGES, pick_language
from bot.services.sql import insert_ignoring_conflicts

PROCESSED_UPDATES_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class UserView:
    """What handlers need to know about the person behind an update."""

    id: int
    telegram_id: int
    language: str
    role: Role
    muted_all: bool

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


@dataclass(frozen=True)
class UpdateStart:
    duplicate: bool
    user: UserView | None


async def begin_update(
    session: AsyncSession,
    *,
    update_id: int,
    telegram_id: int | None,
    telegram_language: str | None,
    admin_ids: frozenset[int],
    now: datetime,
) -> UpdateStart:
    """Record the update id (a redelivered update is reported as duplicate) and the user."""
    claimed = await session.execute(
        insert_ignoring_conflicts(session, ProcessedUpdate, update_id=update_id, processed_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return UpdateStart(duplicate=True, user=None)
    if telegram_id is None:
        return UpdateStart(duplicate=False, user=None)
    user = await _upsert_user(session, telegram_id, telegram_language, admin_ids, now)
    return UpdateStart(duplicate=False, user=user)


async def _upsert_user(
    session: AsyncSession,
    telegram_id: int,
    telegram_language: str | None,
    admin_ids: frozenset[int],
    now: datetime,
) -> UserView:
    await session.execute(
        insert_ignoring_conflicts(
            session,
            User,
            telegram_id=telegram_id,
            language=pick_language(None, telegram_language),
            language_chosen=False,
            role=Role.ADMIN if telegram_id in admin_ids else Role.RESIDENT,
            muted_all=False,
            unreachable=False,
            created_at=now,
            last_seen_at=now,
        )
    )
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    user.last_seen_at = now
    user.unreachable = False
    if not user.language_chosen:
        user.language = pick_language(None, telegram_language)
    if telegram_id in admin_ids:
        user.role = Role.ADMIN
    return _view(user)


async def set_language(session: AsyncSession, user_id: int, language: str) -> bool:
    """Remember the user's explicit choice; False for a language we don't offer."""
    if language not in SUPPORTED_LANGUAGES:
        return False
    await session.execute(
        update(User).where(User.id == user_id).values(language=language, language_chosen=True)
    )
    return True


async def set_muted_all(session: AsyncSession, user_id: int, muted: bool) -> None:
    await session.execute(update(User).where(User.id == user_id).values(muted_all=muted))


async def forget_old_updates(session: AsyncSession, now: datetime) -> None:
    """Keep the redelivery guard small; Telegram never redelivers week-old updates."""
    await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - PROCESSED_UPDATES_KEPT)
    )


def _view(user: User) -> UserView:
    return UserView(user.id, user.telegram_id, user.language, Role(user.role), user.muted_all)
