"""「구가 묻습니다」's services on both backends: a consultation opens on its first day and
closes at the end of its last, each once even when the machine runs twice; one vote per
resident of the audience, changeable until the close; opinions only under a choice; the close
freezes the votes and hands the question to its department with the answer clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import Consultation, OutboxMessage, Proposal, Subscription
from bot.domain.consultations import parse_consultation
from bot.domain.lifecycle import ProposalStatus
from bot.services import consultations
from bot.services.consultations import OpinionOutcome, VoteOutcome
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.departments import create_department
from tests.conftest import START
from tests.integration.test_answers_services import CALENDAR, SETTINGS
from tests.support.factories import follow, make_proposal, make_user

Maker = async_sessionmaker[AsyncSession]
T = TypeVar("T")
FORM = """/consult_new 골목 일방통행 지정
배경 학교 앞 골목에 차가 양방향으로 다녀 아이들이 위험해요. 일방통행을 검토하고 있어요.
질문 학교 앞 골목을 일방통행으로 바꿀까요?
선택 찬반
찬성 아이들이 안전해져요.
반대 돌아가는 길이 길어져요.
기간 2026-11-26 2026-11-30
대상 분야 안전·방범
부서 교통행정과"""
CONTEXT = DeadlineContext(SETTINGS.policy, CALENDAR, SETTINGS.venues, None, SETTINGS.secret_key)


async def seed(sessionmaker: Maker) -> tuple[int, list[int]]:
    """The consultation (scheduled: it starts in two days) and three residents, two of whom
    follow a 안전·방범 proposal (its audience)."""
    async with sessionmaker() as session, session.begin():
        staff = await make_user(session, 8800, START)
        residents = [await make_user(session, 8801 + n, START) for n in range(3)]
        safety = await make_proposal(session, staff, START, category="안전·방범")
        for resident in residents[:2]:
            await follow(session, resident, safety, START)
        await create_department(session, name="교통행정과", now=START, chat_id=-880)
        form = parse_consultation(FORM, ("구로1동",), ("안전·방범",), date(2026, 11, 24))
        created = await consultations.create(session, form, author_id=staff.id, actor="admin",
                                             now=START, policy=SETTINGS.policy,
                                             venues=SETTINGS.venues)
    return created.consultation_id, [r.id for r in residents]


async def kinds(sessionmaker: Maker, kind: str) -> list[int]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage.chat_id)
                                          .where(OutboxMessage.kind == kind)
                                          .order_by(OutboxMessage.chat_id)))


async def act(sessionmaker: Maker, work: Callable[..., Awaitable[T]], *args: object) -> T:
    """`work(session, *args)` in a transaction of its own."""
    async with sessionmaker() as session, session.begin():
        return await work(session, *args)


async def test_it_opens_once_to_its_audience_takes_votes_and_closes_once(
    sessionmaker: Maker,
) -> None:
    number, (in_a, in_b, outside) = await seed(sessionmaker)
    opening = datetime(2026, 11, 25, 15, tzinfo=UTC)  # 11/26 00:00 KST
    assert await act(sessionmaker, consultations.vote, number, in_a, 0, START) is (
        VoteOutcome.NOT_OPEN)
    clock = fake_clock(opening)
    machine = DeadlineMachine(sessionmaker, clock, CONTEXT)
    assert await machine.run_due() == 1 and await machine.run_due() == 0
    assert await kinds(sessionmaker, "consultation_opened") == [8801, 8802]

    assert await act(sessionmaker, consultations.vote, number, in_a, 0, opening) is (
        VoteOutcome.RECORDED)
    assert await act(sessionmaker, consultations.vote, number, in_a, 0, opening) is (
        VoteOutcome.UNCHANGED)
    assert await act(sessionmaker, consultations.vote, number, in_a, 1, opening) is (
        VoteOutcome.CHANGED)
    assert await act(sessionmaker, consultations.vote, number, outside, 0, opening) is (
        VoteOutcome.NOT_IN_AUDIENCE)
    assert await act(sessionmaker, consultations.vote, number, in_b, 5, opening) is (
        VoteOutcome.BAD_CHOICE)
    assert await act(sessionmaker, consultations.add_opinion, number, in_b,
                     "아이들이 걱정돼요 정말로요", opening) is OpinionOutcome.NOT_VOTED
    await act(sessionmaker, consultations.vote, number, in_b, 0, opening)
    assert await act(sessionmaker, consultations.add_opinion, number, in_b, "짧아",
                     opening) is OpinionOutcome.TOO_SHORT
    assert await act(sessionmaker, consultations.add_opinion, number, in_b,
                     "아이들이 걱정돼요 정말로요", opening) is OpinionOutcome.POSTED

    closing = datetime(2026, 11, 30, 15, tzinfo=UTC)  # the end of 11/30 KST
    await clock.advance(closing - clock.now())
    assert await machine.run_due() == 1 and await machine.run_due() == 0
    assert await act(sessionmaker, consultations.vote, number, in_b, 1, closing) is (
        VoteOutcome.NOT_OPEN)
    async with sessionmaker() as session:
        consultation = await session.get(Consultation, number)
        assert consultation is not None and consultation.result == [1, 1]
        proposal = await session.get(Proposal, consultation.proposal_id)
        followers = await session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.proposal_id == consultation.proposal_id))
    assert proposal is not None and proposal.status == ProposalStatus.AWAITING_ANSWER
    assert proposal.answer_due is not None and proposal.next_reminder_at is not None
    assert followers == 2  # the voters follow it: the department's answer reaches them
    assert await kinds(sessionmaker, "consultation_closed") == [8801, 8802]
    assert await kinds(sessionmaker, "department_link") == [-880]
