"""Statistics on a known dataset, on both databases (the same numbers from each)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Answer,
    BudgetBallot,
    BudgetRound,
    DebateStance,
    DebateSummaryRow,
    Department,
    Endorsement,
    Opinion,
    Proposal,
    ProposalEvent,
    SatisfactionVote,
    User,
)
from bot.domain.lifecycle import ProposalStatus as S
from bot.i18n import I18n
from bot.rendering.stats import summary
from bot.services.stats import compute_stats, percentile, week_starts
from tests.conftest import START
from tests.support.factories import make_proposal, make_user

# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

DAY = timedelta(days=1)
PHONE = "010-1234-5678"
TELEGRAM_IDS = (987654321, 987654322, 987654323, 987654324)


async def build_dataset(session: AsyncSession) -> None:
    """Six proposals (one hidden), answers of every kind, opinions, stances, votes and three
    rounds. Clocks: b got a quick 검토 가능 and its final answer 25 days after the threshold,
    past its answer deadline; g got 검토 불가 in 3 days, on time; a is overdue now."""
    u1, u2, u3, u4 = [await make_user(session, tid, START, phone_hash="p" * 64)
                      for tid in TELEGRAM_IDS]
    department = Department(name="교통행정과", head_office=False, archived=False)
    session.add(department)
    await session.flush()
    a = await make_proposal(session, u1, START - 20 * DAY, status=S.AWAITING_ANSWER,
                            answer_due=START - DAY, department_id=department.id)
    b = await make_proposal(session, u2, START - 40 * DAY, status=S.ANSWERED,
                            title="버스 정류장 의자", department_id=department.id,
                            answer_due=START - 8 * DAY)
    c = await make_proposal(session, u1, START - 10 * DAY, status=S.UNDER_REVIEW,
                            review_due=START + 3 * DAY)
    await make_proposal(session, u2, START - 100 * DAY, hidden=True, title="숨김 제목",
                        problem="숨김 내용")
    e = await make_proposal(session, u1, START, title="골목 가로등",
                            problem=f"연락은 {PHONE}로 주세요. 작성자 u1")
    for proposal, reached, answered in ((a, 15, 10), (b, 30, 20)):
        session.add(ProposalEvent(proposal_id=proposal.id, from_status=S.COLLECTING,
                                  to_status=S.UNDER_REVIEW, at=START - reached * DAY))
        session.add(Answer(proposal_id=proposal.id, department_id=department.id,
                           kind="feasibility", decision="feasible",
                           text=f"검토했습니다. 문의 {PHONE}", official_name="김주무관",
                           idempotency_key=f"k{proposal.id}", created_at=START - answered * DAY))
    session.add(Answer(proposal_id=b.id, department_id=department.id, kind="progress",
                       text="진행 중", official_name="김주무관", idempotency_key="progress",
                       percent=50, created_at=START - 30 * DAY))  # before the threshold: ignored
    session.add(ProposalEvent(proposal_id=c.id, from_status=S.COLLECTING,
                              to_status=S.UNDER_REVIEW, at=START - 2 * DAY))
    await _final_and_interim_answers(session, department, a, b)
    await _not_feasible_on_time(session, u3)
    session.add_all([
        Endorsement(proposal_id=e.id, user_id=u1.id, created_at=START),
        Endorsement(proposal_id=e.id, user_id=u2.id, created_at=START),
        Endorsement(proposal_id=a.id, user_id=u3.id, created_at=START - 7 * DAY),
        Opinion(proposal_id=b.id, user_id=u3.id, stance="for", text=f"좋아요 {PHONE}",
                created_at=START - timedelta(hours=1)),
        Opinion(proposal_id=b.id, user_id=u2.id, stance="against", text="숨긴 의견", hidden=True,
                created_at=START - timedelta(hours=1)),
        DebateStance(proposal_id=b.id, user_id=u4.id, stance="neutral",
                     updated_at=START - timedelta(hours=1)),
        SatisfactionVote(proposal_id=b.id, user_id=u1.id, satisfied=True, created_at=START),
        SatisfactionVote(proposal_id=b.id, user_id=u2.id, satisfied=False, created_at=START),
        SatisfactionVote(proposal_id=b.id, user_id=u3.id, satisfied=True, created_at=START),
    ])
    await session.flush()
    opinion_ids = [o.id for o in (await session.execute(
        Opinion.__table__.select().order_by(Opinion.id))).all()]
    session.add(DebateSummaryRow(proposal_id=b.id, created_at=START, data={
        "counts": {"for": 1, "against": 1, "neutral": 1},
        "percents": {"for": 33, "against": 33, "neutral": 34},
        "participants": 3, "opinions": 2,
        "top": {"for": [[opinion_ids[0], f"좋아요 {PHONE}", 2]],
                "against": [[opinion_ids[1], "숨긴 의견", 0]], "neutral": []},
        "keywords": ["정류장"],
    }))
    published = _round("2026 주민참여예산", "published", {"eligible": 10, "ballots": 3})
    voting = _round("2027 주민참여예산", "voting", None)
    session.add_all([published, voting, _round("준비 중", "preparing", None)])
    await session.flush()
    for n, user in enumerate((u1, u2, u3, u4)):
        session.add(BudgetBallot(round_id=published.id, user_id=user.id, draft={}, draft_page=0,
                                 updated_at=START, submitted_at=START if n < 3 else None))
    await session.flush()


async def _final_and_interim_answers(
    session: AsyncSession, department: Department, a: Proposal, b: Proposal
) -> None:
    session.add_all([
        Answer(proposal_id=b.id, department_id=department.id, kind="final",
               decision="accepted", text="설치하겠습니다.", official_name="김주무관",
               idempotency_key="final-b", created_at=START - 5 * DAY),
        Answer(proposal_id=a.id, department_id=department.id, kind="interim",
               text="현장 조사 중이에요.", official_name="김주무관", idempotency_key="interim-a",
               created_at=START - 3 * DAY),
    ])


async def _not_feasible_on_time(session: AsyncSession, author: User) -> None:
    roads = Department(name="도로과", head_office=False, archived=False)
    session.add(roads)
    await session.flush()
    g = await make_proposal(session, author, START - 20 * DAY, status=S.NOT_FEASIBLE,
                            title="도로 확장", department_id=roads.id,
                            review_due=START - 5 * DAY)
    session.add_all([
        ProposalEvent(proposal_id=g.id, from_status=S.COLLECTING, to_status=S.UNDER_REVIEW,
                      at=START - 12 * DAY),
        Answer(proposal_id=g.id, department_id=roads.id, kind="feasibility",
               decision="not_feasible", text="사유지라서 어려워요.", official_name="이주무관",
               idempotency_key="nf-g", created_at=START - 9 * DAY),
    ])


def _round(name: str, phase: str, results: dict[str, int] | None) -> BudgetRound:
    return BudgetRound(name=name, budget_krw=100_000_000, ballot_type="approval_budget",
                       eligibility="everyone", rule="greedy", tie_break="cheapest",
                       changeable=True, phase=phase, opens_at=START - 10 * DAY,
                       closes_at=START - DAY, created_at=START - 20 * DAY, created_by="t",
                       results=results)


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([5.0, 10.0], 50) == 7.5
    assert percentile([5.0, 10.0], 90) == 9.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 100.0], 50) == 3.0


def test_weeks_are_kst_mondays() -> None:
    starts = week_starts(START)
    assert len(starts) == 12
    assert starts[-1].isoformat() == "2026-11-23T00:00:00+09:00"
    assert starts[0].isoformat() == "2026-09-07T00:00:00+09:00"


async def test_statistics_of_a_known_dataset(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await build_dataset(session)
    async with sessionmaker() as session:
        stats = await compute_stats(session, START)
    assert stats.by_status == {"awaiting_answer": 1, "answered": 1, "under_review": 1,
                               "collecting": 1, "not_feasible": 1}
    assert stats.proposals == 5
    # b: 25 days (the 검토 가능 after 10 does not stop the clock); g: 3 days
    assert (stats.answer_median_days, stats.answer_p90_days, stats.answered) == (14.0, 22.8, 2)
    assert (stats.answered_on_time, stats.on_time_percent) == (1, 50.0)
    assert stats.overdue == 1
    assert [(d.department, d.answered, d.on_time, d.overdue, d.interim)
            for d in stats.departments] == [("교통행정과", 1, 0, 1, 1), ("도로과", 1, 1, 0, 0)]
    weeks = {w.starts.isoformat(): (w.endorsements, w.participants) for w in stats.weeks}
    assert weeks["2026-11-23"] == (2, 4)  # u1, u2 endorsed; u3 opined; u4 took a stance
    assert weeks["2026-11-16"] == (1, 1)
    assert weeks["2026-11-09"] == (0, 1)  # c proposed on 11-14
    assert sum(e for e, _ in weeks.values()) == 3
    assert (stats.opinions, stats.debaters) == (1, 2)
    assert [(r.name, r.ballots, r.eligible, r.percent) for r in stats.rounds] == [
        ("2027 주민참여예산", 0, 4, 0.0), ("2026 주민참여예산", 3, 10, 30.0)]
    assert (stats.satisfied, stats.dissatisfied, stats.satisfaction_percent) == (2, 1, 66.7)


async def test_the_staff_summary_shows_the_figures(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await build_dataset(session)
    async with sessionmaker() as session:
        stats = await compute_stats(session, START)
    text = summary(I18n().get("ko"), stats, "https://example.org/stats")
    for figure in ("14.0", "22.8", "10명 중 3명 투표 (30%)", "4명 중 0명 투표 (0%)", "66.7",
                   " · 교통행정과: 1 · 0 · 1 · 1", " · 도로과: 1 · 1 · 0 · 0",
                   "https://example.org/stats"):
        assert figure in text, figure
    assert text.count("\n · ") >= 4  # one line per status
