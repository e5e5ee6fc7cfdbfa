"""The yearly 이행상황 report on a known dataset, on both databases (the same figures from each):
every figure, the year's edges in Korea time, and what is left out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Answer, Department, Milestone, Proposal, User
from bot.domain.lifecycle import ProposalStatus as S
from bot.domain.yearly_report import Figures, Row
from bot.services.yearly_report import report_years, yearly_report
from tests.conftest import START
from tests.support.factories import make_proposal, make_user

# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

DAY = timedelta(days=1)
TODAY = date(2026, 11, 24)  # START in Korea time
# 2026-12-31 23:30 KST and 2027-01-01 00:30 KST, 2025-12-31 23:59 KST and 2026-01-01 00:00 KST
LAST_HALF_HOUR_2026 = datetime(2026, 12, 31, 14, 30, tzinfo=UTC)
FIRST_HALF_HOUR_2027 = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
LAST_MINUTE_2025 = datetime(2025, 12, 31, 14, 59, tzinfo=UTC)
FIRST_INSTANT_2026 = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
ROADS, PARKS = "도로과", "공원녹지과"
GURO1, SINDORIM = "구로1동", "신도림동"

ROADS_FIGURES = Figures(received=2, online=1, offline=1, answered=2, answered_on_time=1,
                        answered_late=1, accepted=2, implemented=1, late_steps=1,
                        budget_promised_krw=173_450_000, budget_spent_krw=123_450_000)
PARKS_FIGURES = Figures(received=2, online=2, district=1, answered=1, answered_on_time=1,
                        overdue_answers=1)
UNASSIGNED_FIGURES = Figures(received=2, online=1, offline=1)
OVERALL = ROADS_FIGURES + PARKS_FIGURES + UNASSIGNED_FIGURES


class Seeder:
    """Rows for the dataset: one author, departments, proposals, answers and plan steps."""

    def __init__(self, session: AsyncSession, author: User) -> None:
        self.session = session
        self.author = author
        self.departments: dict[str, int] = {}
        self.answers = 0

    async def department(self, name: str) -> int:
        if name not in self.departments:
            department = Department(name=name, head_office=False, archived=False)
            self.session.add(department)
            await self.session.flush()
            self.departments[name] = department.id
        return self.departments[name]

    async def proposal(self, created_at: datetime, status: S, department: str | None = None,
                       **overrides: object) -> Proposal:
        department_id = await self.department(department) if department else None
        return await make_proposal(self.session, self.author, created_at, status=status,
                                   department_id=department_id, **overrides)

    async def final(self, proposal: Proposal, decision: str, at: datetime,
                    budget: int | None = None, track: str = "department") -> None:
        self.answers += 1
        assert proposal.department_id is not None
        self.session.add(Answer(
            proposal_id=proposal.id, department_id=proposal.department_id, kind="final",
            decision=decision, text="검토 결과를 알려 드려요.", official_name="김주무관",
            budget_krw=budget, idempotency_key=f"final-{self.answers}", created_at=at,
            track=track))

    def step(self, proposal: Proposal, position: int, due_on: date,
             reached_at: datetime | None = None) -> None:
        self.session.add(Milestone(proposal_id=proposal.id, position=position, due_on=due_on,
                                   title=f"{position}단계", reached_at=reached_at))


async def build_year(session: AsyncSession) -> None:
    """Six proposals received in 2026 (two at its very edges), one each in 2025 and 2027, and
    three of 2026 that are never counted (hidden, awaiting moderation, rejected).

    도로과: p1 online, accepted on time (1억 2,345만 원), complete; p2 offline, partly
    accepted late (5,000만 원), in progress with a plan step late. 공원녹지과: p3 rejected on
    time (the head's accepting answer does not count); p4 a 「구 제안」 whose answer is overdue.
    Unassigned: p5 received 2026-12-31 23:30 KST, p11 offline at 2026-01-01 00:00 KST."""
    seed = Seeder(session, await make_user(session, 7101, START))
    early = START - 200 * DAY
    p1 = await seed.proposal(early, S.COMPLETED, ROADS, area=GURO1,
                             answer_due=START - 20 * DAY)
    await seed.final(p1, "accepted", START - 30 * DAY, budget=123_450_000)
    seed.step(p1, 1, date(2026, 10, 1), reached_at=START - 40 * DAY)
    p2 = await seed.proposal(early, S.IN_PROGRESS, ROADS, area=GURO1, offline_channel="paper",
                             answer_due=START - 15 * DAY)
    await seed.final(p2, "partial", START - 10 * DAY, budget=50_000_000)
    seed.step(p2, 1, TODAY - 5 * DAY)  # late
    seed.step(p2, 2, TODAY)  # due today: not late yet
    p3 = await seed.proposal(early, S.ANSWERED, PARKS, area=SINDORIM, answer_due=START)
    await seed.final(p3, "rejected", START - 3 * DAY)
    await seed.final(p3, "accepted", START - 2 * DAY, budget=999, track="head")
    await seed.proposal(early, S.AWAITING_ANSWER, PARKS, origin="district",
                        answer_due=START - DAY)
    await seed.proposal(LAST_HALF_HOUR_2026, S.COLLECTING, area=SINDORIM)
    await seed.proposal(FIRST_INSTANT_2026, S.EXPIRED, offline_channel="visit")
    await seed.proposal(FIRST_HALF_HOUR_2027, S.COLLECTING, ROADS, area=GURO1)
    await seed.proposal(LAST_MINUTE_2025, S.EXPIRED, PARKS)
    hidden = await seed.proposal(early, S.COMPLETED, ROADS, area=GURO1, hidden=True,
                                 answer_due=START)
    await seed.final(hidden, "accepted", START - 30 * DAY, budget=7_000_000)
    await seed.proposal(early, S.PENDING_MODERATION, ROADS, area=GURO1, published_at=None)
    await seed.proposal(early, S.REJECTED, ROADS, area=GURO1, published_at=None)
    complaint = await seed.proposal(early, S.ANSWERED, ROADS, area=GURO1, kind="complaint",
                                    published_at=None, answer_due=START)  # a 민원: not counted
    await seed.final(complaint, "accepted", START - 30 * DAY, budget=5_000_000)
    await session.flush()


@pytest.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await build_year(session)


@pytest.mark.usefixtures("seeded")
async def test_every_figure_of_the_year(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        report = await yearly_report(session, 2026, START)
    assert report.overall == OVERALL
    assert (report.overall.received, report.overall.online, report.overall.offline) == (6, 4, 2)
    assert report.overall.on_time.percent == 67 and report.overall.on_time.whole == 3
    assert (report.overall.acceptance.part, report.overall.acceptance.whole) == (2, 3)
    assert report.overall.implementation.percent == 50
    assert report.overall.overdue == 2
    assert report.departments == (Row(PARKS, PARKS_FIGURES), Row(ROADS, ROADS_FIGURES),
                                  Row(None, UNASSIGNED_FIGURES))


@pytest.mark.usefixtures("seeded")
async def test_the_same_figures_per_동(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        report = await yearly_report(session, 2026, START)
    assert [(row.name, row.figures.received) for row in report.areas] == [
        (GURO1, 2), (SINDORIM, 2), (None, 2)]
    areas = {row.name: row.figures for row in report.areas}
    assert areas[GURO1] == ROADS_FIGURES
    assert areas[SINDORIM] == Figures(received=2, online=2, answered=1, answered_on_time=1)
    assert areas[None] == Figures(received=2, online=1, offline=1, district=1,
                                  overdue_answers=1)


@pytest.mark.usefixtures("seeded")
async def test_a_proposal_belongs_to_the_year_it_was_received_in_korea(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        reports = {year: await yearly_report(session, year, START) for year in (2025, 2027)}
    assert reports[2025].overall == Figures(received=1, online=1)
    assert [row.name for row in reports[2025].departments] == [PARKS]
    assert reports[2027].overall == Figures(received=1, online=1)
    assert [row.name for row in reports[2027].areas] == [GURO1]


@pytest.mark.usefixtures("seeded")
async def test_overdue_is_measured_at_the_moment_of_the_report(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Two days earlier p4's answer was not due yet, and p2's first step (due five days
    before START) was late already; a week later its second step is late too."""
    async with sessionmaker() as session:
        earlier = await yearly_report(session, 2026, START - 2 * DAY)
        later = await yearly_report(session, 2026, START + 7 * DAY)
    assert (earlier.overall.overdue_answers, earlier.overall.late_steps) == (0, 1)
    assert (later.overall.overdue_answers, later.overall.late_steps) == (1, 2)


async def test_a_year_without_proposals_is_empty(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        report = await yearly_report(session, 2031, START)
        years = await report_years(session, START)
    assert report.empty and report.departments == () and report.areas == ()
    assert years == [2026]


@pytest.mark.usefixtures("seeded")
async def test_the_years_listed_run_from_the_first_proposal_to_this_year(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        years = await report_years(session, START)
    assert years == [2026, 2025]


@pytest.mark.usefixtures("seeded")
async def test_the_report_is_one_statement_whatever_the_number_of_proposals(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    async with sessionmaker() as session:
        engine = session.bind.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            await yearly_report(session, 2026, START)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert "GROUP BY" in selects[0]
