"""Answers that cannot slip (issue #15): the interim request at the middle of the answer
window, 「중간답변 없음」 at D-3, the overdue escalation (department → head → moderators), the
expected answer date and its moves, and the named deadlines. Each runs on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.models import Department, OutboxMessage, Proposal
from bot.domain.answer_clock import DueChange, DueKind
from bot.domain.answers import AnswerForm, AnswerKind, next_reminder
from bot.domain.deadlines import SEOUL, end_of_day, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import I18n
from bot.rendering.deadlines import deadline_line
from bot.services import answers, proposal_pages
from bot.services.answer_steps import first_answer_step
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from tests.conftest import START
from tests.integration.test_answers_services import CALENDAR, SETTINGS, seed, submit

Maker = async_sessionmaker[AsyncSession]
CLOSES = end_of_day(date(2026, 12, 9))  # the debate closed 12월 9일 24:00
DUE = official_deadline(CLOSES, 30, CALENDAR)  # 2027년 1월 8일(금)
MAIL, HEAD = "road@gu.example", "chief@gu.example"
# the assignment's and the D-7 / D-1 reminders' messages (tested in test_answers_services)
NOT_HERE = frozenset({"department_link", "department_assigned", "answer_reminder_d7",
                      "answer_reminder_d1"})
CONTEXT = DeadlineContext(SETTINGS.policy, CALENDAR, SETTINGS.venues, "smtp://mail.example")


def kst(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL).astimezone(UTC)


async def awaiting_answer(sessionmaker: Maker, *, head: bool = True) -> tuple[int, str]:
    """A proposal whose debate closed 12/9, its answer due 1/8, with a department that has an
    e-mail (and its head's)."""
    pid, department, token = await seed(sessionmaker, ProposalStatus.AWAITING_ANSWER)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Department).where(Department.id == department).values(
            contact_emails=MAIL, head_email=HEAD if head else None))
        await session.execute(update(Proposal).where(Proposal.id == pid).values(
            debate_closes_at=CLOSES, answer_due=DUE,
            next_reminder_at=next_reminder(DUE, kst(date(2026, 12, 10)), calendar=CALENDAR),
            answer_step_at=first_answer_step(CLOSES, DUE, kst(date(2026, 12, 10)), CALENDAR)))
    return pid, token


async def run_twice(sessionmaker: Maker, at: datetime) -> None:
    """The machine at `at`, twice (a second sweep, or a second process, changes nothing)."""
    machine = DeadlineMachine(sessionmaker, ShiftableClock(at, frozen=True), CONTEXT)
    await machine.run_due()
    await machine.run_due()


async def sent(sessionmaker: Maker) -> list[tuple[str, int, str | None]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id, OutboxMessage.address)
            .order_by(OutboxMessage.id))
    return [(k, c, a) for k, c, a in rows if k not in NOT_HERE]


async def page_at(sessionmaker: Maker, pid: int, now: datetime) -> proposal_pages.ProposalPage:
    async with sessionmaker() as session:
        page = await proposal_pages.load_public_page(session, pid, now, SETTINGS.policy, CALENDAR)
    assert page is not None
    return page


async def test_no_interim_answer_is_asked_for_flagged_and_the_overdue_answer_escalates(
    sessionmaker: Maker,
) -> None:
    pid, _ = await awaiting_answer(sessionmaker)
    await run_twice(sessionmaker, kst(date(2026, 12, 24)))  # the middle of the window
    assert await sent(sessionmaker) == [("interim_requested", -700, None),
                                        ("interim_requested", 0, MAIL)]
    assert not (await page_at(sessionmaker, pid, kst(date(2027, 1, 4)))).interim_missing
    await run_twice(sessionmaker, kst(date(2027, 1, 5)))  # D-3, still nothing
    assert (await sent(sessionmaker))[2:] == [("moderation_interim_missing", -500, None),
                                             ("interim_missing", 0, MAIL)]
    assert (await page_at(sessionmaker, pid, kst(date(2027, 1, 5)))).interim_missing
    before = len(await sent(sessionmaker))
    for day in (11, 12, 13):  # 1/9–1/10 are a weekend: the first overdue day is Monday 1/11
        await run_twice(sessionmaker, kst(date(2027, 1, day)))
    steps = [(k, c, a) for k, c, a in (await sent(sessionmaker))[before:]
             if k != "answer_overdue"]
    assert steps == [("answer_reminder_overdue", -700, None), ("answer_reminder_overdue", 0, MAIL),
                     ("answer_escalated", 0, HEAD), ("moderation_overdue", -500, None)]


async def test_without_a_head_the_moderators_are_told_on_the_second_day_once(
    sessionmaker: Maker,
) -> None:
    await awaiting_answer(sessionmaker, head=False)
    for day in (11, 12, 13, 14):
        await run_twice(sessionmaker, kst(date(2027, 1, day)))
    kinds = [k for k, _, _ in await sent(sessionmaker)]
    assert "answer_escalated" not in kinds and kinds.count("moderation_overdue") == 1


async def test_an_interim_answer_with_its_date_stops_the_request_and_moves_are_announced(
    sessionmaker: Maker,
) -> None:
    pid, token = await awaiting_answer(sessionmaker)
    first = AnswerForm(AnswerKind.INTERIM, "김담당", "예산 부서와 협의하고 있어요.",
                       expected_completion="2027-01-08")
    result = await submit(sessionmaker, token, first, "i1", now=kst(date(2026, 12, 14)))
    assert result.outcome is answers.AnswerOutcome.PUBLISHED
    moved = AnswerForm(AnswerKind.INTERIM, "김담당", "현장 조사가 늦어지고 있어요.",
                       expected_completion="2027-01-20")
    await submit(sessionmaker, token, moved, "i2", now=kst(date(2026, 12, 20)))
    for day in (date(2026, 12, 24), date(2027, 1, 5)):
        await run_twice(sessionmaker, kst(day))
    kinds = [k for k, _, _ in await sent(sessionmaker)]
    assert "interim_requested" not in kinds and "moderation_interim_missing" not in kinds
    async with sessionmaker() as session:
        pushes = [params for (params,) in await session.execute(
            select(OutboxMessage.params).where(OutboxMessage.kind == "answer_published",
                                               OutboxMessage.chat_id == 900)
            .order_by(OutboxMessage.id))]
    assert "answer_expected_before" not in pushes[0]
    assert pushes[1]["answer_expected_before"] == end_of_day(date(2027, 1, 8)).isoformat()
    assert pushes[1]["answer_expected"] == end_of_day(date(2027, 1, 20)).isoformat()
    page = await page_at(sessionmaker, pid, kst(date(2027, 1, 5)))
    assert page.expected_answer == date(2027, 1, 20) and not page.interim_missing


async def test_two_processes_racing_run_each_step_once(sessionmaker: Maker) -> None:
    await awaiting_answer(sessionmaker)
    at = kst(date(2026, 12, 24))
    machines = [DeadlineMachine(sessionmaker, ShiftableClock(at, frozen=True), CONTEXT)
                for _ in range(2)]
    await asyncio.gather(*(machine.run_due() for machine in machines))
    assert [k for k, _, _ in await sent(sessionmaker)].count("interim_requested") == 2  # chat+mail


async def test_a_debate_names_its_close_and_the_answer_deadline_its_close_will_set(
    sessionmaker: Maker,
) -> None:
    closes = end_of_day(date(2026, 12, 9))
    pid, _, _ = await seed(sessionmaker, ProposalStatus.IN_DEBATE, debate_closes_at=closes)
    page = await page_at(sessionmaker, pid, kst(date(2026, 12, 1)))
    assert page.deadline is not None and page.deadline.kind is DueKind.DEBATE
    assert page.deadline.change is DueChange.DEBATE_OPENED
    assert page.deadline.answer_due_after == DUE
    await run_twice(sessionmaker, kst(date(2026, 12, 10)))
    after = await page_at(sessionmaker, pid, kst(date(2026, 12, 10)))
    assert after.deadline is not None and after.deadline.kind is DueKind.ANSWER
    assert after.deadline.at == DUE and after.deadline.change is DueChange.DEBATE_CLOSED
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.answer_step_at == kst(date(2026, 12, 24), 9)


async def test_a_re_review_says_the_review_clock_restarted(sessionmaker: Maker) -> None:
    pid, _, token = await seed(sessionmaker)
    first = await page_at(sessionmaker, pid, START)
    assert first.deadline is not None and first.deadline.change is DueChange.REVIEW_STARTED
    no = AnswerForm(AnswerKind.FEASIBILITY, "김담당", "예산과 부지 문제로 지금은 어렵습니다.",
                    decision="not_feasible")
    await submit(sessionmaker, token, no, "n1")
    later = kst(date(2026, 12, 1))
    async with sessionmaker() as session, session.begin():
        await answers.request_re_review(session, proposal_id=pid, user_id=1,
                                        reason="다른 부지가 있어요. 구유지 목록 확인 부탁",
                                        now=later, venues=SETTINGS.venues)
        assert await answers.decide_re_review(session, proposal_id=pid, approve=True,
                                              moderator="mod", now=later,
                                              policy=SETTINGS.policy, calendar=CALENDAR)
    page = await page_at(sessionmaker, pid, later)
    assert page.deadline is not None and page.deadline.kind is DueKind.REVIEW
    assert page.deadline.change is DueChange.REVIEW_RESTARTED
    assert page.deadline.at == official_deadline(later, SETTINGS.policy.review_days, CALENDAR)
    line = deadline_line(I18n().get("ko"), page.deadline)
    assert line == "재심의가 받아들여져 검토를 처음부터 다시 해요 · 검토 기한: 12월 15일(화)까지"


async def test_a_step_found_late_at_night_waits_for_the_morning(sessionmaker: Maker) -> None:
    await awaiting_answer(sessionmaker)
    await run_twice(sessionmaker, kst(date(2026, 12, 24), 23))  # the machine was down all day
    assert await sent(sessionmaker) == []
    await run_twice(sessionmaker, kst(date(2026, 12, 25), 8))  # quiet hours end at 08:00
    assert [k for k, _, _ in await sent(sessionmaker)] == ["interim_requested"] * 2
