"""Departments, reply links, answers, the answer clock, satisfaction and 재심의.

Each runs on both backends.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import Answer, AuditEntry, OutboxMessage, Proposal, SatisfactionVote, User
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.satisfaction import DissatisfactionReason, ReasonProblem
from bot.services import answers, departments, proposal_pages
from bot.services.answers import AnswerOutcome, RatingOutcome
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.departments import AssignOutcome
from bot.services.proposals import endorse
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
CALENDAR = BusinessCalendar()
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=-500, public_base_url="https://gg.kr",
                    policy=Policy(endorsement_threshold=3))
FEASIBLE = AnswerForm(AnswerKind.FEASIBILITY, "김담당",
                      "검토해 보니 충분히 가능합니다. 토론을 부탁드려요.", decision="feasible")


async def seed(sessionmaker: Maker, status: ProposalStatus = ProposalStatus.UNDER_REVIEW,
               followers: int = 2, **fields: object) -> tuple[int, int, str]:
    """A proposal in `status` with followers, assigned to a department; returns ids and token."""
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 900, START)
        proposal = await make_proposal(session, author, START, status=status,
                                       review_due=START + timedelta(days=14), **fields)
        await follow(session, author, proposal, START)
        for n in range(followers):
            await follow(session, await make_user(session, 901 + n, START), proposal, START)
        department = await departments.create_department(session, name="도로과", now=START,
                                                         chat_id=-700)
        result = await departments.assign_department(session, proposal.id, department,
                                                     now=START, **review_start(SETTINGS))
    assert result.outcome is AssignOutcome.ASSIGNED and result.token
    assert result.url == f"https://gg.kr/r/{result.token}"
    return proposal.id, department, result.token


async def submit(sessionmaker: Maker, token: str, form: AnswerForm, key: str,
                 now: datetime = START) -> answers.AnswerResult:
    async with sessionmaker() as session, session.begin():
        link = await answers.resolve_link(session, token, now, SETTINGS.secret_key)
        assert link is not None
        return await answers.submit_answer(session, link, form, idempotency_key=key, now=now,
                                           policy=SETTINGS.policy, venues=SETTINGS.venues,
                                           calendar=CALENDAR)


async def kinds(sessionmaker: Maker) -> list[tuple[str, int]]:
    async with sessionmaker() as session:
        return [(k, c) for k, c in await session.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id).order_by(OutboxMessage.id))]


async def status_of(sessionmaker: Maker, proposal_id: int) -> Proposal:
    async with sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


async def test_assignment_sends_a_link_that_only_the_hash_of_is_stored(
    sessionmaker: Maker,
) -> None:
    pid, dept, token = await seed(sessionmaker)
    sent = await kinds(sessionmaker)
    assert ("department_link", -700) in sent and ("department_assigned", -500) in sent
    async with sessionmaker() as session:
        assert (await answers.resolve_link(session, token, START, SETTINGS.secret_key)) is not None
        assert await answers.resolve_link(session, token + "x", START, SETTINGS.secret_key) is None
        assert await answers.resolve_link(session, token, START + timedelta(days=61),
                                          SETTINGS.secret_key) is None
        audit = await session.scalar(
            select(AuditEntry.action).where(AuditEntry.action == "proposal.assign")
        )
        stored = [row[0] for row in await session.execute(select(OutboxMessage.params))]
    assert audit == "proposal.assign"
    async with sessionmaker() as session, session.begin():
        again = await departments.assign_department(session, pid, dept, now=START,
                                                    **review_start(SETTINGS))
    async with sessionmaker() as session:
        assert await answers.resolve_link(session, token, START, SETTINGS.secret_key) is None
        assert await answers.resolve_link(session, again.token or "", START, SETTINGS.secret_key)
    assert all(token not in str(p) or "url" in p for p in stored)


async def test_feasible_opens_the_debate_and_followers_hear_it(sessionmaker: Maker) -> None:
    pid, _, token = await seed(sessionmaker)
    result = await submit(sessionmaker, token, FEASIBLE, "k1")
    assert result.outcome is AnswerOutcome.PUBLISHED and result.status is ProposalStatus.IN_DEBATE
    proposal = await status_of(sessionmaker, pid)
    assert proposal.debate_closes_at == datetime(2026, 12, 24, 15, tzinfo=UTC)
    # one message per follower: the invitation begins with the review result
    invited = sorted(c for k, c in await kinds(sessionmaker) if k == "debate_opened")
    assert invited == [900, 901, 902]
    assert [k for k, _ in await kinds(sessionmaker) if k == "answer_published"] == []
    async with sessionmaker() as session:
        params = await session.scalar(
            select(OutboxMessage.params).where(OutboxMessage.kind == "debate_opened").limit(1))
    assert params is not None and params["department"] == "도로과"
    again = await submit(sessionmaker, token, FEASIBLE, "k1")
    assert again.outcome is AnswerOutcome.DUPLICATE
    wrong = await submit(sessionmaker, token, replace(FEASIBLE, decision="not_feasible"), "k2")
    assert wrong.outcome is AnswerOutcome.WRONG_STATE
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Answer)) == 1
        actor = await session.scalar(
            select(AuditEntry.actor).where(AuditEntry.action == "answer.feasibility")
        )
    assert actor == "김담당 (도로과)"


async def test_not_feasible_then_one_re_review(sessionmaker: Maker) -> None:
    pid, _, token = await seed(sessionmaker)
    no = AnswerForm(AnswerKind.FEASIBILITY, "김담당", "예산과 부지 문제로 지금은 어렵습니다.",
                    decision="not_feasible")
    assert (await submit(sessionmaker, token, no, "n1")).status is ProposalStatus.NOT_FEASIBLE
    async with sessionmaker() as session, session.begin():
        first = await answers.request_re_review(
            session, proposal_id=pid, user_id=1,
            reason="다른 부지가 있어요. 구유지 목록 확인 부탁", now=START, venues=SETTINGS.venues,
        )
        second = await answers.request_re_review(
            session, proposal_id=pid, user_id=1, reason="다시 한 번 부탁드립니다 정말로요",
            now=START, venues=SETTINGS.venues,
        )
    assert (first, second) == (answers.ReReviewOutcome.REQUESTED, answers.ReReviewOutcome.ALREADY)
    async with sessionmaker() as session, session.begin():
        assert await answers.decide_re_review(
            session, proposal_id=pid, approve=True, moderator="mod",
            now=START, policy=SETTINGS.policy, calendar=CALENDAR,
        )
    back = await status_of(sessionmaker, pid)
    assert back.status == ProposalStatus.UNDER_REVIEW and back.next_reminder_at is not None
    assert ("moderation_re_review", -500) in await kinds(sessionmaker)


async def test_final_answer_is_validated_then_published_with_budget(sessionmaker: Maker) -> None:
    pid, _, token = await seed(sessionmaker, ProposalStatus.AWAITING_ANSWER,
                               answer_due=START + timedelta(days=30))
    bad = AnswerForm(AnswerKind.FINAL, "김", "   ", decision="accepted",
                     expected_completion="2020-01-01", budget="많이")
    result = await submit(sessionmaker, token, bad, "f0")
    assert result.outcome is AnswerOutcome.INVALID
    assert result.errors == {"official_name": "too_short", "text": "required",
                             "expected_completion": "date_past", "budget": "budget_format"}
    good = AnswerForm(AnswerKind.FINAL, "김담당",
                      "내년 상반기에 가로등 12개를 설치하겠습니다. 연락 010-1234-5678",
                      decision="accepted", expected_completion="2027-06-30", budget="1.2억")
    assert (await submit(sessionmaker, token, good, "f1")).status is ProposalStatus.ANSWERED
    async with sessionmaker() as session:
        answer = await session.scalar(select(Answer).where(Answer.kind == "final"))
    assert answer is not None and answer.budget_krw == 120_000_000
    assert answer.expected_completion == date(2027, 6, 30) and "010-****-****" in answer.text
    progress = AnswerForm(AnswerKind.PROGRESS, "김담당", "설계 완료", percent="40%")
    assert (await submit(sessionmaker, token, progress, "p1")).status is ProposalStatus.IN_PROGRESS
    done = AnswerForm(AnswerKind.PROGRESS, "김담당", "설치를 마쳤습니다", completed=True)
    assert (await submit(sessionmaker, token, done, "p2")).status is ProposalStatus.COMPLETED


async def test_the_answer_clock_reminds_then_flags_overdue_once_then_weekly(
    sessionmaker: Maker,
) -> None:
    due = datetime(2026, 12, 24, 15, tzinfo=UTC)
    pid, _, _ = await seed(sessionmaker, ProposalStatus.AWAITING_ANSWER, answer_due=due,
                           next_reminder_at=datetime(2026, 12, 17, 0, tzinfo=UTC))
    clock = fake_clock(START)
    context = DeadlineContext(SETTINGS.policy, CALENDAR, SETTINGS.venues, SETTINGS.smtp_url)
    machine = DeadlineMachine(sessionmaker, clock, context)
    # 12/25 is Christmas and 12/26 a Saturday: the first overdue reminder waits for 12/28
    for day in (datetime(2026, 12, 17, 1, tzinfo=UTC), datetime(2026, 12, 23, 1, tzinfo=UTC),
                datetime(2026, 12, 25, 1, tzinfo=UTC), datetime(2026, 12, 26, 1, tzinfo=UTC),
                datetime(2026, 12, 28, 1, tzinfo=UTC), datetime(2027, 1, 4, 1, tzinfo=UTC)):
        await clock.advance(day - clock.now())
        await machine.run_due()
    sent = [k for k, c in await kinds(sessionmaker) if c == -700]
    assert sent == ["department_link", "answer_reminder_d7", "answer_reminder_d1",
                    "answer_reminder_overdue", "answer_reminder_overdue"]
    everyone = await kinds(sessionmaker)
    # a final answer reaches the moderators step by step (tests/integration/test_answer_steps)
    assert [c for k, c in everyone if k == "moderation_overdue"] == []
    assert sorted(c for k, c in everyone if k == "answer_overdue") == [900, 901, 902]
    async with sessionmaker() as session:
        page = await proposal_pages.load_public_page(session, pid, clock.now(), SETTINGS.policy,
                                              CALENDAR)
    assert page is not None and page.overdue_days == 11


async def test_dissatisfaction_alerts_the_moderators_once(sessionmaker: Maker) -> None:
    pid, _, _ = await seed(sessionmaker, ProposalStatus.ANSWERED, followers=11)
    votes = [False] * 4 + [True] * 7
    async with sessionmaker() as session, session.begin():
        ids = list(await session.scalars(select(User.id).order_by(User.id)))
        for user_id, happy in zip(ids[1:], votes, strict=True):
            outcome = await answers.rate_answer(session, proposal_id=pid, user_id=user_id,
                                                satisfied=happy, now=START,
                                                policy=SETTINGS.policy, venues=SETTINGS.venues)
            assert outcome is answers.RatingOutcome.RECORDED
    assert [c for k, c in await kinds(sessionmaker) if k == "moderation_dissatisfied"] == [-500]
    async with sessionmaker() as session:
        page = await proposal_pages.load_public_page(session, pid, START, SETTINGS.policy,
                                                     CALENDAR)
    assert page is not None and (page.satisfied, page.dissatisfied) == (7, 4)


async def test_a_dissatisfied_resident_gives_a_reason_kept_masked_and_staff_see_the_counts(
    sessionmaker: Maker,
) -> None:
    pid, _, _ = await seed(sessionmaker, ProposalStatus.ANSWERED, followers=10)
    why = [DissatisfactionReason.LATE, DissatisfactionReason.LATE, DissatisfactionReason.VAGUE]
    async with sessionmaker() as session, session.begin():
        ids = list(await session.scalars(select(User.id).order_by(User.id)))[1:]
        for user_id in ids[:4]:
            await rate(session, pid, user_id, satisfied=False)
        for user_id, reason in zip(ids[:3], why, strict=True):
            result = await answers.explain_dissatisfaction(
                session, proposal_id=pid, user_id=user_id, reason=reason, now=START)
            assert result.outcome is answers.ReasonOutcome.RECORDED
        short = await answers.explain_dissatisfaction(
            session, proposal_id=pid, user_id=ids[3], reason=DissatisfactionReason.OTHER,
            now=START, text="별로")
        assert short == answers.ReasonResult(answers.ReasonOutcome.INVALID_TEXT,
                                             ReasonProblem.TOO_SHORT)
        typed = await answers.explain_dissatisfaction(
            session, proposal_id=pid, user_id=ids[3], reason=DissatisfactionReason.OTHER,
            now=START, text="공사 일정이 없어요. 010-1234-5678로 알려 주세요")
        assert typed.outcome is answers.ReasonOutcome.RECORDED
        not_sad = await answers.explain_dissatisfaction(
            session, proposal_id=pid, user_id=ids[5], reason=DissatisfactionReason.LATE,
            now=START)
        assert not_sad.outcome is answers.ReasonOutcome.NOT_DISSATISFIED  # never said 🙁
        assert await rate(session, pid, ids[0], satisfied=False) is RatingOutcome.UNCHANGED
        for user_id in ids[4:10]:
            await rate(session, pid, user_id, satisfied=True)
    async with sessionmaker() as session:
        stored = {v.user_id: (v.reason_code, v.reason_text)
                  for v in await session.scalars(select(SatisfactionVote))}
        alert = await session.scalar(select(OutboxMessage.params).where(
            OutboxMessage.kind == "moderation_dissatisfied"))
    assert stored[ids[3]] == ("other", "공사 일정이 없어요. 010-****-****로 알려 주세요")
    assert alert is not None and alert["reasons"] == {"late": 2, "vague": 1, "other": 1}
    assert alert["notes"] == ["공사 일정이 없어요. 010-****-****로 알려 주세요"]
    async with sessionmaker() as session, session.begin():  # 🙂 now: the reason goes
        assert await rate(session, pid, ids[0], satisfied=True) is RatingOutcome.RECORDED
    async with sessionmaker() as session:
        vote = await session.get(SatisfactionVote, (pid, ids[0]))
    assert vote is not None and vote.satisfied and vote.reason_code is None


async def rate(session: AsyncSession, pid: int, user_id: int, *, satisfied: bool
               ) -> RatingOutcome:
    return await answers.rate_answer(session, proposal_id=pid, user_id=user_id,
                                     satisfied=satisfied, now=START, policy=SETTINGS.policy,
                                     venues=SETTINGS.venues)


async def test_a_category_default_department_is_assigned_at_the_threshold(
    sessionmaker: Maker,
) -> None:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 800, START)
        voters = [await make_user(session, 801 + n, START) for n in range(3)]
        proposal = await make_proposal(session, author, START, category="교통·주차")
        dept = await departments.create_department(
            session, name="교통행정과", now=START, chat_id=-701
        )
        await departments.set_category_department(session, category="교통·주차",
                                                  department_id=dept, now=START, actor="admin")
    for voter in voters:
        async with sessionmaker() as session, session.begin():
            await endorse(session, proposal_id=proposal.id, user_id=voter.id, now=START,
                          **review_start(SETTINGS), calendar=CALENDAR)
    moved = await status_of(sessionmaker, proposal.id)
    assert moved.status == ProposalStatus.UNDER_REVIEW and moved.department_id == dept
    assert ("department_link", -701) in await kinds(sessionmaker)
