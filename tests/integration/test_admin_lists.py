"""The staff's proposal lists on both backends, over 400 proposals: filters, orders, pages
(one statement a page), the staff view of one proposal, and bulk decisions that skip what
someone else handled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Proposal, User
from bot.domain.admin_lists import ListQuery, Sort
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ModerationPending
from bot.domain.lifecycle import ProposalStatus
from bot.services import admin_lists, moderation, work_items
from bot.services.admin_lists import Acting, BulkResult
from bot.services.departments import create_department
from bot.services.moderation import Moderator
from bot.services.sql import is_postgres
from bot.services.work_items import WorkKind
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
S = ProposalStatus
AREAS, CATEGORIES = ("구로1동", "신도림동", "개봉1동"), ("교통", "환경")
CYCLE = (S.COLLECTING, S.COLLECTING, S.UNDER_REVIEW, S.AWAITING_ANSWER, S.ANSWERED)
NOW = START + timedelta(days=20)
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=-100500)


def _row(author: User, i: int) -> Proposal:
    """Number i: status, 동 and 분야 by turns, i*7 % 101 공감, deadlines spread around NOW."""
    status = CYCLE[i % len(CYCLE)]
    due = START + timedelta(days=(i * 13) % 40)
    return Proposal(
        author_id=author.id, title=f"제안 {i:03d}", problem="문제", solution="해결",
        effect="효과", area=AREAS[i % 3], category=CATEGORIES[i % 2], status=status,
        hidden=i % 50 == 0, endorsement_count=(i * 7) % 101,
        created_at=START + timedelta(minutes=i), published_at=START,
        collect_until=due if status is S.COLLECTING else None,
        review_due=due if status is S.UNDER_REVIEW else None,
        answer_due=due if status is S.AWAITING_ANSWER else None)


@pytest.fixture
async def seeded(sessionmaker: Maker) -> list[Proposal]:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 700, START)
        rows = [_row(author, i) for i in range(400)]
        session.add_all(rows)
        await session.flush()
        return rows


@contextmanager
def counted(session: AsyncSession) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = session.bind.sync_engine  # type: ignore[union-attr]
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _due(p: Proposal) -> Any:
    return p.collect_until or p.review_due or p.answer_due


async def _page(sessionmaker: Maker, query: ListQuery) -> tuple[list[int], int]:
    async with sessionmaker() as session:
        with counted(session) as statements:
            lines, total = await admin_lists.proposal_page(
                session, query, areas=AREAS, categories=CATEGORIES, now=NOW)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1 or not lines, selects  # one statement for a page
    return [line.id for line in lines], total


@pytest.mark.parametrize(("query", "keep", "order"), [
    (ListQuery(), lambda p: True, lambda p: -p.id),
    (ListQuery(status=S.COLLECTING, sort=Sort.ENDORSED), lambda p: p.status is S.COLLECTING,
     lambda p: (-p.endorsement_count, -p.id)),
    (ListQuery(area=1, category=0, sort=Sort.OLDEST),
     lambda p: p.area == AREAS[1] and p.category == CATEGORIES[0], lambda p: p.id),
    (ListQuery(sort=Sort.DEADLINE), lambda p: True,
     lambda p: (_due(p) is None, _due(p) or START, p.id)),
    (ListQuery(overdue=True), lambda p: p.status in (S.UNDER_REVIEW, S.AWAITING_ANSWER)
     and _due(p) < NOW, lambda p: -p.id),
    (ListQuery(waiting=True), lambda p: p.status in (S.UNDER_REVIEW, S.AWAITING_ANSWER),
     lambda p: p.id),
])
async def test_every_page_of_a_list_in_its_order(
    sessionmaker: Maker, seeded: list[Proposal], query: ListQuery, keep: Any, order: Any,
) -> None:
    expected = [p.id for p in sorted((p for p in seeded if keep(p)), key=order)]
    pages = -(-len(expected) // 10)
    assert pages >= 2
    shown: list[int] = []
    for page in range(pages):
        ids, total = await _page(sessionmaker, query.at(page))
        assert total == len(expected) and len(ids) == min(10, len(expected) - page * 10)
        shown += ids
    assert shown == expected
    assert await _page(sessionmaker, query.at(pages + 3)) == ([], len(expected))


async def test_forty_pages_of_ten(sessionmaker: Maker, seeded: list[Proposal]) -> None:
    ids, total = await _page(sessionmaker, ListQuery(sort=Sort.ENDORSED, page=3))
    assert total == 400 and len(ids) == 10
    by_count = sorted(seeded, key=lambda p: (-p.endorsement_count, -p.id))
    assert ids == [p.id for p in by_count[30:40]]


async def test_an_unknown_area_index_matches_nothing(
    sessionmaker: Maker, seeded: list[Proposal],
) -> None:
    assert await _page(sessionmaker, ListQuery(area=9)) == ([], 0)


async def _pending(sessionmaker: Maker, count: int) -> list[int]:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 701, START)
        ids = []
        for n in range(count):
            proposal = Proposal(author_id=author.id, title=f"대기 {n}", problem="문제",
                                solution="해결", effect="효과", hidden=False,
                                status=S.PENDING_MODERATION, endorsement_count=0,
                                created_at=START)
            session.add(proposal)
            await session.flush()
            await work_items.post_work_item(
                session, SETTINGS.venues, kind=WorkKind.PENDING, subject_kind="proposal",
                subject_id=proposal.id, now=START,
                notice=ModerationPending(proposal.id, proposal.title, key=str(proposal.id)))
            ids.append(proposal.id)
    return ids


def acting(user_id: int, name: str) -> Acting:
    return Acting(Moderator(user_id, name, f"telegram:{user_id}"), START, SETTINGS.policy,
                  SETTINGS.venues, SETTINGS.secret_key, None, BusinessCalendar())


async def test_a_bulk_approval_skips_what_another_moderator_handled(sessionmaker: Maker) -> None:
    ids = await _pending(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        other = await make_user(session, 702, START)
        mine = await make_user(session, 703, START)
    async with sessionmaker() as session, session.begin():
        first = await admin_lists.decide_pending(session, ids[1], "approve",
                                                 acting(other.id, "다른 운영자"))
    assert first.outcome is moderation.ActOutcome.DONE
    async with sessionmaker() as session, session.begin():
        result = await admin_lists.decide_many(session, ids, "approve", acting(mine.id, "나"))
    assert result == BulkResult(done=2, skipped=1)
    assert {item.subject_id for item in result.claimed} == {ids[0], ids[2]}
    async with sessionmaker() as session:
        statuses = list(await session.scalars(select(Proposal.status)
                                              .where(Proposal.id.in_(ids))))
    assert statuses == [S.COLLECTING] * 3


async def test_a_bulk_assignment_skips_the_wrong_state_and_the_repeat(
    sessionmaker: Maker, seeded: list[Proposal],
) -> None:
    review = [p.id for p in seeded if p.status is S.UNDER_REVIEW][:2]
    collecting = next(p.id for p in seeded if p.status is S.COLLECTING)
    async with sessionmaker() as session, session.begin():
        department = await create_department(session, name="도로과", now=START)
        user = await make_user(session, 704, START)
    async with sessionmaker() as session, session.begin():
        first = await admin_lists.assign_many(session, [*review, collecting], department,
                                              acting(user.id, "나"))
    async with sessionmaker() as session, session.begin():
        again = await admin_lists.assign_many(session, review, department,
                                              acting(user.id, "나"))
    assert first == BulkResult(2, 1) and again == BulkResult(0, 2)
    async with sessionmaker() as session:
        view = await admin_lists.staff_view(session, review[0])
    assert view is not None and view.department == "도로과" and not view.pending_item
    assert view.line.due is not None and view.answers == ()


async def test_the_staff_view_of_a_waiting_proposal(sessionmaker: Maker) -> None:
    (pid,) = await _pending(sessionmaker, 1)
    async with sessionmaker() as session:
        view = await admin_lists.staff_view(session, pid)
        missing = await admin_lists.staff_view(session, 999_999)
    assert view is not None and view.pending_item and view.line.status is S.PENDING_MODERATION
    assert missing is None


@pytest.mark.parametrize("query", [
    ListQuery(status=S.COLLECTING, sort=Sort.ENDORSED, page=3),
    ListQuery(area=1, category=0),
])
async def test_a_page_is_read_through_an_index(
    sessionmaker: Maker, seeded: list[Proposal], query: ListQuery,
) -> None:
    statement = admin_lists.page_statement(query, areas=AREAS, categories=CATEGORIES, now=NOW)
    async with sessionmaker() as session, session.begin():
        sql = str(statement.compile(session.bind, compile_kwargs={"literal_binds": True}))
        if is_postgres(session):
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in await session.execute(text(f"EXPLAIN {sql}")))
        else:
            plan = " ".join(str(row[-1]) for row in
                            await session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_proposals_" in plan, plan
