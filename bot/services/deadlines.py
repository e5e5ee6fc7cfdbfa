"""The deadline machine: every deadline is a column; this module acts on the ones that passed.

The scheduler's one alarm and its periodic sweep only decide *when* to call `sweep`; the
rows decide *what* is due. One probe query reads, for every kind of deadline, the earliest
due instant and the earliest later one (an index seek each), so a sweep with nothing to do
is that one query. Due items are read in batches in deadline order, and each runs in its own
short transaction through a guarded transition: running it twice, late, or on two workers at
once changes it exactly once. On PostgreSQL an item's row is locked with SKIP LOCKED first, so
two replicas split a batch instead of both working through it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from bot.clock import Clock
from bot.db.models import Proposal
from bot.domain.answer_clock import DeadlineRules
from bot.domain.answers import next_reminder
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ProposalExpired
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.services import governance as hyeopchi  # 협치회의: the 권고's response clock
from bot.services.answer_steps import first_answer_step, run_answer_steps
from bot.services.answers import remind_department
from bot.services.ballots import REMIND_6H, REMIND_48H  # budget ballot reminders
from bot.services.budget import (  # budget rounds
    CLOSINGS,
    COUNTS,
    OPENINGS,
    close_round,
    count_round,
    due_closings,
    due_counts,
    due_openings,
    open_round,
)
from bot.services.callbacks import SYSTEM_ACTOR, erase_if_closed
from bot.services.consultations import CLOSINGS as CONSULTATION_CLOSINGS
from bot.services.consultations import OPENINGS as CONSULTATION_OPENINGS
from bot.services.consultations import (
    close_consultation,
    open_consultation,
)
from bot.services.consultations import due_closings as consultation_closings
from bot.services.consultations import due_openings as consultation_openings
from bot.services.council_draw import OFFERS, due_offers, expire_offer  # 주민자치회 seats
from bot.services.debates import finish_debate, remind_debate  # debates
from bot.services.due import Pending
from bot.services.head_answers import (  # the head's answer tier
    HEAD_REMINDERS,
    due_head_reminders,
    remind_head_office,
)
from bot.services.lifecycle import transition
from bot.services.milestones import (  # promises kept after an accepting answer
    LATE_MILESTONES,
    MILESTONE_REMINDERS,
    PROGRESS_REQUESTS,
    FollowUp,
    due_late_milestones,
    due_milestone_reminders,
    due_progress_requests,
    flag_late_milestone,
    remind_milestone,
    request_progress,
)
from bot.services.outbox import enqueue_for_followers
from bot.services.polls import CLOSING_POLLS, close_poll, due_poll_ids  # polls
from bot.services.proposals import announce_closing_soon, announce_halfway
from bot.services.sql import locked_or_skipped
from bot.services.wakes import woken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadlineContext:
    """What every deadline handler may need: the rules, the calendar, where to publish, and
    the SMTP address that departments' reminders go through (None: no e-mail)."""

    policy: Policy
    calendar: BusinessCalendar
    venues: Venues = Venues()
    smtp_url: str | None = None
    # reply links for the reminders that come long after the first link (a plan's steps)
    secret_key: str | None = None

    @property
    def follow_up(self) -> FollowUp:
        return FollowUp(self.policy, self.calendar, self.venues, self.smtp_url, self.secret_key)


Handler = Callable[[AsyncSession, int, datetime, DeadlineContext], Awaitable[bool]]


def needing_no_context(
    handle: Callable[[AsyncSession, int, datetime], Awaitable[bool]],
) -> Handler:
    """A deadline handler that needs nothing from the machine's context, in the shape the
    machine calls."""

    async def handled(
        session: AsyncSession, item: int, now: datetime, context: DeadlineContext
    ) -> bool:
        return await handle(session, item, now)

    return handled


@dataclass(frozen=True)
class DeadlineKind:
    """One kind of deadline: proposals in `status` whose `column` has passed get `handle`d."""

    name: str
    status: ProposalStatus
    column: InstrumentedAttribute[datetime | None]
    handle: Handler

    @property
    def pending(self) -> Pending:
        return Pending(self.column, Proposal.status == self.status)


@dataclass(frozen=True)
class DueCheck:
    """A deadline kept outside the proposals' status columns (polls, budget rounds, ballot
    reminders, the head's clock): which rows wait (`pending`), which ids are due now, and how
    to handle one id with the machine's context; `handle` must be idempotent (a guarded
    UPDATE)."""

    name: str
    due: Callable[[AsyncSession, datetime], Awaitable[list[int]]]
    pending: Pending
    handle: Handler


@dataclass(frozen=True)
class Probe:
    """What one probe query found: the kinds with something due, and the earliest instant
    after it at which something else falls due (None: nothing is waiting)."""

    due: frozenset[str]
    next_at: datetime | None


@dataclass(frozen=True)
class SweepResult:
    """How many items moved, how many another transaction held (PostgreSQL; worth a second
    look in a moment), and when the next deadline falls."""

    done: int
    next_at: datetime | None
    skipped: int = 0


@dataclass
class _Tally:
    moved: int = 0
    skipped: int = 0


async def expire_collection(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """COLLECTING → EXPIRED once the window ended below the threshold; tells followers."""
    moved = await transition(
        session,
        proposal_id,
        expected=ProposalStatus.COLLECTING,
        new=ProposalStatus.EXPIRED,
        now=now,
        guard=Proposal.collect_until <= now,
        push=False,
    )
    if moved:
        title, endorsements = (await session.execute(
            select(Proposal.title, Proposal.endorsement_count)
            .where(Proposal.id == proposal_id))).one()
        notice = ProposalExpired(proposal_id, title, endorsements,
                                 context.policy.endorsement_threshold, key=str(proposal_id))
        await enqueue_for_followers(session, proposal_id, notice, now)
        await erase_if_closed(session, proposal_id, actor=SYSTEM_ACTOR, now=now)
    return moved


async def close_debate(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """IN_DEBATE → AWAITING_ANSWER; the answer clock starts from the scheduled close."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.debate_closes_at is None:
        return False
    closes = proposal.debate_closes_at
    rules = DeadlineRules(context.policy.answer_days, context.calendar)
    answer_due = rules.answer_due_after(closes)  # what the debate's screens said would follow
    moved = await transition(
        session,
        proposal_id,
        expected=ProposalStatus.IN_DEBATE,
        new=ProposalStatus.AWAITING_ANSWER,
        now=now,
        changes={"answer_due": answer_due,
                 "next_reminder_at": next_reminder(answer_due, now, calendar=context.calendar),
                 "answer_step_at": first_answer_step(closes, answer_due, now, context.calendar),
                 "debate_reminder_at": None},
        guard=Proposal.debate_closes_at <= now,
        push=False,
    )
    if moved:  # the summary is stored and sent in this same transaction
        await finish_debate(session, proposal_id, now=now, answer_due=answer_due)
    return moved


async def remind_halfway(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await announce_halfway(session, proposal_id, now, context.policy)


async def remind_closing_soon(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await announce_closing_soon(session, proposal_id, now, context.policy)


async def remind_answer_clock(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await remind_department(session, proposal_id, now, context.venues, context.smtp_url,
                                   context.calendar)


async def run_answer_window_steps(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """The interim request and check, and the overdue escalation (bot/services/answer_steps)."""
    return await run_answer_steps(session, proposal_id, now, venues=context.venues,
                                  calendar=context.calendar, smtp_url=context.smtp_url,
                                  quiet=context.policy.quiet_hours)


async def remind_head_clock(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await remind_head_office(session, proposal_id, now, context.venues, context.smtp_url)


async def open_budget_round(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await open_round(session, round_id, now, context.venues)


async def count_budget_round(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await count_round(session, round_id, now, context.venues)


async def remind_ballots_48h(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await REMIND_48H.handle(session, round_id, now, context.policy)


async def remind_ballots_6h(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await REMIND_6H.handle(session, round_id, now, context.policy)


async def expire_council_offer(
    session: AsyncSession, application_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await expire_offer(session, application_id, now, context.policy.timezone)


async def remind_plan_step(
    session: AsyncSession, milestone_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await remind_milestone(session, milestone_id, now, context.follow_up)


async def flag_late_plan_step(
    session: AsyncSession, milestone_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await flag_late_milestone(session, milestone_id, now, context.follow_up)


async def ask_for_progress(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await request_progress(session, proposal_id, now, context.follow_up)


async def open_consultation_now(
    session: AsyncSession, consultation_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await open_consultation(session, consultation_id, now, context.venues)


async def close_consultation_now(
    session: AsyncSession, consultation_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await close_consultation(session, consultation_id, now, policy=context.policy,
                                    venues=context.venues, secret_key=context.secret_key,
                                    smtp_url=context.smtp_url, calendar=context.calendar)


# Order matters: a window that ended while the app was down expires before its reminders,
# so nobody is told "half the time is left" about a closed proposal.
DEADLINE_KINDS: tuple[DeadlineKind, ...] = (
    DeadlineKind("collect", ProposalStatus.COLLECTING, Proposal.collect_until, expire_collection),
    DeadlineKind("debate", ProposalStatus.IN_DEBATE, Proposal.debate_closes_at, close_debate),
    DeadlineKind(  # debates: D-3 reminder to endorsers who have not taken part
        "debate_reminder", ProposalStatus.IN_DEBATE, Proposal.debate_reminder_at,
        needing_no_context(remind_debate)
    ),
    DeadlineKind("halfway", ProposalStatus.COLLECTING, Proposal.halfway_at, remind_halfway),
    DeadlineKind(
        "closing_soon", ProposalStatus.COLLECTING, Proposal.closing_soon_at, remind_closing_soon
    ),
    DeadlineKind(
        "review_clock", ProposalStatus.UNDER_REVIEW, Proposal.next_reminder_at, remind_answer_clock
    ),
    DeadlineKind(
        "answer_clock", ProposalStatus.AWAITING_ANSWER, Proposal.next_reminder_at,
        remind_answer_clock,
    ),
    DeadlineKind(  # after the answer clock: its first overdue reminder goes before escalation
        "answer_steps", ProposalStatus.AWAITING_ANSWER, Proposal.answer_step_at,
        run_answer_window_steps,
    ),
)

# polls: closing a poll at `closes_at` (the PollSender then stops the copies and announces)
DUE_CHECKS: tuple[DueCheck, ...] = (
    DueCheck("poll_close", due_poll_ids, CLOSING_POLLS, needing_no_context(close_poll)),
    # budget rounds, in this order: a round whose whole window passed while the app was down
    # opens, closes and is counted in one sweep, before any ballot reminder could go out
    DueCheck("budget_open", due_openings, OPENINGS, open_budget_round),
    DueCheck("budget_close", due_closings, CLOSINGS, needing_no_context(close_round)),
    DueCheck("budget_count", due_counts, COUNTS, count_budget_round),
    # budget ballot: unsubmitted drafts are reminded 48 h and 6 h before the close, once each
    DueCheck("budget_remind_48h", REMIND_48H.due, REMIND_48H.pending, remind_ballots_48h),
    DueCheck("budget_remind_6h", REMIND_6H.due, REMIND_6H.pending, remind_ballots_6h),
    # the head's answer clock: its own deadline, in any state, until it has answered
    DueCheck("head_clock", due_head_reminders, HEAD_REMINDERS, remind_head_clock),
    # 주민자치회: a seat not confirmed by its deadline goes to the next reserve
    DueCheck("council_offer", due_offers, OFFERS, expire_council_offer),
    # after an accepting answer: a step's day passed unreached is flagged before a reminder
    # of it could go out late; then the reminders, then the progress requests
    DueCheck("milestone_late", due_late_milestones, LATE_MILESTONES, flag_late_plan_step),
    DueCheck("milestone_reminder", due_milestone_reminders, MILESTONE_REMINDERS,
             remind_plan_step),
    DueCheck("progress_request", due_progress_requests, PROGRESS_REQUESTS, ask_for_progress),
    # 「구가 묻습니다」: opened on its first day, closed at the end of its last
    DueCheck("consultation_open", consultation_openings, CONSULTATION_OPENINGS,
             open_consultation_now),
    DueCheck("consultation_close", consultation_closings, CONSULTATION_CLOSINGS,
             close_consultation_now),
    DueCheck("governance_clock", hyeopchi.due_alarms, hyeopchi.ALARMS, hyeopchi.sound_alarm),
)


BATCH_SIZE = 200
MAX_PASSES = 8  # a pass's transitions can make the next kind due (a round closed → counted)


class DeadlineMachine:
    """Processes due deadlines in batches and tells the scheduler when the next one falls."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        context: DeadlineContext,
        kinds: tuple[DeadlineKind, ...] = DEADLINE_KINDS,
        on_transition: Callable[[str], None] | None = None,
        checks: tuple[DueCheck, ...] = DUE_CHECKS,
        batch_size: int = BATCH_SIZE,
        *,
        reader: async_sessionmaker[AsyncSession] | None = None,
        share_of_writes: float = 1.0,
        wake: Callable[..., None] | None = None,
    ) -> None:
        """`reader` serves the probe and the batches (on SQLite: deferred transactions that
        take no write lock). `share_of_writes` below 1 makes the machine pause after each
        item so that it holds SQLite's one write lock at most that share of the time: a
        catch-up of thousands of items would otherwise take the lock back to back, and a
        resident's update, waiting on SQLite's busy timeout, could miss every gap. `wake`
        is told, after each item's commit, which workers it left work for (`woken`), so the
        first notices of a long catch-up go out at once, not after it."""
        if not 0 < share_of_writes <= 1:
            raise ValueError("share_of_writes must be in (0, 1]")
        self._sessionmaker = sessionmaker
        self._reader = reader or sessionmaker
        self._pause_per_busy_second = 1 / share_of_writes - 1
        self._wake = wake
        self._clock = clock
        self._context = context
        self._kinds = kinds
        self._on_transition = on_transition
        self._checks = checks
        self._batch_size = batch_size

    async def run_due(self, now: datetime | None = None) -> int:
        """Handle every deadline passed by `now` (default: the clock's now); returns how many
        transitions happened."""
        return (await self.sweep(now)).done

    async def sweep(self, now: datetime | None = None) -> SweepResult:
        """Handle what is due by `now`, pass after pass while passes change something, and
        say when the next deadline falls."""
        now = now or self._clock.now()
        tally = _Tally()
        for _ in range(MAX_PASSES):
            probe = await self.probe(now)
            moved_before = tally.moved
            await self._run_pass(probe.due, now, tally)
            if tally.moved == moved_before:
                break
        return SweepResult(tally.moved, probe.next_at, tally.skipped)

    async def probe(self, now: datetime) -> Probe:
        """One query: for every kind, the earliest due instant and the earliest later one."""
        pendings = self._pendings()
        columns = [side for _, pending in pendings
                   for side in (pending.earliest_due(now), pending.earliest_later(now))]
        async with self._reader() as session:
            row = (await session.execute(select(*columns))).one()
        due = frozenset(name for (name, _), at in zip(pendings, row[0::2], strict=True)
                        if at is not None)
        later = [at - pending.lead for (_, pending), at in zip(pendings, row[1::2], strict=True)
                 if at is not None]
        return Probe(due, min(later, default=None))

    def watched_columns(self) -> frozenset[tuple[str, str]]:
        """(table, column) pairs whose writes can create or move a deadline."""
        return frozenset(column for _, pending in self._pendings()
                         for column in pending.columns())

    def _pendings(self) -> list[tuple[str, Pending]]:
        return ([(kind.name, kind.pending) for kind in self._kinds]
                + [(check.name, check.pending) for check in self._checks])

    async def _run_pass(self, due: frozenset[str], now: datetime, tally: _Tally) -> None:
        for kind in self._kinds:  # in order: a closed window expires before its reminders
            if kind.name in due:
                await self._run_kind(kind, now, tally)
        for check in self._checks:
            if check.name in due:
                await self._run_check(check, now, tally)

    async def _run_kind(self, kind: DeadlineKind, now: datetime, tally: _Tally) -> None:
        """Work through the due proposals of one kind a batch at a time, in deadline order;
        a batch starts after the last one, so an item left due (quiet hours, an error) is not
        read again in this sweep."""
        after = None
        while True:
            batch = await self._due_batch(kind, now, after)
            for proposal_id, _ in batch:
                await self._handle_one(kind.name, kind.handle, Proposal, proposal_id, now, tally)
            if len(batch) < self._batch_size:
                return
            after = batch[-1]

    async def _due_batch(
        self, kind: DeadlineKind, now: datetime, after: tuple[int, datetime] | None
    ) -> list[tuple[int, datetime]]:
        query = (select(Proposal.id, kind.column)
                 .where(Proposal.status == kind.status, kind.column <= now)
                 .order_by(kind.column, Proposal.id).limit(self._batch_size))
        if after is not None:
            last_id, last_at = after
            query = query.where(or_(kind.column > last_at,
                                    and_(kind.column == last_at, Proposal.id > last_id)))
        async with self._reader() as session:
            return [(int(pid), at) for pid, at in await session.execute(query) if at is not None]

    async def _run_check(self, check: DueCheck, now: datetime, tally: _Tally) -> None:
        """Handle each due item of a non-proposal deadline in its own transaction."""
        async with self._reader() as session:
            due = await check.due(session, now)
        for item in due:
            await self._handle_one(check.name, check.handle, check.pending.model, item, now,
                                   tally)

    async def _handle_one(
        self, name: str, handle: Handler, model: type[Any], item: int, now: datetime,
        tally: _Tally,
    ) -> None:
        """Handle `item` in its own transaction. It may not be due any more (nothing moves),
        held by another transaction (PostgreSQL: skipped, counted), or fail (logged; the
        periodic sweep retries it)."""
        began = time.perf_counter()
        try:
            async with self._sessionmaker() as session, session.begin():
                if not await locked_or_skipped(session, model, item):
                    tally.skipped += 1
                    return
                moved = await handle(session, item, now, self._context)
            if self._wake is not None and woken(session):
                self._wake(*woken(session))
        except Exception:
            log.exception("deadline %s for %s failed; the sweep will retry", name, item)
            return
        finally:
            if self._pause_per_busy_second:
                await asyncio.sleep((time.perf_counter() - began) * self._pause_per_busy_second)
        if moved:
            tally.moved += 1
            log.info("deadline %s processed for %s", name, item)
            if self._on_transition is not None:
                self._on_transition(name)
