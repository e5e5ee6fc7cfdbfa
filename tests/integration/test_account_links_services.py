"""Account linking against both databases: what counts as activity, which side gives way,
a ban or a staff role that linking cannot shed, two accounts racing for one code, and a code
kept under the previous key."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import KakaoAccount, TextContact, User
from bot.domain.account_links import Join
from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.permissions import Role
from bot.services.account_links import (
    LinkOutcome,
    LinkResult,
    issue_link_code,
    redeem_link_code,
)
from bot.services.text_contacts import give_number
from tests.conftest import START
from tests.support.factories import make_proposal, make_user

SECRET, PREVIOUS = "s" * 64, "p" * 64
Maker = async_sessionmaker[AsyncSession]


async def kakao_resident(maker: Maker, number: int, **user: object) -> int:
    async with maker() as session, session.begin():
        resident = await make_user(session, KAKAO_ID_BASE + number, START, **user)
        session.add(KakaoAccount(key_hash=f"{number:064d}", user_id=resident.id, turns=0,
                                 created_at=START))
    return resident.id


async def telegram_resident(maker: Maker, telegram_id: int, **user: object) -> int:
    async with maker() as session, session.begin():
        return (await make_user(session, telegram_id, START, **user)).id


async def shown_code(maker: Maker, user_id: int, key: str = SECRET) -> str:
    async with maker() as session, session.begin():
        issued = await issue_link_code(session, user_id=user_id, secret_key=key, now=START)
    assert issued.code is not None
    return issued.code


async def redeem(maker: Maker, user_id: int, code: str,
                 keys: tuple[str, ...] = (SECRET,)) -> LinkResult:
    async with maker() as session, session.begin():
        return await redeem_link_code(session, user_id=user_id, typed=code, secret_keys=keys,
                                      actor="test", now=START + timedelta(minutes=1))


async def survivor(maker: Maker) -> User:
    async with maker() as session:
        account = (await session.scalars(select(KakaoAccount))).one()
        user = await session.get(User, account.user_id)
    assert user is not None
    return user


async def test_a_banned_kakao_resident_keeps_the_ban_when_linking(sessionmaker: Maker) -> None:
    kakao = await kakao_resident(sessionmaker, 1, banned_until=START + timedelta(days=30))
    telegram = await telegram_resident(sessionmaker, 8101)
    result = await redeem(sessionmaker, kakao, await shown_code(sessionmaker, telegram))
    assert (result.outcome, result.join) == (LinkOutcome.LINKED, Join.TELEGRAM_JOINS_KAKAO)
    user = await survivor(sessionmaker)
    assert (user.id, user.telegram_id, user.banned_until) == (
        kakao, 8101, START + timedelta(days=30))


async def test_a_staff_member_with_a_banned_kakao_account_is_refused(
    sessionmaker: Maker,
) -> None:
    kakao = await kakao_resident(sessionmaker, 2, banned_until=START + timedelta(days=30))
    staff = await telegram_resident(sessionmaker, 8102, role=Role.MODERATOR)
    result = await redeem(sessionmaker, staff, await shown_code(sessionmaker, kakao))
    assert result.outcome is LinkOutcome.BOTH_ACTIVE


async def test_two_accounts_racing_for_one_code_link_once(sessionmaker: Maker) -> None:
    telegram = await telegram_resident(sessionmaker, 8103)
    first, second = (await kakao_resident(sessionmaker, 3), await kakao_resident(sessionmaker, 4))
    code = await shown_code(sessionmaker, telegram)
    results = await asyncio.gather(redeem(sessionmaker, first, code),
                                   redeem(sessionmaker, second, code))
    assert sorted(result.outcome for result in results) == [LinkOutcome.LINKED,
                                                            LinkOutcome.USED]


async def test_a_code_shown_under_the_previous_key_still_links(sessionmaker: Maker) -> None:
    telegram = await telegram_resident(sessionmaker, 8104)
    kakao = await kakao_resident(sessionmaker, 5)
    code = await shown_code(sessionmaker, telegram, key=PREVIOUS)
    result = await redeem(sessionmaker, kakao, code, keys=(SECRET, PREVIOUS))
    assert result.join is Join.KAKAO_JOINS_TELEGRAM
    assert (await survivor(sessionmaker)).id == telegram


async def test_linking_forgets_the_alimtalk_number_of_the_surviving_kakao_side(
    sessionmaker: Maker,
) -> None:
    kakao = await kakao_resident(sessionmaker, 31)
    telegram = await telegram_resident(sessionmaker, 7031)
    async with sessionmaker() as session, session.begin():
        author = await session.get(User, kakao)
        assert author is not None
        await make_proposal(session, author, START)  # activity: the Kakao side survives
        await session.run_sync(lambda sync: give_number(
            sync.connection(), user_id=kakao, number="01012345678", contact_key="c" * 40,
            secret_key=SECRET, now=START))
    result = await redeem(sessionmaker, telegram, await shown_code(sessionmaker, kakao))
    assert result.outcome is LinkOutcome.LINKED and (await survivor(sessionmaker)).id == kakao
    async with sessionmaker() as session:
        assert (await session.scalars(select(TextContact))).all() == []
