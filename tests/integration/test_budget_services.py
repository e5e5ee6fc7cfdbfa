"""Budget rounds at the service level, on both backends: creating, projects, importing accepted
proposals, opening and closing exactly once, counting, publishing and exporting."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import AuditEntry, BudgetProject, BudgetRound, OutboxMessage, RoundPhase
from bot.domain.deadlines import BusinessCalendar
from bot.domain.pb.pbfile import parse_pb
from bot.domain.pb.rounds import ProjectSpec, parse_round_form
from bot.domain.pb.rules import tally
from bot.services import budget
from bot.services.budget import ExportOutcome, ProjectOutcome
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.settings import Settings
from tests.conftest import START
from tests.support.budget_rounds import (
    CLOSES,
    OPENS,
    ROUND_FORM,
    answer,
    cast,
    make_department,
    make_project,
    make_round,
)
from tests.support.factories import make_proposal, make_user

Maker = async_sessionmaker[AsyncSession]
CHANNEL = -100123
SETTINGS = Settings(public_channel_id=CHANNEL, public_base_url="https://gonggam.example")


def machine(sessionmaker: Maker, *, when: datetime) -> DeadlineMachine:
    return DeadlineMachine(sessionmaker, fake_clock(when),
                           DeadlineContext(SETTINGS.policy, BusinessCalendar(), SETTINGS.venues))


async def phase_of(sessionmaker: Maker, round_id: int) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(
            select(BudgetRound.phase).where(BudgetRound.id == round_id)))


async def outbox(sessionmaker: Maker, kind: str) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        return list(await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


async def seed_voting_round(sessionmaker: Maker) -> tuple[int, list[int], list[int]]:
    """A 1억 round with four projects, opened, and five ballots (one only a draft)."""
    async with sessionmaker() as session, session.begin():
        row = await make_round(session, START)
        costs = [60_000_000, 30_000_000, 31_000_000, 5_000_000]
        projects = [(await make_project(session, row.id, f"사업 {n}", cost, n)).id
                    for n, cost in enumerate(costs, start=1)]
        users = [(await make_user(session, 7001 + n, START)).id for n in range(6)]
    assert await machine(sessionmaker, when=OPENS).run_due() == 1
    a, b, c, d = projects
    async with sessionmaker() as session, session.begin():
        now = OPENS + timedelta(hours=1)
        await cast(session, row.id, users[0], {a: 1, b: 1}, now)
        await cast(session, row.id, users[1], {a: 1}, now)
        await cast(session, row.id, users[2], {b: 1, c: 1, d: 1}, now)
        await cast(session, row.id, users[3], {c: 1, d: 1}, now)
        await cast(session, row.id, users[4], {a: 1}, now, submitted=False)
    return row.id, projects, users


# ----- creating -------------------------------------------------------------------------------


async def test_a_round_form_becomes_a_preparing_round_in_the_audit_log(
    sessionmaker: Maker,
) -> None:
    parsed = parse_round_form(ROUND_FORM, now=START, tz=ZoneInfo("Asia/Seoul"), areas=())
    assert parsed.spec is not None
    async with sessionmaker() as session, session.begin():
        round_id = await budget.create_round(session, parsed.spec, now=START, actor="telegram:1")
    async with sessionmaker() as session:
        row = await session.get(BudgetRound, round_id)
        assert row is not None
        assert (row.phase, row.budget_krw, row.rule, row.tie_break) == (
            RoundPhase.PREPARING, 100_000_000, "greedy", "cheapest")
        assert (row.opens_at, row.closes_at) == (OPENS, CLOSES)
        entry = (await session.scalars(select(AuditEntry))).one()
        assert (entry.action, entry.subject) == ("budget.round_create", f"budget_round:{round_id}")
        [summary] = await budget.list_rounds(session)
    assert (summary.id, summary.phase, summary.projects, summary.ballots) == (
        round_id, RoundPhase.PREPARING, 0, 0)


async def test_projects_are_added_only_while_the_round_is_preparing(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        row = await make_round(session, START)
    spec = ProjectSpec("어린이공원 가로등", 30_000_000, "LED 6개", "구로1동", "안전·방범")
    async with sessionmaker() as session, session.begin():
        added = await budget.add_project(session, row.id, spec, now=START, actor="a")
        too_big = await budget.add_project(session, row.id, ProjectSpec("체육관", 200_000_000),
                                           now=START, actor="a")
        unknown = await budget.add_project(session, 999, spec, now=START, actor="a")
    assert added.outcome is ProjectOutcome.ADDED and not added.over_budget
    assert too_big.outcome is ProjectOutcome.ADDED and too_big.over_budget  # allowed, warned
    assert unknown.outcome is ProjectOutcome.UNKNOWN_ROUND
    assert await machine(sessionmaker, when=OPENS).run_due() == 1
    async with sessionmaker() as session, session.begin():
        late = await budget.add_project(session, row.id, spec, now=OPENS, actor="a")
        late_import = await budget.import_accepted(session, row.id, now=OPENS, actor="a")
    assert late.outcome is late_import.outcome is ProjectOutcome.NOT_PREPARING
    async with sessionmaker() as session:
        titles = list(await session.scalars(
            select(BudgetProject.title).order_by(BudgetProject.position)))
    assert titles == ["어린이공원 가로등", "체육관"]


async def test_accepted_proposals_with_a_budget_are_imported_once(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 7000, START)
        department = await make_department(session)
        round_id = (await make_round(session, START)).id
        cases = {
            "수용": ("accepted", 30_000_000), "부분 수용": ("partial", 20_000_000),
            "불수용": ("rejected", None), "예산 없음": ("accepted", None),
        }
        ids = {}
        for title, (decision, money) in cases.items():
            proposal = await make_proposal(session, author, START, title=title, area="구로1동")
            ids[title] = proposal.id
            await answer(session, proposal.id, department.id, START, decision=decision,
                         budget=money)
        corrected = await make_proposal(session, author, START, title="정정됨")
        await answer(session, corrected.id, department.id, START, decision="accepted",
                     budget=10_000_000)
        await answer(session, corrected.id, department.id, START, decision="rejected",
                     budget=None, after=timedelta(days=1))
        hidden = await make_proposal(session, author, START, title="숨김", hidden=True)
        await answer(session, hidden.id, department.id, START, decision="accepted",
                     budget=10_000_000)
    async with sessionmaker() as session, session.begin():
        first = await budget.import_accepted(session, round_id, now=START, actor="a")
    async with sessionmaker() as session, session.begin():
        second = await budget.import_accepted(session, round_id, now=START, actor="a")
    assert (first.outcome, first.added, first.already) == (ProjectOutcome.ADDED, 2, 0)
    assert (second.added, second.already) == (0, 2)
    async with sessionmaker() as session:
        rows = (await session.execute(
            select(BudgetProject.proposal_id, BudgetProject.title, BudgetProject.cost_krw,
                   BudgetProject.area).order_by(BudgetProject.position))).all()
    assert [tuple(r) for r in rows] == [(ids["수용"], "수용", 30_000_000, "구로1동"),
                                        (ids["부분 수용"], "부분 수용", 20_000_000, "구로1동")]


# ----- opening, closing, counting -------------------------------------------------------------


async def test_a_round_opens_and_closes_once_even_when_the_machine_runs_twice_or_concurrently(
    sessionmaker: Maker, backend: str,
) -> None:
    async with sessionmaker() as session, session.begin():
        round_id = (await make_round(session, START)).id
        await make_project(session, round_id, "가로등", 30_000_000)
    early = machine(sessionmaker, when=OPENS - timedelta(minutes=1))
    assert await early.run_due() == 0
    assert (await early.probe(OPENS - timedelta(minutes=1))).next_at == OPENS
    assert await machine(sessionmaker, when=OPENS).run_due() == 1
    assert await machine(sessionmaker, when=OPENS).run_due() == 0
    assert await phase_of(sessionmaker, round_id) == RoundPhase.VOTING
    [opened] = await outbox(sessionmaker, "budget_round_opened")
    assert opened.chat_id == CHANNEL and opened.params["url"].endswith(f"/budget/{round_id}")

    assert await machine(sessionmaker, when=CLOSES - timedelta(seconds=1)).run_due() == 0
    runs = [machine(sessionmaker, when=CLOSES + timedelta(minutes=n)).run_due() for n in range(3)]
    if backend == "sqlite":  # SQLite serialises writers; run them one after the other
        done = [await run for run in runs]
    else:
        done = list(await asyncio.gather(*runs))
    assert sum(done) == 2  # closed once, counted once
    assert await phase_of(sessionmaker, round_id) == RoundPhase.PUBLISHED
    assert len(await outbox(sessionmaker, "budget_results")) == 1  # the channel; nobody voted


async def test_the_count_is_stored_and_sent_to_voters_and_the_channel(sessionmaker: Maker) -> None:
    round_id, (a, b, c, d), _users = await seed_voting_round(sessionmaker)
    assert await machine(sessionmaker, when=CLOSES).run_due() == 2
    async with sessionmaker() as session:
        row = await session.get(BudgetRound, round_id)
        assert row is not None and row.results is not None and row.published_at == CLOSES
        results = row.results
        data = await budget.load_count_data(session, row)
    expected = tally(budget.build_election(data), "greedy")
    assert results["selected"] == [int(i) for i in expected.selected]
    # a: 2 votes, b: 2, c: 2, d: 2 → all tie; cheapest first: d, b, c (60M no longer fits)
    assert results["selected"] == [d, b, c]
    assert results["total_cost"] == 66_000_000 and results["budget"] == 100_000_000
    assert (results["ballots"], results["eligible"]) == (4, 6)
    assert results["ties"] == [[d, b, c, a]]
    votes = {p["id"]: (p["votes"], p["selected"]) for p in results["projects"]}
    assert votes == {a: (2, False), b: (2, True), c: (2, True), d: (2, True)}

    # a (60M) tied with the three funded, came last by the tie-break, and 34M was left
    why = {p["id"]: (p["reason"], p["left"]) for p in results["projects"]}
    assert why == {a: ("lost_tie", 34_000_000), b: (None, None), c: (None, None),
                   d: (None, None)}

    sent = await outbox(sessionmaker, "budget_results")
    # the voters, the channel, and the owner of the draft (7005), told it did not count
    assert sorted(m.chat_id for m in sent) == sorted([7001, 7002, 7003, 7004, 7005, CHANNEL])
    assert {m.chat_id: m.params.get("unsent") for m in sent}[7005] == "draft"
    assert [m.params.get("unsent") for m in sent if m.chat_id != 7005] == [None] * 5
    params = sent[0].params
    assert params["unfunded"] == [["사업 1", 60_000_000, 2, "lost_tie", 34_000_000]]
    assert params["photo_url"] == f"https://gonggam.example/budget/{round_id}/chart.png"
    # [title, cost, votes] in the order funded, for “✅ 사업 4 — 2표 · 500만 원”
    assert params["funded"] == [["사업 4", 5_000_000, 2], ["사업 2", 30_000_000, 2],
                                ["사업 3", 31_000_000, 2]]
    assert params["ballot_type"] == "approval_budget"
    assert await machine(sessionmaker, when=CLOSES + timedelta(days=1)).run_due() == 0
    assert len(await outbox(sessionmaker, "budget_results")) == 6


async def test_a_round_whose_window_passed_while_the_app_was_down_is_done_in_one_sweep(
    sessionmaker: Maker,
) -> None:
    async with sessionmaker() as session, session.begin():
        round_id = (await make_round(session, START)).id
    assert await machine(sessionmaker, when=CLOSES + timedelta(days=3)).run_due() == 3
    assert await phase_of(sessionmaker, round_id) == RoundPhase.PUBLISHED
    assert await outbox(sessionmaker, "budget_round_opened") == []  # never announced as open
    assert len(await outbox(sessionmaker, "budget_results")) == 1


async def test_min_support_and_cumulative_points_are_counted(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        row = await make_round(session, START, ballot_type="cumulative", points_total=5,
                               points_per_project=3, rule="greedy-points",
                               min_support_percent=50)
        a = (await make_project(session, row.id, "가", 50_000_000, 1)).id
        b = (await make_project(session, row.id, "나", 40_000_000, 2)).id
        c = (await make_project(session, row.id, "다", 10_000_000, 3)).id
        users = [(await make_user(session, 7101 + n, START)).id for n in range(4)]
        row.phase = RoundPhase.VOTING
    async with sessionmaker() as session, session.begin():
        await cast(session, row.id, users[0], {a: 3, b: 2}, OPENS)
        await cast(session, row.id, users[1], {a: 2, b: 3}, OPENS)
        await cast(session, row.id, users[2], {b: 3, c: 2}, OPENS)
        await cast(session, row.id, users[3], {a: 3, b: 2}, OPENS)
    assert await machine(sessionmaker, when=CLOSES).run_due() == 2
    async with sessionmaker() as session:
        stored = await session.get(BudgetRound, row.id)
        assert stored is not None and stored.results is not None
        results = stored.results
    points = {p["id"]: (p["points"], p["votes"], p["supported"]) for p in results["projects"]}
    assert points == {a: (8, 3, True), b: (10, 4, True), c: (2, 1, False)}
    assert results["selected"] == [b, a]  # c is below 50 % support although money is left
    assert [p["id"] for p in results["projects"]] == [b, a, c]


# ----- exporting ------------------------------------------------------------------------------


async def test_the_export_is_anonymous_and_tallies_to_the_stored_outcome(
    sessionmaker: Maker,
) -> None:
    round_id, projects, _users = await seed_voting_round(sessionmaker)
    async with sessionmaker() as session, session.begin():
        early = await budget.export_round(session, round_id, now=OPENS, actor="a")
        unknown = await budget.export_round(session, 999, now=OPENS, actor="a")
    assert early.outcome is ExportOutcome.NOT_CLOSED
    assert unknown.outcome is ExportOutcome.UNKNOWN_ROUND
    assert await machine(sessionmaker, when=CLOSES).run_due() == 2
    async with sessionmaker() as session, session.begin():
        export = await budget.export_round(session, round_id, now=CLOSES, actor="a")
        stored = await session.get(BudgetRound, round_id)
        assert stored is not None and stored.results is not None
    assert export.outcome is ExportOutcome.READY and export.ballots == 4
    election = parse_pb(export.pb_text)
    assert [b.voter_id for b in election.ballots] == ["1", "2", "3", "4"]
    assert election.meta_value("vote_type") == "approval"
    assert (election.meta_value("date_begin"), election.meta_value("date_end")) == (
        "2026-12-01", "2026-12-14")  # KST days; the round closes at 24:00 of the 14th
    again = tally(election, stored.results["rule"], tie_break=stored.results["tie_break"])
    assert [int(i) for i in again.selected] == stored.results["selected"]
    for telegram_id in range(7001, 7007):
        assert str(telegram_id) not in export.pb_text
    assert export.csv_bytes.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.csv_bytes.decode("utf-8-sig"))))
    assert rows[0] == ["voter_id", *[f"{p} 사업 {n}" for n, p in enumerate(projects, start=1)]]
    assert len(rows) == 5 and sorted(sum(int(x) for x in r[1:]) for r in rows[1:]) == [1, 2, 2, 3]
    async with sessionmaker() as session:
        exports = await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "budget.export"))
    assert exports == 1  # the refused early export left no entry


async def test_a_cumulative_export_keeps_the_points(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        row = await make_round(session, START, ballot_type="cumulative", points_total=4,
                               points_per_project=4, rule="greedy-points", phase="voting")
        a = (await make_project(session, row.id, "가", 60_000_000, 1)).id
        b = (await make_project(session, row.id, "나", 60_000_000, 2)).id
        for n, choice in enumerate(({a: 4}, {a: 1, b: 3}, {b: 2, a: 2})):
            user = await make_user(session, 7201 + n, START)
            await cast(session, row.id, user.id, choice, OPENS)
    assert await machine(sessionmaker, when=CLOSES).run_due() == 2
    async with sessionmaker() as session, session.begin():
        export = await budget.export_round(session, row.id, now=CLOSES, actor="a")
    election = parse_pb(export.pb_text)
    assert election.meta_value("max_sum_points") == "4"
    assert sorted(tuple(map(int, b.points or ())) for b in election.ballots) == [
        (1, 3), (2, 2), (4,)]
    assert tally(election, "greedy-points").selected == (str(a),)


async def test_the_admin_who_made_the_round_hears_it_open_and_its_results_once(
    sessionmaker: Maker,
) -> None:
    """The creator gets the opening post and the results; one who also voted, results once."""
    async with sessionmaker() as session, session.begin():
        voter = await make_user(session, 7001, START)
        row = await make_round(session, START, created_by="telegram:7001")
        project = (await make_project(session, row.id, "사업 1", 10_000_000, 1)).id
        other = await make_round(session, START, created_by="telegram:7777")
    assert await machine(sessionmaker, when=OPENS).run_due() == 2
    opened = await outbox(sessionmaker, "budget_round_opened")
    assert sorted(m.chat_id for m in opened) == sorted([7001, 7777, CHANNEL, CHANNEL])
    async with sessionmaker() as session, session.begin():
        await cast(session, row.id, voter.id, {project: 1}, OPENS + timedelta(hours=1))
    await machine(sessionmaker, when=CLOSES).run_due()
    results = await outbox(sessionmaker, "budget_results")
    assert sorted(m.chat_id for m in results if m.params["round_id"] == row.id) \
        == sorted([7001, CHANNEL])
    assert sorted(m.chat_id for m in results if m.params["round_id"] == other.id) \
        == sorted([7777, CHANNEL])
