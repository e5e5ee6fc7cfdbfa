"""The reply page and the public page read in two statements in one transaction, whatever
the proposal's state and however long its history (issue #16: pages are fast without the
cache)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine, bindparam, create_engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.engine import FastLane, create_sessionmaker, reading
from bot.db.models import (
    Consultation,
    DebateExtension,
    DebateSummaryRow,
    GovernanceItem,
    GovernanceMeeting,
    Milestone,
    ProposalEvent,
    SatisfactionVote,
    WorkgroupUpdate,
)
from bot.db.prepared import PreparedSelect
from bot.domain.answer_clock import DeadlineRules, DueChange, Extension, NamedDeadline
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import I18n
from bot.services.answers import AnswerOutcome, resolve_link, submit_answer, token_hashes
from bot.services.browse import load_card
from bot.services.deadline_views import RE_REVIEW_NOTE
from bot.services.departments import assign_department, create_department
from bot.services.proposal_pages import (
    PROPOSAL_READ,
    REPLY_READ,
    HistoryPart,
    PageRules,
    history_read,
    load_public_page,
    read_public_page,
)
from bot.settings import Settings
from bot.web.app import secure_application
from bot.web.pages import PageDeps, add_page_routes
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.service_settings import review_start

SETTINGS = Settings(secret_key="s" * 64, public_base_url="http://gonggam.test")
CALENDAR = BusinessCalendar()
# the proposal with its facts (on the reply page, found by its link), then all its history:
# state changes, answers, agenda items, plan, 워킹그룹 reports and consultation
REPLY_PAGE_SELECTS = 2
PUBLIC_PAGE_SELECTS = 2


@dataclass
class Statements:
    """The statements every engine in this process ran, and the transactions it began."""

    sql: list[str] = field(default_factory=list)
    transactions: int = 0

    @property
    def selects(self) -> int:
        return sum(1 for s in self.sql if s.lstrip().upper().startswith("SELECT"))


@contextmanager
def counting() -> Iterator[Statements]:
    seen = Statements()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.sql.append(statement)

    def on_begin(_conn: Any) -> None:
        seen.transactions += 1

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Engine, "begin", on_begin)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", on_statement)
        event.remove(Engine, "begin", on_begin)


@dataclass(frozen=True)
class Scene:
    proposal_id: int
    token: str


async def make_scene(sessionmaker: async_sessionmaker[AsyncSession]) -> Scene:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 8101, START)
        proposal = await make_proposal(
            session, author, START, status=ProposalStatus.UNDER_REVIEW, endorsement_count=57,
            review_due=official_deadline(START, 14, CALENDAR))
        department = await create_department(session, name="도로과", now=START)
        assigned = await assign_department(session, proposal.id, department, now=START,
                                           **review_start(SETTINGS), actor="test")
    assert assigned.token is not None
    return Scene(proposal.id, assigned.token)


async def add_interim_answers(
    sessionmaker: async_sessionmaker[AsyncSession], scene: Scene, count: int
) -> None:
    for n in range(count):
        form = AnswerForm(AnswerKind.INTERIM, "김민수", f"현장을 확인하고 있어요 ({n}번째).",
                          expected_completion="2027-01-15")
        async with sessionmaker() as session, session.begin():
            link = await resolve_link(session, scene.token, START, SETTINGS.secret_key)
            assert link is not None
            result = await submit_answer(
                session, link, form, idempotency_key=f"reads-{scene.proposal_id}-{n}-{count}",
                now=START + timedelta(minutes=n), policy=SETTINGS.policy,
                venues=SETTINGS.venues, calendar=CALENDAR)
        assert result.outcome is AnswerOutcome.PUBLISHED, result


async def answer_everything(
    sessionmaker: async_sessionmaker[AsyncSession], scene: Scene
) -> None:
    """The scene's proposal as a consultation answered with a plan of two steps (one reached
    late), decided on by the 협치회의, with a published 워킹그룹 report and a pending one: a
    row in every part of the history, and every slot of its rows filled somewhere."""
    await add_interim_answers(sessionmaker, scene, 1)
    later = START + timedelta(days=3)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE proposals SET status = :status, kind = :kind "
                                   "WHERE id = :id"),
                              {"status": ProposalStatus.ANSWERED, "kind": "consultation",
                               "id": scene.proposal_id})
        meeting = GovernanceMeeting(kind="regular", starts_at=later, place="구청 3층",
                                    convened_at=START, convened_by="admin")
        session.add(meeting)
        await session.flush()
        session.add_all([
            ProposalEvent(proposal_id=scene.proposal_id, to_status=ProposalStatus.ANSWERED,
                          at=later, note="final", actor_id=None),
            Consultation(proposal_id=scene.proposal_id, question="가로등을 어디에 둘까요?",
                         options=["공원", "골목"], arguments=[], opens_at=START,
                         closes_at=START + timedelta(days=1), audience="all",
                         created_by="admin", created_at=START),
            GovernanceItem(meeting_id=meeting.id, number=1, proposal_id=scene.proposal_id,
                           title="가로등 설치", placed_at=START + timedelta(days=1),
                           placed_by="admin", decided_at=later, outcome="passed"),
            Milestone(proposal_id=scene.proposal_id, position=2,
                      due_on=(START + timedelta(days=60)).date(), title="공사 착공"),
            Milestone(proposal_id=scene.proposal_id, position=1,
                      due_on=(START + timedelta(days=1)).date(),
                      title="설계 완료 (문의 010-1234-5678)", reached_at=later,
                      flagged_at=START + timedelta(days=2)),
            WorkgroupUpdate(proposal_id=scene.proposal_id, text="설계 도면을 함께 봤어요.",
                            created_at=later, status="approved"),
            WorkgroupUpdate(proposal_id=scene.proposal_id, text="아직 검토 중인 보고",
                            created_at=later, status="pending"),
        ])


@asynccontextmanager
async def pages_on_a_read_lane(
    database_url: str, engine: AsyncEngine, clock: ShiftableClock
) -> AsyncIterator[TestClient]:
    """The pages wired as in production: uncached, their reads on a read lane."""
    lane = FastLane(database_url, engine, reads_only=True)
    app = secure_application(SETTINGS)
    add_page_routes(app, PageDeps(
        create_sessionmaker(engine), SETTINGS, clock, I18n(), CALENDAR, lambda *_: None,
        cache_seconds=0, reader=create_sessionmaker(reading(engine)), read_lane=lane))
    try:
        async with TestClient(TestServer(app)) as client:
            yield client
    finally:
        lane.dispose()


async def statements_of(client: TestClient, path: str) -> Statements:
    with counting() as seen:
        response = await client.get(path)
        assert response.status == 200, await response.text()
    return seen


async def test_each_page_is_a_fixed_few_selects_in_one_transaction(
    database_url: str, engine: AsyncEngine, clock: ShiftableClock
) -> None:
    sessionmaker = create_sessionmaker(engine)
    scene = await make_scene(sessionmaker)
    reply, public = f"/r/{scene.token}", f"/p/{scene.proposal_id}"
    async with pages_on_a_read_lane(database_url, engine, clock) as client:
        first = {path: await statements_of(client, path) for path in (reply, public)}
        await add_interim_answers(sessionmaker, scene, 5)
        later = {path: await statements_of(client, path) for path in (reply, public)}
    for seen in (first, later):
        assert seen[reply].selects == REPLY_PAGE_SELECTS, seen[reply].sql
        assert seen[public].selects == PUBLIC_PAGE_SELECTS, seen[public].sql
        assert seen[reply].transactions == seen[public].transactions == 1
    assert [s.sql for s in first.values()] == [s.sql for s in later.values()], \
        "five more answers, the same statements"


async def test_an_answered_proposal_with_a_plan_reports_and_an_agenda_is_read_as_fast(
    database_url: str, engine: AsyncEngine, clock: ShiftableClock
) -> None:
    """Every part of the history comes in the same one statement as the answers do."""
    sessionmaker = create_sessionmaker(engine)
    scene = await make_scene(sessionmaker)
    await answer_everything(sessionmaker, scene)
    reply, public = f"/r/{scene.token}", f"/p/{scene.proposal_id}"
    async with pages_on_a_read_lane(database_url, engine, clock) as client:
        seen = {path: await statements_of(client, path) for path in (reply, public)}
    assert seen[reply].selects == REPLY_PAGE_SELECTS, seen[reply].sql
    assert seen[public].selects == PUBLIC_PAGE_SELECTS, seen[public].sql
    assert seen[reply].transactions == seen[public].transactions == 1


async def test_an_answered_proposals_page_shows_every_part_of_its_history(
    database_url: str, engine: AsyncEngine
) -> None:
    sessionmaker = create_sessionmaker(engine)
    scene = await make_scene(sessionmaker)
    await answer_everything(sessionmaker, scene)
    now = START + timedelta(days=4)
    lane = FastLane(database_url, engine, reads_only=True)
    try:
        on_lane = await lane.run(lambda connection: read_public_page(
            connection, scene.proposal_id, now, PageRules(SETTINGS.policy, CALENDAR)))
    finally:
        lane.dispose()
    async with sessionmaker() as session:
        in_session = await load_public_page(session, scene.proposal_id, now, SETTINGS.policy,
                                            CALENDAR)
    assert on_lane is not None and on_lane == in_session
    assert on_lane.card.consultation is not None
    assert [(m.position, m.title, m.flagged, m.reached_on) for m in on_lane.milestones] == [
        (1, "설계 완료 (문의 010-****-****)", True, (START + timedelta(days=3)).date()),
        (2, "공사 착공", False, None)]
    assert [r.text for r in on_lane.reports] == ["설계 도면을 함께 봤어요."]
    assert [a.text for a in on_lane.answers] == ["현장을 확인하고 있어요 (0번째)."]
    whats = [entry.what for entry in on_lane.timeline]
    assert {"governance_placed", "governance_decided", "workgroup_report", "step"} <= set(whats)


async def test_the_read_lane_and_a_session_read_the_same_page(
    database_url: str, engine: AsyncEngine
) -> None:
    sessionmaker = create_sessionmaker(engine)
    scene = await make_scene(sessionmaker)
    await add_interim_answers(sessionmaker, scene, 2)
    now = START + timedelta(days=1)
    lane = FastLane(database_url, engine, reads_only=True)
    try:
        on_lane = await lane.run(lambda connection: read_public_page(
            connection, scene.proposal_id, now, PageRules(SETTINGS.policy, CALENDAR)))
    finally:
        lane.dispose()
    async with sessionmaker() as session:
        in_session = await load_public_page(session, scene.proposal_id, now, SETTINGS.policy,
                                            CALENDAR)
    assert on_lane is not None and on_lane == in_session
    assert [a.text for a in on_lane.answers] == ["현장을 확인하고 있어요 (0번째).",
                                                 "현장을 확인하고 있어요 (1번째)."]
    assert on_lane.expected_answer is not None


async def test_the_page_names_the_deadline_as_the_bots_card_does(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The page derives 재심의 and a debate's extension from the rows it read; the card asks
    the database for them (deadline_views): both must name the same deadline."""
    closes = START + timedelta(days=30)
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 8102, START)
        re_reviewed = await make_proposal(
            session, author, START, status=ProposalStatus.UNDER_REVIEW,
            review_due=official_deadline(START, 14, CALENDAR))
        extended = await make_proposal(session, author, START, status=ProposalStatus.IN_DEBATE,
                                       debate_closes_at=closes)
        for status, note in ((ProposalStatus.UNDER_REVIEW, None),
                             (ProposalStatus.NOT_FEASIBLE, None),
                             (ProposalStatus.UNDER_REVIEW, RE_REVIEW_NOTE)):
            session.add(ProposalEvent(proposal_id=re_reviewed.id, to_status=status, at=START,
                                      note=note))
        session.add(DebateExtension(proposal_id=extended.id, days=7, reason="현장 확인",
                                    moderator="운영진", created_at=START))
    deadlines: dict[int, NamedDeadline | None] = {}
    async with sessionmaker() as session:
        for proposal_id in (re_reviewed.id, extended.id):
            page = await load_public_page(session, proposal_id, START, SETTINGS.policy, CALENDAR)
            card = await load_card(session, proposal_id, viewer_id=-1,
                                   rules=DeadlineRules(SETTINGS.policy.answer_days, CALENDAR))
            assert page is not None and card is not None
            assert page.deadline == card.deadline and page.card.history == card.history
            deadlines[proposal_id] = page.deadline
    restarted, debate = deadlines[re_reviewed.id], deadlines[extended.id]
    assert restarted is not None and restarted.change is DueChange.REVIEW_RESTARTED
    assert debate is not None and debate.extension == Extension(7, "현장 확인")


async def test_prepared_reads_give_the_rows_sqlalchemy_gives(
    database_url: str, engine: AsyncEngine
) -> None:
    """On the SQLite fast lane the page's statements skip SQLAlchemy's execution: every column
    comes back as SQLAlchemy converts it (timestamps, booleans, dates, JSON, and published
    texts masked on the way out, also one stored unmasked before the rules grew)."""
    sessionmaker = create_sessionmaker(engine)
    scene = await make_scene(sessionmaker)
    await add_interim_answers(sessionmaker, scene, 2)
    await answer_everything(sessionmaker, scene)
    async with sessionmaker() as session, session.begin():
        voter = await make_user(session, 8103, START)
        session.add_all([
            SatisfactionVote(proposal_id=scene.proposal_id, user_id=voter.id, satisfied=False,
                             created_at=START),
            DebateSummaryRow(proposal_id=scene.proposal_id, created_at=START,
                             data={"keywords": ["가로등"], "participants": 3}),
            DebateExtension(proposal_id=scene.proposal_id, days=7, reason="현장 확인",
                            moderator="운영진", created_at=START),
            ProposalEvent(proposal_id=scene.proposal_id, to_status=ProposalStatus.UNDER_REVIEW,
                          at=START, note=RE_REVIEW_NOTE),
        ])
        for table, column in (("proposals", "problem"), ("answers", "text"),
                              ("workgroup_updates", "text"), ("milestones", "title")):
            await session.execute(text(f"UPDATE {table} SET {column} = :unmasked"),
                                  {"unmasked": "연락은 010-1234-5678 로"})
    by_id = {"proposal_id": scene.proposal_id}
    hashes = token_hashes(scene.token, SETTINGS.secret_key)
    assert hashes is not None
    reads = ((PROPOSAL_READ, by_id), (REPLY_READ, hashes),
             (history_read(frozenset(HistoryPart)), by_id))
    lane = FastLane(database_url, engine, reads_only=True)
    try:
        for read, params in reads:
            prepared, plain = await lane.run(lambda connection, read=read, params=params: (
                [tuple(row) for row in read.rows(connection, params)],
                [tuple(row) for row in connection.execute(read.statement, params)]))
            assert prepared == plain and plain
        proposal = await lane.run(lambda connection: PROPOSAL_READ.first(connection, by_id))
        history = await lane.run(lambda connection: history_read(frozenset(HistoryPart)).rows(
            connection, by_id))
    finally:
        lane.dispose()
    assert "010-1234-5678" not in proposal.problem
    texts = [row.text or row.title for row in history if row.text or row.title]
    assert len(texts) == 3 + 1 + 2 and not any("010-1234-5678" in t for t in texts)
    assert proposal.summary == {"keywords": ["가로등"], "participants": 3}
    assert proposal.dissatisfied == 1 and proposal.hidden is False


def test_a_prepared_read_raises_the_drivers_errors_as_sqlalchemy_does() -> None:
    """The fast lane tells "database is locked" from other errors by SQLAlchemy's exception,
    so a prepared read must not let the driver's own escape."""
    missing = PreparedSelect(select(ProposalEvent.at).where(ProposalEvent.id == bindparam("id")))
    with create_engine("sqlite://").connect() as connection, \
            pytest.raises(OperationalError, match="no such table"):
        missing.rows(connection, {"id": 1})
