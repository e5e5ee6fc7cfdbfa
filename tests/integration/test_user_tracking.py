"""The user the tracking handler hands to the rules carries the role and the ban as stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import User
from bot.domain.permissions import Action, Actor, Allowed, Ban, RefusalReason, Refused, Role, may
from bot.services import bans
from bot.services.users import (
    UpdateStart,
    UserView,
    record_update,
    set_daily_digest,
    set_muted_all,
)
from tests.conftest import START
from tests.support.factories import make_user


async def tracked(sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int,
                  update_id: int) -> UpdateStart:
    async with sessionmaker() as session, session.begin():
        return await session.run_sync(lambda sync: record_update(
            sync.connection(), update_id=update_id, telegram_id=telegram_id,
            telegram_language="ko", admin_ids=frozenset(), now=START))


async def test_a_banned_resident_is_tracked_with_the_ban_and_refused_by_the_rules(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 5101, START)
        await make_user(session, 5102, START)
        assert await bans.ban_user(session, telegram_id=5102, days=7, reason="도배",
                                   actor="telegram:1", now=START) is bans.BanOutcome.BANNED
    free, banned = await tracked(sessionmaker, 5101, 1), await tracked(sessionmaker, 5102, 2)
    assert free.user is not None and banned.user is not None
    assert free.user.ban is None
    assert banned.user.ban == Ban(START + timedelta(days=7), "도배")
    actor = Actor(banned.user.id, banned.user.role, banned.user.ban)
    assert may(actor, Action.ENDORSE, now=START) == Refused(RefusalReason.BANNED,
                                                            banned.user.ban)
    assert may(Actor(free.user.id, Role.RESIDENT, free.user.ban), Action.ENDORSE,
               now=START) == Allowed()


async def track(
    sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int, update_id: int, *,
    language: str | None = "ko", admins: frozenset[int] = frozenset(), minutes: int = 0,
) -> UserView:
    async with sessionmaker() as session, session.begin():
        start = await session.run_sync(lambda sync: record_update(
            sync.connection(), update_id=update_id, telegram_id=telegram_id,
            telegram_language=language, admin_ids=admins, now=START + timedelta(minutes=minutes)))
    assert start.user is not None
    return start.user


async def stored(sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int) -> User:
    async with sessionmaker() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user


async def test_first_contact_creates_the_resident_and_later_updates_refresh_what_telegram_says(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await track(sessionmaker, 5201, 1, language="en")
    assert (first.language, first.role, first.muted_all, first.budget_news) == (
        "en", Role.RESIDENT, False, False)
    again = await track(sessionmaker, 5201, 2, language="ko", minutes=5)
    assert (again.id, again.language) == (first.id, "ko")
    user = await stored(sessionmaker, 5201)
    assert user.created_at == START and user.last_seen_at == START + timedelta(minutes=5)


async def test_a_chosen_language_a_granted_role_and_an_admin_id_are_respected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await make_user(session, 5301, START, language="en", language_chosen=True,
                        role=Role.MODERATOR, unreachable=True, budget_news=True)
    moderator = await track(sessionmaker, 5301, 1, language="ko")
    assert (moderator.language, moderator.role, moderator.budget_news) == (
        "en", Role.MODERATOR, True)
    assert not (await stored(sessionmaker, 5301)).unreachable  # they wrote: reachable again
    admins = frozenset({5301, 5302})
    assert (await track(sessionmaker, 5301, 2, admins=admins)).role is Role.ADMIN
    assert (await track(sessionmaker, 5302, 3, admins=admins)).role is Role.ADMIN


async def test_the_settings_toggles_switch_only_that_residents_flag_both_ways(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    resident = await track(sessionmaker, 5301, 1)
    await track(sessionmaker, 5302, 2)  # a neighbour, whose flags stay as they are

    async def toggle(work: Callable[..., None], **flag: bool) -> None:
        async with sessionmaker() as session, session.begin():
            await session.run_sync(lambda sync: work(sync.connection(), resident.id, **flag))

    await toggle(set_muted_all, muted=True)
    await toggle(set_daily_digest, daily=True)
    muted = await stored(sessionmaker, 5301)
    assert muted.muted_all is True and muted.daily_digest is True
    untouched = await stored(sessionmaker, 5302)
    assert untouched.muted_all is False and untouched.daily_digest is False
    await toggle(set_muted_all, muted=False)
    await toggle(set_daily_digest, daily=False)
    back = await stored(sessionmaker, 5301)
    assert back.muted_all is False and back.daily_digest is False
