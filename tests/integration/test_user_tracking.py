"""The user the tracking handler hands to the rules carries the role and the ban as stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.permissions import Action, Actor, Allowed, Ban, RefusalReason, Refused, Role, may
from bot.services import bans
from bot.services.users import UpdateStart, record_update
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
