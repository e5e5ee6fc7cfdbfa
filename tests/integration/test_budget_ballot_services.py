"""The ballot at the service level, on both backends: view, tap, refuse, submit, double
submit, change after submitting, the one-row-per-person constraint, and reminders once each.

Rounds and projects are inserted directly (the admin commands are another module's job).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import (
    BudgetBallot,
    BudgetProject,
    BudgetRound,
    OutboxMessage,
    RoundPhase,
    User,
)
from bot.domain.deadlines import BusinessCalendar
from bot.domain.pb.ballot import Action, Ineligible, RefusalReason
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.services import ballots, budget
from bot.services.ballots import REMIND_6H, REMIND_48H, BallotOutcome, BallotResult
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
EOK, MAN = 100_000_000, 10_000
# 가 1억, 나 2,000만, 다 1억 5,000만, 라 8,000만, 마 5,000만, 바 2억 (a second page)
PROJECTS = (("가로등 교체", EOK), ("놀이터 그늘막", 2_000 * MAN), ("작은 도서관", 15_000 * MAN),
            ("경로당 냉난방", 8_000 * MAN), ("골목 CCTV", 5_000 * MAN), ("공원 산책로", 2 * EOK))


async def make_round(
    session: AsyncSession, now: datetime, *, projects: tuple[tuple[str, int], ...] = PROJECTS,
    **overrides: Any,
) -> tuple[BudgetRound, list[BudgetProject]]:
    """An approval-within-budget round of 3억 in its voting phase: open an hour ago,
    closing in three days, unless overridden."""
    values: dict[str, Any] = {
        "name": "2027 우리 동네 주민참여예산", "budget_krw": 3 * EOK,
        "ballot_type": "approval_budget", "eligibility": "everyone", "rule": "greedy",
        "tie_break": "cheapest", "changeable": True, "phase": RoundPhase.VOTING,
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=3),
        "opened_at": now - timedelta(hours=1), "created_at": now - timedelta(days=1),
        "created_by": "test",
    }
    round_ = BudgetRound(**(values | overrides))
    session.add(round_)
    await session.flush()
    rows = [BudgetProject(round_id=round_.id, title=title, description=f"{title} 사업입니다.",
                          cost_krw=cost, position=n) for n, (title, cost) in enumerate(projects)]
    session.add_all(rows)
    await session.flush()
    return round_, rows


async def seed(sessionmaker: Maker, **round_overrides: Any) -> tuple[int, list[int], list[int]]:
    """A round, its project ids and three residents."""
    async with sessionmaker() as session, session.begin():
        round_, projects = await make_round(session, START, **round_overrides)
        users = [(await make_user(session, 7001 + n, START)).id for n in range(3)]
    return round_.id, [p.id for p in projects], users


async def version(sessionmaker: Maker, round_id: int) -> int:
    async with sessionmaker() as session:
        loaded = await ballots.load_round(session, round_id)
    assert loaded is not None
    return loaded.version


async def tap(
    sessionmaker: Maker, round_id: int, user_id: int, project_id: int,
    action: Action = Action.TOGGLE, *, now: datetime = START, page: int = 0,
    round_version: int | None = None,
) -> BallotResult:
    ver = round_version if round_version is not None else await version(sessionmaker, round_id)
    async with sessionmaker() as session, session.begin():
        return await ballots.tap(session, round_id=round_id, round_version=ver, user_id=user_id,
                                 project_id=project_id, action=action, page=page, now=now)


async def submit(
    sessionmaker: Maker, round_id: int, user_id: int, *, now: datetime = START
) -> BallotResult:
    ver = await version(sessionmaker, round_id)
    async with sessionmaker() as session, session.begin():
        return await ballots.submit(session, round_id=round_id, round_version=ver,
                                    user_id=user_id, now=now)


async def show(sessionmaker: Maker, round_id: int, user_id: int, *, now: datetime = START,
               page: int | None = None) -> BallotResult:
    async with sessionmaker() as session, session.begin():
        return await ballots.show_ballot(session, round_id=round_id, user_id=user_id, now=now,
                                         page=page)


# ----- tapping --------------------------------------------------------------------------------


async def test_taps_are_saved_and_the_summary_follows(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    await tap(sessionmaker, round_id, minji, projects[0])
    result = await tap(sessionmaker, round_id, minji, projects[1])
    assert result.outcome is BallotOutcome.OK and result.state is not None
    summary = result.state.summary
    assert (summary.count, summary.total_cost, summary.remaining_budget) == (
        2, 12_000 * MAN, 18_000 * MAN)
    shown = await show(sessionmaker, round_id, minji)
    assert shown.state is not None and shown.state.draft == {projects[0]: 1, projects[1]: 1}
    toggled_off = await tap(sessionmaker, round_id, minji, projects[0])
    assert toggled_off.state is not None and toggled_off.state.draft == {projects[1]: 1}


async def test_a_tap_over_the_budget_is_refused_and_changes_nothing(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    for index in (0, 2):  # 2억 5,000만
        await tap(sessionmaker, round_id, minji, projects[index])
    refused = await tap(sessionmaker, round_id, minji, projects[5])  # + 2억
    assert refused.outcome is BallotOutcome.REFUSED and refused.refusal is not None
    assert refused.refusal.reason is RefusalReason.OVER_BUDGET
    assert refused.refusal.over_by == 15_000 * MAN
    shown = await show(sessionmaker, round_id, minji)
    assert shown.state is not None and set(shown.state.draft) == {projects[0], projects[2]}


async def test_the_page_is_remembered_for_the_next_visit(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    await show(sessionmaker, round_id, minji, page=1)
    assert (await show(sessionmaker, round_id, minji)).state.page == 1  # type: ignore[union-attr]
    await show(sessionmaker, round_id, minji, page=99)  # forged: clamped to the last page
    assert (await show(sessionmaker, round_id, minji)).state.page == 1  # type: ignore[union-attr]


async def test_choose_k_and_cumulative_limits_are_enforced(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(
        sessionmaker, ballot_type="choose_k", max_choices=2)
    for index in (0, 1):
        await tap(sessionmaker, round_id, minji, projects[index])
    refused = await tap(sessionmaker, round_id, minji, projects[2])
    assert refused.refusal is not None and refused.refusal.reason is RefusalReason.TOO_MANY_CHOICES

    async with sessionmaker() as session, session.begin():
        points_round, _ = await make_round(session, START, ballot_type="cumulative",
                                           points_total=3, points_per_project=2)
        points_projects = [p.id for p in (await session.scalars(select(BudgetProject).where(
            BudgetProject.round_id == points_round.id).order_by(BudgetProject.id)))]
    for _ in range(2):
        await tap(sessionmaker, points_round.id, minji, points_projects[0], Action.ADD)
    too_many = await tap(sessionmaker, points_round.id, minji, points_projects[0], Action.ADD)
    assert too_many.refusal is not None
    assert too_many.refusal.reason is RefusalReason.TOO_MANY_ON_ONE
    wrong = await tap(sessionmaker, points_round.id, minji, points_projects[1], Action.TOGGLE)
    assert wrong.refusal is not None and wrong.refusal.reason is RefusalReason.WRONG_ACTION


async def test_a_button_from_before_the_round_changed_is_stale(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    old_version = await version(sessionmaker, round_id)
    async with sessionmaker() as session, session.begin():
        session.add(BudgetProject(round_id=round_id, title="새 사업", description="",
                                  cost_krw=MAN, position=9))
    stale = await tap(sessionmaker, round_id, minji, projects[0], round_version=old_version)
    assert stale.outcome is BallotOutcome.STALE and stale.state is not None
    assert stale.state.draft == {} and len(stale.state.round.projects) == 7


async def test_after_the_close_and_before_the_opening_nothing_can_be_cast(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    await tap(sessionmaker, round_id, minji, projects[0])
    after = START + timedelta(days=3)
    assert (await tap(sessionmaker, round_id, minji, projects[1], now=after)).outcome is (
        BallotOutcome.CLOSED)
    assert (await submit(sessionmaker, round_id, minji, now=after)).outcome is BallotOutcome.CLOSED
    early = START - timedelta(hours=2)
    assert (await show(sessionmaker, round_id, minji, now=early)).outcome is BallotOutcome.CLOSED


async def test_eligibility_is_checked_on_every_tap(sessionmaker: Maker) -> None:
    round_id, projects, (minji, yeongsu, haneul) = await seed(sessionmaker, eligibility="contact")
    refused = await tap(sessionmaker, round_id, minji, projects[0])
    assert refused.outcome is BallotOutcome.NOT_ELIGIBLE
    assert refused.ineligible is Ineligible.NEEDS_CONTACT
    async with sessionmaker() as session, session.begin():
        assert await session.scalar(select(func.count()).select_from(BudgetBallot)) == 0
        verified_round, rows = await make_round(session, START, eligibility="verified",
                                                area="역삼1동")
        await make_user(session, 7101, START, verified_area="역삼2동")
        await make_user(session, 7102, START, verified_area="역삼1동", phone_hash="x" * 64)
    await check_verified_round(sessionmaker, verified_round.id, rows[0].id, yeongsu)
    contact = await tap(sessionmaker, round_id, await user_id(sessionmaker, 7102), projects[0])
    assert contact.outcome is BallotOutcome.OK


async def user_id(sessionmaker: Maker, telegram_id: int) -> int:
    async with sessionmaker() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    assert found is not None
    return int(found)


async def check_verified_round(
    sessionmaker: Maker, round_id: int, project_id: int, unverified: int
) -> None:
    """Verified rounds: an unverified person, one of another 동, one of the round's 동."""
    expected = [(unverified, Ineligible.NEEDS_VERIFICATION),
                (await user_id(sessionmaker, 7101), Ineligible.OTHER_AREA),
                (await user_id(sessionmaker, 7102), None)]
    for person, problem in expected:
        result = await tap(sessionmaker, round_id, person, project_id)
        assert result.ineligible is problem
        assert (result.outcome is BallotOutcome.OK) == (problem is None)


# ----- submitting -----------------------------------------------------------------------------


async def test_submit_records_the_ballot_and_a_double_submit_returns_the_same_receipt(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    assert (await submit(sessionmaker, round_id, minji)).outcome is BallotOutcome.EMPTY
    await tap(sessionmaker, round_id, minji, projects[0])
    first = await submit(sessionmaker, round_id, minji)
    assert first.outcome is BallotOutcome.OK and first.state is not None
    assert first.state.receipt and len(first.state.receipt) == 9
    again = await submit(sessionmaker, round_id, minji, now=START + timedelta(minutes=1))
    assert again.outcome is BallotOutcome.SAME and again.state is not None
    assert again.state.receipt == first.state.receipt
    assert again.state.submitted_at == START
    async with sessionmaker() as session:
        stored = (await session.scalars(select(BudgetBallot))).one()
    assert stored.choices == {str(projects[0]): 1} and stored.submitted_at == START


async def test_a_changeable_ballot_can_be_changed_and_resubmitted_until_the_close(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    await tap(sessionmaker, round_id, minji, projects[0])
    first = await submit(sessionmaker, round_id, minji)
    changed = await tap(sessionmaker, round_id, minji, projects[1])
    assert changed.state is not None and changed.state.has_unsent_changes
    assert changed.state.choices == {projects[0]: 1}  # the submitted one still counts
    later = START + timedelta(hours=1)
    second = await submit(sessionmaker, round_id, minji, now=later)
    assert second.outcome is BallotOutcome.OK and second.state is not None
    assert second.state.choices == {projects[0]: 1, projects[1]: 1}
    assert second.state.receipt != first.state.receipt  # type: ignore[union-attr]
    assert second.state.submitted_at == later


async def test_a_locked_round_refuses_changes_after_submitting(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker, changeable=False)
    await tap(sessionmaker, round_id, minji, projects[0])
    await submit(sessionmaker, round_id, minji)
    assert (await tap(sessionmaker, round_id, minji, projects[1])).outcome is BallotOutcome.LOCKED
    assert (await submit(sessionmaker, round_id, minji)).outcome is BallotOutcome.SAME


async def test_one_ballot_row_per_person_and_round(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    await tap(sessionmaker, round_id, minji, projects[0])
    await tap(sessionmaker, round_id, minji, projects[1])
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(BudgetBallot)) == 1
    with pytest.raises(IntegrityError):
        async with sessionmaker() as session, session.begin():
            session.add(BudgetBallot(round_id=round_id, user_id=minji, draft={}, draft_page=0,
                                     updated_at=START))


# ----- reminders ------------------------------------------------------------------------------


async def remind(sessionmaker: Maker, at: datetime) -> int:
    """What the deadline machine does at `at`: every due round, handled in its own transaction."""
    sent = 0
    for mark in (REMIND_48H, REMIND_6H):
        async with sessionmaker() as session:
            due = await mark.due(session, at)
        for round_id in due:
            async with sessionmaker() as session, session.begin():
                sent += await mark.handle(session, round_id, at, Policy())
    return sent


async def reminders(sessionmaker: Maker) -> list[tuple[int, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.kind)
                                     .order_by(OutboxMessage.id))
        return [(chat, kind) for chat, kind in rows]


async def test_unsubmitted_drafts_get_the_48h_and_6h_reminders_once_each(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, yeongsu, haneul) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    await tap(sessionmaker, round_id, minji, projects[0])  # a draft, never submitted
    await tap(sessionmaker, round_id, yeongsu, projects[1])  # submitted: never reminded
    await submit(sessionmaker, round_id, yeongsu)
    await show(sessionmaker, round_id, haneul, page=1)  # an empty ballot: nothing to finish
    early = await DeadlineMachine(sessionmaker, fake_clock(START),
                                  DeadlineContext(Policy(), BusinessCalendar())).probe(START)
    assert early.next_at == closes - timedelta(hours=48)  # the 48 h mark comes first
    assert "budget_remind_48h" not in early.due

    assert await remind(sessionmaker, closes - timedelta(hours=49)) == 0
    assert await remind(sessionmaker, closes - timedelta(hours=48)) == 1
    assert await remind(sessionmaker, closes - timedelta(hours=47)) == 0  # once
    # a draft started inside the last 48 hours gets only the 6-hour reminder
    await tap(sessionmaker, round_id, haneul, projects[2], now=closes - timedelta(hours=30))
    assert await remind(sessionmaker, closes - timedelta(hours=29)) == 0
    assert await remind(sessionmaker, closes - timedelta(hours=6)) == 1  # one round, two people
    assert await remind(sessionmaker, closes - timedelta(hours=1)) == 0
    assert await remind(sessionmaker, closes + timedelta(hours=1)) == 0
    assert await reminders(sessionmaker) == [
        (7001, "budget_reminder_48h"), (7001, "budget_reminder_6h"),
        (7003, "budget_reminder_6h")]


async def test_a_reminder_that_quiet_hours_would_hold_past_the_close_goes_at_once(
    sessionmaker: Maker,
) -> None:
    """Closing at 06:00 KST puts the 6-hour mark at midnight: held until 08:00 it would come
    after the close, so it is urgent; the 48-hour mark (06:00 two days before) is held as usual
    until the morning, still long before the close."""
    closes = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)  # 2026-11-27 06:00 KST
    round_id, projects, (minji, *_) = await seed(sessionmaker, closes_at=closes)
    await tap(sessionmaker, round_id, minji, projects[0])
    await remind(sessionmaker, closes - timedelta(hours=48))
    await remind(sessionmaker, closes - timedelta(hours=6))
    async with sessionmaker() as session:
        rows = (await session.execute(select(OutboxMessage.kind, OutboxMessage.urgent)
                                      .order_by(OutboxMessage.id))).all()
    assert [tuple(row) for row in rows] == [
        ("budget_reminder_48h", False), ("budget_reminder_6h", True)]


async def test_nothing_is_sent_after_the_close_or_for_a_round_no_longer_voting(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, yeongsu, _) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    await tap(sessionmaker, round_id, minji, projects[0])
    # the app was down from before the 48-hour mark until after the close
    assert await remind(sessionmaker, closes) == 0
    assert await remind(sessionmaker, closes + timedelta(days=1)) == 0
    async with sessionmaker() as session, session.begin():
        round_ = await session.get(BudgetRound, round_id)
        assert round_ is not None
        round_.phase = RoundPhase.COUNTING
    assert await remind(sessionmaker, closes - timedelta(hours=5)) == 0
    assert await reminders(sessionmaker) == []


async def test_a_sweep_that_comes_late_sends_only_the_later_reminder(sessionmaker: Maker) -> None:
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    await tap(sessionmaker, round_id, minji, projects[0])
    assert await remind(sessionmaker, closes - timedelta(hours=5)) == 1
    assert await reminders(sessionmaker) == [(7001, "budget_reminder_6h")]


async def test_a_page_button_from_another_version_is_stale_but_one_without_is_fine(
    sessionmaker: Maker,
) -> None:
    round_id, _, (minji, *_) = await seed(sessionmaker)
    current = await version(sessionmaker, round_id)
    async with sessionmaker() as session, session.begin():
        fresh = await ballots.show_ballot(session, round_id=round_id, user_id=minji, now=START,
                                          page=1, round_version=current)
        stale = await ballots.show_ballot(session, round_id=round_id, user_id=minji, now=START,
                                          page=0, round_version=current + 1)
    assert fresh.outcome is BallotOutcome.OK and stale.outcome is BallotOutcome.STALE
    assert (await show(sessionmaker, round_id, minji)).state.page == 1  # type: ignore[union-attr]


# ----- the close and a submit in flight (PostgreSQL) ------------------------------------------


async def close_and_count(sessionmaker: Maker, round_id: int, at: datetime) -> None:
    """What the deadline machine does at the close: two transactions, as in production."""
    async with sessionmaker() as session, session.begin():
        await budget.close_round(session, round_id, at)
    async with sessionmaker() as session, session.begin():
        await budget.count_round(session, round_id, at, Venues())


async def blocked_or_done(sessionmaker: Maker, task: asyncio.Task[None]) -> None:
    """Wait until `task` finished or one of this database's sessions waits on a lock."""
    waiting = text("SELECT count(*) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    for _ in range(2000):
        if task.done():
            return
        async with sessionmaker() as session:
            if await session.scalar(waiting):
                return
        await asyncio.sleep(0.005)
    raise AssertionError("the close neither finished nor waited for a lock")


async def test_a_submit_in_flight_at_the_close_is_still_counted(
    sessionmaker: Maker, backend: str,
) -> None:
    """The close waits for a submit that passed the gate: a receipt always means counted."""
    if backend != "postgres":
        pytest.skip("SQLite lets one writer in at a time: the close cannot overtake a submit")
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    await tap(sessionmaker, round_id, minji, projects[0])
    ver = await version(sessionmaker, round_id)
    async with sessionmaker() as voting, voting.begin():
        submitted = await ballots.submit(voting, round_id=round_id, round_version=ver,
                                         user_id=minji, now=closes - timedelta(seconds=1))
        assert submitted.outcome is BallotOutcome.OK
        closing = asyncio.create_task(close_and_count(sessionmaker, round_id, closes))
        await blocked_or_done(sessionmaker, closing)
    await closing
    async with sessionmaker() as session:
        stored = await session.get(BudgetRound, round_id)
        assert stored is not None and stored.results is not None
        assert stored.results["ballots"] == 1


# ----- changed but not re-submitted -----------------------------------------------------------


async def reminder_params(sessionmaker: Maker) -> list[tuple[int, str, bool]]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        return [(m.chat_id, m.kind, bool(m.params.get("changed"))) for m in rows]


async def test_a_submitted_ballot_changed_but_not_resubmitted_is_reminded_as_such(
    sessionmaker: Maker,
) -> None:
    round_id, projects, (minji, yeongsu, haneul) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    await tap(sessionmaker, round_id, minji, projects[0])  # submitted, then changed
    await submit(sessionmaker, round_id, minji)
    await tap(sessionmaker, round_id, minji, projects[1])
    await tap(sessionmaker, round_id, yeongsu, projects[0])  # changed back: nothing unsent
    await submit(sessionmaker, round_id, yeongsu)
    await tap(sessionmaker, round_id, yeongsu, projects[1])
    await tap(sessionmaker, round_id, yeongsu, projects[1])
    await tap(sessionmaker, round_id, haneul, projects[2])  # never submitted
    assert await remind(sessionmaker, closes - timedelta(hours=48)) == 1
    assert await reminder_params(sessionmaker) == [
        (7001, "budget_reminder_48h", True), (7003, "budget_reminder_48h", False)]
    # 민지 re-submits after the 48-hour mark: her changes are in, so no 6-hour reminder
    await submit(sessionmaker, round_id, minji, now=closes - timedelta(hours=20))
    assert await remind(sessionmaker, closes - timedelta(hours=6)) == 1
    assert (await reminder_params(sessionmaker))[-1] == (7003, "budget_reminder_6h", False)


async def test_a_ballot_changed_after_the_sweep_found_it_is_not_claimed(
    sessionmaker: Maker,
) -> None:
    """The claim re-checks that the ballot is untouched since the mark (a submit in between
    moves `updated_at`), so a ballot sent meanwhile is not told it is unsent."""
    round_id, projects, (minji, *_) = await seed(sessionmaker)
    closes = START + timedelta(days=3)
    mark = closes - timedelta(hours=48)
    await tap(sessionmaker, round_id, minji, projects[0])
    async with sessionmaker() as session:
        assert await REMIND_48H.due(session, mark) == [round_id]
    await submit(sessionmaker, round_id, minji, now=mark + timedelta(minutes=1))
    async with sessionmaker() as session, session.begin():
        assert not await REMIND_48H.handle(session, round_id, mark + timedelta(minutes=2),
                                           Policy())
    assert await reminders(sessionmaker) == []


async def publish(sessionmaker: Maker, round_id: int, at: datetime) -> None:
    async with sessionmaker() as session, session.begin():
        round_ = await session.get(BudgetRound, round_id)
        assert round_ is not None
        round_.phase, round_.published_at = RoundPhase.PUBLISHED, at


async def latest(sessionmaker: Maker, user_id: int) -> ballots.LatestResults | None:
    async with sessionmaker() as session:
        return await ballots.latest_results(session, user_id)


async def test_the_latest_results_say_what_became_of_each_ballot(sessionmaker: Maker) -> None:
    assert await latest(sessionmaker, 1) is None
    round_id, projects, (minji, yeongsu, haneul) = await seed(sessionmaker)
    async with sessionmaker() as session, session.begin():
        old, _ = await make_round(session, START - timedelta(days=40), name="지난 예산")
    await publish(sessionmaker, old.id, START - timedelta(days=30))
    await tap(sessionmaker, round_id, minji, projects[0])  # a draft only
    await tap(sessionmaker, round_id, yeongsu, projects[0])  # submitted, then changed
    await submit(sessionmaker, round_id, yeongsu)
    await tap(sessionmaker, round_id, yeongsu, projects[1])
    await tap(sessionmaker, round_id, haneul, projects[0])  # counted as submitted
    await submit(sessionmaker, round_id, haneul)
    assert (await latest(sessionmaker, minji)).name == "지난 예산"  # type: ignore[union-attr]
    await publish(sessionmaker, round_id, START + timedelta(days=3))
    found = {user: await latest(sessionmaker, user) for user in (minji, yeongsu, haneul)}
    assert {found[u].id for u in found} == {round_id}  # type: ignore[union-attr]
    assert [found[u].ballot for u in (minji, yeongsu, haneul)] == [  # type: ignore[union-attr]
        ballots.LatestBallot.DRAFT_ONLY, ballots.LatestBallot.CHANGES_UNSENT,
        ballots.LatestBallot.COUNTED]
    assert (await latest(sessionmaker, 999_999)).ballot is ballots.LatestBallot.NONE  # type: ignore[union-attr]
