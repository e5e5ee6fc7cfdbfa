"""Promises kept after an accepting answer, on both backends: the plan stored with the answer,
the department reminded before each step, a late step flagged once (publicly, to the
followers and to the department with a fresh link), progress asked for after quiet weeks,
and steps reached by a progress update."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import Milestone, OutboxMessage, Proposal
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import SEOUL
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import StepState
from bot.services import answers, proposal_pages
from bot.services.answers import AnswerOutcome
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from tests.conftest import START
from tests.integration.test_answers_services import CALENDAR, SETTINGS, seed, submit

Maker = async_sessionmaker[AsyncSession]
S = ProposalStatus
PLAN = "2027-01-29 설계 완료\n2027-03-31 공사 착공 (문의 010-1234-5678)\n2026-12-18 주민 설명회"
ACCEPTED = AnswerForm(AnswerKind.FINAL, "김담당", "내년 3월까지 가로등 12개를 설치하겠습니다.",
                      decision="accepted", expected_completion="2027-04-30", budget="1,200만원",
                      plan=PLAN)
CONTEXT = DeadlineContext(SETTINGS.policy, CALENDAR, SETTINGS.venues, None, SETTINGS.secret_key)


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SEOUL).astimezone(UTC)


async def accepted(sessionmaker: Maker) -> tuple[int, str]:
    pid, _, token = await seed(sessionmaker, S.AWAITING_ANSWER,
                               answer_due=START + timedelta(days=30))
    result = await submit(sessionmaker, token, ACCEPTED, "final-1")
    assert result.outcome is AnswerOutcome.PUBLISHED and result.status is S.ANSWERED
    return pid, token


async def steps(sessionmaker: Maker) -> list[Milestone]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Milestone).order_by(Milestone.position)))


async def sent_to(sessionmaker: Maker, kind: str) -> list[tuple[int, dict[str, object]]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.params)
                                     .where(OutboxMessage.kind == kind)
                                     .order_by(OutboxMessage.id))
        return [(chat, dict(params)) for chat, params in rows]


async def test_the_plan_is_stored_in_date_order_masked_and_told_to_followers(
    sessionmaker: Maker,
) -> None:
    pid, _ = await accepted(sessionmaker)
    stored = await steps(sessionmaker)
    assert [(m.position, m.due_on) for m in stored] == [
        (1, date(2026, 12, 18)), (2, date(2027, 1, 29)), (3, date(2027, 3, 31))]
    assert "1234" not in stored[2].title and stored[2].title.startswith("공사 착공")
    # reminders on the business morning a week before (12/11 Fri, 1/22 Fri, 3/24 Wed, 09:00)
    assert [m.remind_at for m in stored] == [local(2026, 12, 11, 9), local(2027, 1, 22, 9),
                                             local(2027, 3, 24, 9)]
    assert [m.overdue_at for m in stored] == [datetime(2026, 12, 18, 15, tzinfo=UTC),
                                              datetime(2027, 1, 29, 15, tzinfo=UTC),
                                              datetime(2027, 3, 31, 15, tzinfo=UTC)]
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.progress_due_at == local(2026, 12, 24, 9)
    pushed = await sent_to(sessionmaker, "answer_published")
    assert sorted(chat for chat, _ in pushed) == [900, 901, 902]
    assert pushed[0][1]["steps"] == [["2026-12-18", "주민 설명회"], ["2027-01-29", "설계 완료"],
                                     ["2027-03-31", stored[2].title]]


async def test_a_refusal_carries_no_plan_and_asks_for_no_progress(sessionmaker: Maker) -> None:
    pid, _, token = await seed(sessionmaker, S.AWAITING_ANSWER,
                               answer_due=START + timedelta(days=30))
    refused = AnswerForm(AnswerKind.FINAL, "김담당", "예산이 없어 올해는 어렵습니다.",
                         decision="rejected", plan="2027-01-29 설계 완료")
    assert (await submit(sessionmaker, token, refused, "final-r")).status is S.ANSWERED
    assert await steps(sessionmaker) == []
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.progress_due_at is None


async def test_reminders_and_late_flags_happen_once_each_and_come_with_a_working_link(
    sessionmaker: Maker,
) -> None:
    pid, old_token = await accepted(sessionmaker)
    clock = fake_clock(START)
    machine = DeadlineMachine(sessionmaker, clock, CONTEXT)
    for moment in (local(2026, 12, 11, 9), local(2026, 12, 11, 12), local(2026, 12, 19, 0),
                   local(2026, 12, 19, 8)):
        await clock.advance(moment - clock.now())
        await machine.run_due()
        await machine.run_due()  # a second sweep at the same instant changes nothing
    due = await sent_to(sessionmaker, "milestone_due")
    assert [(chat, params["position"]) for chat, params in due] == [(-700, 1)]
    late = await sent_to(sessionmaker, "milestone_late")
    assert [(chat, params["step"]) for chat, params in late] == [(-700, "주민 설명회")]
    told = await sent_to(sessionmaker, "milestone_overdue")
    assert sorted(chat for chat, _ in told) == [900, 901, 902]
    assert told[0][1]["url"] == f"{SETTINGS.public_base_url}/p/{pid}"
    fresh = str(late[0][1]["url"]).rsplit("/", 1)[1]
    async with sessionmaker() as session:
        for token in (fresh, old_token):  # the new link works, and the first one still does
            assert await answers.resolve_link(session, token, clock.now(), SETTINGS.secret_key)
        page = await proposal_pages.load_public_page(session, pid, clock.now(), SETTINGS.policy,
                                                     CALENDAR)
    assert page is not None
    assert [(m.position, m.state, m.flagged) for m in page.milestones] == [
        (1, StepState.OVERDUE, True), (2, StepState.PLANNED, False),
        (3, StepState.PLANNED, False)]


async def test_a_progress_update_reaches_steps_and_completion_reaches_the_rest(
    sessionmaker: Maker,
) -> None:
    pid, token = await accepted(sessionmaker)
    update = AnswerForm(AnswerKind.PROGRESS, "이주무", "설명회를 열었습니다.", percent="20",
                        reached="1")
    when = local(2026, 12, 17)
    wrong = await submit(sessionmaker, token, AnswerForm(
        AnswerKind.PROGRESS, "이주무", "설명회를 열었습니다.", percent="20", reached="4"),
        "p0", when)
    assert wrong.outcome is AnswerOutcome.INVALID and wrong.errors == {
        "reached": "reached_unknown"}
    assert (await submit(sessionmaker, token, update, "p1", when)).status is S.IN_PROGRESS
    again = AnswerForm(AnswerKind.PROGRESS, "이주무", "또 했습니다.", percent="25", reached="1")
    assert (await submit(sessionmaker, token, again, "p2", when)).errors == {
        "reached": "reached_unknown"}
    stored = await steps(sessionmaker)
    assert stored[0].reached_at == when and stored[0].remind_at is None
    assert stored[0].overdue_at is None and stored[1].reached_at is None
    pushed = await sent_to(sessionmaker, "answer_published")
    assert pushed[-1][1]["steps"] == [["", "주민 설명회"]]
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.progress_due_at == local(2027, 1, 18, 9)
    done = AnswerForm(AnswerKind.PROGRESS, "이주무", "모두 마쳤습니다.", completed=True)
    assert (await submit(sessionmaker, token, done, "p3", local(2027, 1, 20))).status is (
        S.COMPLETED)
    assert all(m.reached_at == local(2027, 1, 20) for m in (await steps(sessionmaker))[1:])
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.progress_due_at is None


async def test_a_quiet_department_is_asked_for_progress_until_it_reports(
    sessionmaker: Maker,
) -> None:
    pid, token = await accepted(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await session.execute(Milestone.__table__.update().values(remind_at=None,
                                                                  overdue_at=None))
    clock = fake_clock(START)
    machine = DeadlineMachine(sessionmaker, clock, CONTEXT)
    for moment in (local(2026, 12, 24, 9), local(2026, 12, 24, 11), local(2027, 1, 25, 9)):
        await clock.advance(moment - clock.now())
        await machine.run_due()
    asked = await sent_to(sessionmaker, "progress_requested")
    assert [chat for chat, _ in asked] == [-700, -700]
    assert all(params["since"] == START.isoformat() for _, params in asked)
    report = AnswerForm(AnswerKind.PROGRESS, "이주무", "설계를 진행하고 있습니다.", percent="30")
    fresh = str(asked[-1][1]["url"]).rsplit("/", 1)[1]  # the first link has expired by now
    assert fresh != token
    await submit(sessionmaker, fresh, report, "p1", local(2027, 1, 26))
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
    assert proposal is not None and proposal.progress_due_at == local(2027, 2, 25, 9)
