"""The 주민자치회 recruitment's services on both databases: opening a call, applying and
changing one's answers, withdrawing, the window, the verified 동, the completers' table."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AuditEntry, CouncilApplication
from bot.domain.council import POOL_HEADER, SEOUL_QUOTAS, pool_rows
from bot.domain.deadlines import SEOUL
from bot.domain.lottery import Comparison, QuotaRule
from bot.domain.lottery_tables import parse_pool
from bot.domain.spreadsheet import excel_csv
from bot.services import council
from bot.services.council import (
    ApplyOutcome,
    OpenOutcome,
    RecruitmentRequest,
    RulesOutcome,
    WithdrawOutcome,
)
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
AREAS = ("신도림동", "구로1동")
LAST_DAY = date(2026, 12, 15)  # START is 2026-11-24 15:00 KST


async def open_call(maker: Maker, area: str = "신도림동", **changes: Any) -> OpenOutcome:
    request = replace(RecruitmentRequest(area, 50, 10, LAST_DAY), **changes)
    async with maker() as session, session.begin():
        result = await council.open_recruitment(session, request, areas=AREAS, tz=SEOUL,
                                                actor="telegram:1", now=START)
    return result.outcome


async def resident(maker: Maker, telegram_id: int, area: str | None = "신도림동") -> int:
    async with maker() as session, session.begin():
        return (await make_user(session, telegram_id, START, verified_area=area)).id


async def apply(maker: Maker, user_id: int, age: str | None = "40대", sex: str | None = "여",
                at: timedelta = timedelta(hours=1)) -> council.ApplyResult:
    async with maker() as session, session.begin():
        return await council.apply(session, recruitment_id=1, user_id=user_id, age_band=age,
                                   sex=sex, now=START + at)


@pytest.mark.parametrize(("changes", "outcome"), [
    ({"area": "역삼동"}, OpenOutcome.UNKNOWN_AREA),
    ({"seats": 0}, OpenOutcome.BAD_SEATS),
    ({"reserves": -1}, OpenOutcome.BAD_RESERVES),
    ({"last_day": date(2026, 11, 23)}, OpenOutcome.BAD_DAY),
])
async def test_a_call_that_cannot_be_opened_is_refused(
    sessionmaker: Maker, changes: dict[str, Any], outcome: OpenOutcome
) -> None:
    assert await open_call(sessionmaker, **changes) is outcome


async def test_a_call_runs_until_the_end_of_its_last_day_one_at_a_time_per_dong(
    sessionmaker: Maker,
) -> None:
    assert await open_call(sessionmaker) is OpenOutcome.OPENED
    assert await open_call(sessionmaker) is OpenOutcome.ALREADY_OPEN
    assert await open_call(sessionmaker, area="구로1동") is OpenOutcome.OPENED
    minji = await resident(sessionmaker, 101)
    async with sessionmaker() as session:
        shown = await council.standing(session, minji, START)
        audited = await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "council.recruitment_opened"))
    assert shown.recruitment is not None and shown.application is None
    assert shown.recruitment.closes_at == datetime(2026, 12, 15, 15, tzinfo=UTC)  # 24:00 KST
    assert audited == 2
    assert (await apply(sessionmaker, minji, at=timedelta(days=21, hours=8, minutes=59))
            ).outcome is ApplyOutcome.APPLIED
    assert (await apply(sessionmaker, minji, at=timedelta(days=21, hours=9))
            ).outcome is ApplyOutcome.CLOSED


async def test_applying_again_changes_the_answers_and_keeps_the_number(
    sessionmaker: Maker,
) -> None:
    await open_call(sessionmaker)
    minji = await resident(sessionmaker, 101)
    first = await apply(sessionmaker, minji)
    again = await apply(sessionmaker, minji, age="50대", at=timedelta(hours=2))
    assert (first.outcome, again.outcome) == (ApplyOutcome.APPLIED, ApplyOutcome.UPDATED)
    assert first.number == again.number
    async with sessionmaker() as session:
        shown = await council.standing(session, minji, START + timedelta(hours=3))
    assert shown.application == council.Application(first.number or 0, "50대", "여", False)


async def test_a_double_tap_makes_one_application(sessionmaker: Maker, backend: str) -> None:
    await open_call(sessionmaker)
    minji = await resident(sessionmaker, 101)
    taps = [apply(sessionmaker, minji), apply(sessionmaker, minji)]
    results = (await asyncio.gather(*taps) if backend == "postgres"
               else [await tap for tap in taps])
    assert {r.number for r in results} == {results[0].number}
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CouncilApplication)) == 1


async def test_only_verified_residents_of_the_dong_apply_with_known_answers(
    sessionmaker: Maker,
) -> None:
    await open_call(sessionmaker)
    unverified = await resident(sessionmaker, 102, area=None)
    elsewhere = await resident(sessionmaker, 103, area="구로1동")
    minji = await resident(sessionmaker, 101)
    assert (await apply(sessionmaker, unverified)).outcome is ApplyOutcome.NOT_VERIFIED
    assert (await apply(sessionmaker, elsewhere)).outcome is ApplyOutcome.OTHER_AREA
    assert (await apply(sessionmaker, minji, age=None)).outcome is ApplyOutcome.BAD_CHOICE
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CouncilApplication)) == 0
        elsewhere_sees = await council.standing(session, elsewhere, START)
    assert elsewhere_sees.area == "구로1동" and elsewhere_sees.recruitment is None


async def test_withdrawing_until_the_window_closes(sessionmaker: Maker) -> None:
    await open_call(sessionmaker)
    minji = await resident(sessionmaker, 101)

    async def withdraw(at: timedelta) -> WithdrawOutcome:
        async with sessionmaker() as session, session.begin():
            return await council.withdraw(session, recruitment_id=1, user_id=minji,
                                          now=START + at)

    assert await withdraw(timedelta(hours=1)) is WithdrawOutcome.NOT_APPLIED
    await apply(sessionmaker, minji)
    assert await withdraw(timedelta(hours=2)) is WithdrawOutcome.WITHDRAWN
    assert await withdraw(timedelta(hours=3)) is WithdrawOutcome.NOT_APPLIED
    assert (await apply(sessionmaker, minji, at=timedelta(hours=4))).outcome is \
        ApplyOutcome.UPDATED  # back in, with the same number
    assert await withdraw(timedelta(days=30)) is WithdrawOutcome.CLOSED


async def test_the_completers_table_feeds_the_lottery(sessionmaker: Maker) -> None:
    await open_call(sessionmaker)
    people = [await resident(sessionmaker, 200 + n) for n in range(4)]
    numbers = [(await apply(sessionmaker, p, sex=("여", "남")[n % 2])).number or 0
               for n, p in enumerate(people)]
    async with sessionmaker() as session, session.begin():
        await council.withdraw(session, recruitment_id=1, user_id=people[3],
                               now=START + timedelta(hours=2))
    async with sessionmaker() as session, session.begin():
        result = await council.record_completers(
            session, recruitment_id=1, numbers=[numbers[0], numbers[1], numbers[3], 999],
            actor="telegram:1", now=START + timedelta(days=3))
    assert (result.recorded, result.unknown) == (2, (numbers[3], 999))  # withdrawn, unknown
    async with sessionmaker() as session, session.begin():
        again = await council.record_completers(
            session, recruitment_id=1, numbers=[numbers[0]], actor="telegram:1",
            now=START + timedelta(days=4))
        recruitment, done, applied = await council.completers(session, 1)
    assert again.recorded == 0 and recruitment is not None and applied == 3
    pool = parse_pool(excel_csv(POOL_HEADER, pool_rows(done)).decode("utf-8-sig"))
    assert [(a.number, dict(a.features)) for a in pool] == [
        (f"{numbers[0]:04d}", {"age": "40대", "sex": "여"}),
        (f"{numbers[1]:04d}", {"age": "40대", "sex": "남"}),
    ]
    async with sessionmaker() as session:
        assert not (await council.record_completers(
            session, recruitment_id=7, numbers=[1], actor="x", now=START)).found


async def test_a_calls_rules_are_data_until_its_draw_is_prepared(sessionmaker: Maker) -> None:
    await open_call(sessionmaker)
    tong = QuotaRule("tong", ("3",), Comparison.AT_MOST, count=5)
    women = QuotaRule("sex", ("여",), Comparison.AT_LEAST, percent=50)
    unknown_band = QuotaRule("age", ("70대",), Comparison.AT_MOST, percent=10)

    async def set_rules(*rules: QuotaRule) -> council.RulesResult:
        async with sessionmaker() as session, session.begin():
            return await council.set_rules(session, recruitment_id=1, rules=rules,
                                           actor="telegram:1", now=START)

    assert (await set_rules(tong)).outcome is RulesOutcome.UNSUITED  # the form asks no 통
    assert (await set_rules(unknown_band)).outcome is RulesOutcome.UNSUITED
    async with sessionmaker() as session:
        call = await council.recruitment(session, 1)
    assert call is not None and call.rules == SEOUL_QUOTAS  # unchanged
    set_ = await set_rules(women)
    assert set_.outcome is RulesOutcome.SET and set_.recruitment is not None
    assert set_.recruitment.rules == (women,)
    async with sessionmaker() as session:
        audited = await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "council.rules_set"))
    assert audited == 1
