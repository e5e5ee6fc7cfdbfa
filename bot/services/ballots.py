"""A resident's participatory-budget ballot: view, tap (saved at once), submit, reminders.

Outcomes of the ballot use cases (`BallotOutcome`):

- OK: shown, changed or submitted; `state` is the ballot as it is now;
- REFUSED: the tap or the ballot breaks the round's rule (`refusal` says which and by how
  much); nothing changed;
- EMPTY: nothing chosen yet, so nothing to submit;
- SAME: already submitted with exactly these choices: the same receipt again (double taps,
  an update delivered twice);
- LOCKED: already submitted and the round does not allow changes;
- STALE: the button was drawn for another version of the round (`state` is the fresh one);
- CLOSED: the round is not open (not yet, or no longer);
- NOT_ELIGIBLE: this person may not vote in the round (`ineligible` says why);
- NOT_FOUND: no such round.

One row per person and round (unique constraint); the draft is saved on every tap, under a
row lock on PostgreSQL (SQLite serialises writers with BEGIN IMMEDIATE), so two quick taps
both count. Reminders are guarded UPDATEs on `reminded_48h_at` / `reminded_6h_at`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import BudgetBallot, BudgetProject, BudgetRound, RoundPhase, User
from bot.domain.events import BallotReminder, BallotReminder6h, BallotReminder48h
from bot.domain.pb.ballot import (
    Accepted,
    Action,
    BallotRules,
    BallotSummary,
    BallotType,
    Ineligible,
    Refusal,
    apply_tap,
    ballot_problem,
    ballot_version,
    eligibility_problem,
    is_open,
    summarize,
)
from bot.domain.policy import Policy
from bot.services.due import Pending
from bot.services.outbox import enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, is_postgres, rows_affected

PAGE_SIZE = 5
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


class BallotOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    EMPTY = "empty"
    SAME = "same"
    LOCKED = "locked"
    STALE = "stale"
    CLOSED = "closed"
    NOT_ELIGIBLE = "not_eligible"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ProjectLine:
    id: int
    title: str
    description: str
    cost: int


@dataclass(frozen=True)
class RoundBrief:
    id: int
    name: str
    opens_at: datetime
    closes_at: datetime


class LatestBallot(StrEnum):
    """What became of this person's ballot in a round that is over."""

    NONE = "none"  # no ballot, or an empty draft
    COUNTED = "counted"  # submitted, and not changed afterwards
    DRAFT_ONLY = "draft_only"  # started, never submitted: it did not count
    CHANGES_UNSENT = "changes_unsent"  # submitted, then changed without re-submitting


@dataclass(frozen=True)
class LatestResults:
    """The most recently published round, for /budget when nothing is open."""

    id: int
    name: str
    ballot: LatestBallot


@dataclass(frozen=True)
class RoundView:
    """A round as the ballot screen needs it; `version` goes into every button."""

    id: int
    name: str
    rules: BallotRules
    changeable: bool
    phase: str
    opens_at: datetime
    closes_at: datetime
    projects: tuple[ProjectLine, ...]
    eligibility: str = "everyone"
    area: str | None = None

    @cached_property
    def costs(self) -> dict[int, int]:
        return {project.id: project.cost for project in self.projects}

    @cached_property
    def version(self) -> int:
        """Drawn into every button of a screen: computed once per view (frozen, so it holds)."""
        return ballot_version(self.phase, self.rules, self.costs)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.projects) // PAGE_SIZE))

    def clamp_page(self, page: int) -> int:
        return min(max(page, 0), self.page_count - 1)

    def page(self, page: int) -> tuple[ProjectLine, ...]:
        start = self.clamp_page(page) * PAGE_SIZE
        return self.projects[start : start + PAGE_SIZE]

    def project(self, project_id: int) -> ProjectLine | None:
        return next((p for p in self.projects if p.id == project_id), None)


@dataclass(frozen=True)
class BallotState:
    """One person's ballot in a round: the working draft and, once submitted, the choices."""

    round: RoundView
    draft: dict[int, int]
    page: int
    choices: dict[int, int] | None = None
    receipt: str | None = None
    submitted_at: datetime | None = None

    @property
    def summary(self) -> BallotSummary:
        return summarize(self.round.rules, self.round.costs, self.draft)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def has_unsent_changes(self) -> bool:
        """Submitted, then changed: the submitted choices count until the new ones are sent."""
        return self.submitted and self.draft != self.choices


@dataclass(frozen=True)
class BallotResult:
    outcome: BallotOutcome
    state: BallotState | None = None
    round: RoundView | None = None
    refusal: Refusal | None = None
    ineligible: Ineligible | None = None


# ----- rounds ---------------------------------------------------------------------------------


async def open_rounds(session: AsyncSession, now: datetime) -> list[RoundBrief]:
    """Rounds a resident can vote in now, closing soonest first."""
    rows = await session.scalars(
        select(BudgetRound).where(
            BudgetRound.phase == RoundPhase.VOTING, BudgetRound.opens_at <= now,
            BudgetRound.closes_at > now,
        ).order_by(BudgetRound.closes_at, BudgetRound.id)
    )
    return [_brief(r) for r in rows]


async def next_round(session: AsyncSession, now: datetime) -> RoundBrief | None:
    """The next scheduled round (not open yet), to tell people when voting starts."""
    row = await session.scalar(
        select(BudgetRound).where(
            BudgetRound.phase.in_([RoundPhase.PREPARING, RoundPhase.VOTING]),
            BudgetRound.opens_at > now,
        ).order_by(BudgetRound.opens_at, BudgetRound.id).limit(1)
    )
    return _brief(row) if row is not None else None


async def latest_results(session: AsyncSession, user_id: int) -> LatestResults | None:
    """The round whose results came out last, and what became of this person's ballot."""
    row = await session.scalar(
        select(BudgetRound).where(BudgetRound.phase == RoundPhase.PUBLISHED)
        .order_by(BudgetRound.published_at.desc(), BudgetRound.id.desc()).limit(1)
    )
    if row is None:
        return None
    ballot = await session.scalar(select(BudgetBallot).where(
        BudgetBallot.round_id == row.id, BudgetBallot.user_id == user_id))
    return LatestResults(row.id, row.name, _fate(ballot))


async def ballot_fates(session: AsyncSession, round_id: int) -> dict[int, LatestBallot]:
    """What became of each ballot in a round at its close, by user id."""
    rows = await session.scalars(select(BudgetBallot).where(BudgetBallot.round_id == round_id))
    return {ballot.user_id: _fate(ballot) for ballot in rows}


def _fate(ballot: BudgetBallot | None) -> LatestBallot:
    draft = _numbers(ballot.draft) if ballot is not None else {}
    if ballot is None or ballot.submitted_at is None:
        return LatestBallot.DRAFT_ONLY if draft else LatestBallot.NONE
    if draft and draft != _numbers(ballot.choices):
        return LatestBallot.CHANGES_UNSENT
    return LatestBallot.COUNTED


def has_unsent_draft(ballot: BudgetBallot) -> bool:
    """A draft that differs from what counts: never submitted, or changed since."""
    draft = _numbers(ballot.draft)
    return bool(draft) and (ballot.submitted_at is None or draft != _numbers(ballot.choices))


async def load_round(
    session: AsyncSession, round_id: int, *, share_lock: bool = False
) -> RoundView | None:
    """The round with its projects; `share_lock` also takes a FOR SHARE lock on PostgreSQL."""
    query = select(BudgetRound).where(BudgetRound.id == round_id)
    if share_lock and is_postgres(session):
        query = query.with_for_update(read=True)
    row = (await session.scalars(
        query.execution_options(populate_existing=True))).one_or_none()
    if row is None:
        return None
    projects = await session.scalars(
        select(BudgetProject).where(BudgetProject.round_id == round_id)
        .order_by(BudgetProject.position, BudgetProject.id)
    )
    rules = BallotRules(
        BallotType(row.ballot_type), row.budget_krw, row.max_choices, row.points_total,
        row.points_per_project,
    )
    lines = tuple(ProjectLine(p.id, p.title, p.description or "", p.cost_krw) for p in projects)
    return RoundView(row.id, row.name, rules, row.changeable, row.phase, row.opens_at,
                     row.closes_at, lines, row.eligibility, row.area)


# ----- the ballot -----------------------------------------------------------------------------


async def show_ballot(
    session: AsyncSession, *, round_id: int, user_id: int, now: datetime,
    page: int | None = None, round_version: int | None = None,
) -> BallotResult:
    """The ballot as saved; with `page`, that page is remembered for the next /budget.
    With `round_version` (a page button), a button from another version is STALE."""
    gate = await _gate(session, round_id, user_id, now, version=round_version)
    if isinstance(gate, BallotResult):
        return gate
    row = await _ballot_row(session, round_id, user_id, now, create=page is not None)
    if row is not None and page is not None:
        row.draft_page = gate.clamp_page(page)
    return BallotResult(BallotOutcome.OK, _state(gate, row), gate)


async def tap(
    session: AsyncSession, *, round_id: int, round_version: int, user_id: int, project_id: int,
    action: Action, page: int, now: datetime,
) -> BallotResult:
    """Toggle a choice or move a point; a refused tap changes nothing."""
    gate = await _gate(session, round_id, user_id, now, version=round_version)
    if isinstance(gate, BallotResult):
        return gate
    row = await _ballot_row(session, round_id, user_id, now, create=True)
    assert row is not None
    if row.submitted_at is not None and not gate.changeable:
        return BallotResult(BallotOutcome.LOCKED, _state(gate, row), gate)
    result = apply_tap(gate.rules, gate.costs, _draft_of(row, gate), project_id, action)
    if not isinstance(result, Accepted):
        return BallotResult(BallotOutcome.REFUSED, _state(gate, row), gate, refusal=result)
    row.draft = _stored(result.choices)
    row.draft_page = gate.clamp_page(page)
    row.updated_at = now
    return BallotResult(BallotOutcome.OK, _state(gate, row), gate)


async def review(
    session: AsyncSession, *, round_id: int, round_version: int, user_id: int, now: datetime
) -> BallotResult:
    """Before the confirmation: may this draft be submitted as it is?"""
    gate = await _gate(session, round_id, user_id, now, version=round_version)
    if isinstance(gate, BallotResult):
        return gate
    row = await _ballot_row(session, round_id, user_id, now, create=False)
    return _submission_problem(gate, row) or BallotResult(
        BallotOutcome.OK, _state(gate, row), gate)


async def submit(
    session: AsyncSession, *, round_id: int, round_version: int, user_id: int, now: datetime
) -> BallotResult:
    """Record the draft as the ballot; a repeat with the same choices returns SAME."""
    gate = await _gate(session, round_id, user_id, now, version=round_version)
    if isinstance(gate, BallotResult):
        return gate
    row = await _ballot_row(session, round_id, user_id, now, create=False)
    problem = _submission_problem(gate, row)
    if problem is not None:
        return problem
    assert row is not None
    # a first or a changed ballot (a repeat of the same one returned SAME above): a new code,
    # so the resident can tell which version of the ballot counts
    row.receipt = new_receipt()
    row.choices = _stored(_draft_of(row, gate))
    row.submitted_at = now
    row.updated_at = now
    return BallotResult(BallotOutcome.OK, _state(gate, row), gate)


def new_receipt() -> str:
    """A short code to show and read aloud: `K7QM-3XPD`."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def _submission_problem(round_: RoundView, row: BudgetBallot | None) -> BallotResult | None:
    if row is None or not _draft_of(row, round_):
        return BallotResult(BallotOutcome.EMPTY, _state(round_, row), round_)
    draft = _draft_of(row, round_)
    state = _state(round_, row)
    if row.submitted_at is not None and _numbers(row.choices) == draft:
        return BallotResult(BallotOutcome.SAME, state, round_)
    if row.submitted_at is not None and not round_.changeable:
        return BallotResult(BallotOutcome.LOCKED, state, round_)
    refusal = ballot_problem(round_.rules, round_.costs, draft)
    if refusal is not None:
        return BallotResult(BallotOutcome.REFUSED, state, round_, refusal=refusal)
    return None


async def _gate(
    session: AsyncSession, round_id: int, user_id: int, now: datetime, *, version: int | None
) -> RoundView | BallotResult:
    """The round if this person may act on it now, else the reason (checked on every tap).

    On PostgreSQL the round row is share-locked first: the close (an UPDATE of the phase)
    then waits for taps and submits in flight, so no ballot can commit after the close was
    decided and miss the count. SQLite serialises writers anyway."""
    round_ = await load_round(session, round_id, share_lock=True)
    if round_ is None:
        return BallotResult(BallotOutcome.NOT_FOUND)
    if not is_open(round_.phase, round_.opens_at, round_.closes_at, now):
        return BallotResult(BallotOutcome.CLOSED, round=round_)
    person = (await session.execute(
        select(User.phone_hash, User.verified_area).where(User.id == user_id)
    )).one_or_none()
    problem = eligibility_problem(
        round_.eligibility, has_contact=bool(person and person.phone_hash),
        verified_area=person.verified_area if person else None, round_area=round_.area,
    )
    if problem is not None:
        return BallotResult(BallotOutcome.NOT_ELIGIBLE, round=round_, ineligible=problem)
    if version is not None and version != round_.version:
        row = await _ballot_row(session, round_id, user_id, now, create=False)
        return BallotResult(BallotOutcome.STALE, _state(round_, row), round_)
    return round_


async def _ballot_row(
    session: AsyncSession, round_id: int, user_id: int, now: datetime, *, create: bool
) -> BudgetBallot | None:
    """This person's ballot row, locked for the rest of the transaction (created if asked)."""
    if create:
        await session.execute(insert_ignoring_conflicts(
            session, BudgetBallot, round_id=round_id, user_id=user_id, draft={}, draft_page=0,
            updated_at=now,
        ))
    query = select(BudgetBallot).where(
        BudgetBallot.round_id == round_id, BudgetBallot.user_id == user_id)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar()


def _state(round_: RoundView, row: BudgetBallot | None) -> BallotState:
    if row is None:
        return BallotState(round_, {}, 0)
    return BallotState(
        round_, _draft_of(row, round_), round_.clamp_page(row.draft_page),
        _numbers(row.choices) if row.choices is not None else None, row.receipt,
        row.submitted_at,
    )


def _draft_of(row: BudgetBallot, round_: RoundView) -> dict[int, int]:
    """The saved draft without projects that left the ballot."""
    costs = round_.costs
    return {pid: points for pid, points in _numbers(row.draft).items() if pid in costs}


def _numbers(stored: Mapping[str, Any] | None) -> dict[int, int]:
    """JSON keys are strings; anything that is not a positive whole number is dropped."""
    numbers: dict[int, int] = {}
    for key, value in (stored or {}).items():
        if str(key).isdigit() and isinstance(value, int) and value > 0:
            numbers[int(key)] = value
    return numbers


def _stored(choices: Mapping[int, int]) -> dict[str, int]:
    return {str(pid): points for pid, points in sorted(choices.items())}


def _brief(row: BudgetRound) -> RoundBrief:
    return RoundBrief(row.id, row.name, row.opens_at, row.closes_at)


# ----- reminders (the deadline machine) -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReminderMark:
    """"N hours before the close": who still has an unsubmitted draft gets one notice, and
    so does who changed a submitted ballot without submitting the changes (`changed`: the
    earlier ballot is what counts).

    A draft counts only if it was already there, untouched, when the mark passed
    (`updated_at` ≤ the mark), so a ballot started later gets only the later reminder.
    `until_hours` stops a late sweep from sending this one once the next mark has passed.
    """

    hours: int
    column: InstrumentedAttribute[datetime | None]
    event: type[BallotReminder]
    until_hours: int = 0

    async def due(self, session: AsyncSession, now: datetime) -> list[int]:
        """Rounds whose mark has passed and that still owe someone this reminder."""
        return sorted({ballot.round_id for ballot, _ in await self._pending(session, now)})

    @property
    def pending(self) -> Pending:
        """A voting round owes this reminder from `hours` before its close."""
        return Pending(BudgetRound.closes_at, BudgetRound.phase == RoundPhase.VOTING,
                       lead=timedelta(hours=self.hours))

    async def handle(
        self, session: AsyncSession, round_id: int, now: datetime, policy: Policy
    ) -> bool:
        """Remind each pending ballot of the round once; True if anyone was reminded.

        Reminders wait out the quiet hours like any notice, unless waiting would deliver
        them after the close: then they go at once, since a late reminder is useless."""
        reminded = False
        for ballot, round_ in await self._pending(session, now, round_id):
            # untouched since the mark (a submit or a tap moves `updated_at`), so the ballot
            # is still the one found above
            mark = round_.closes_at - timedelta(hours=self.hours)
            claimed = await session.execute(
                update(BudgetBallot).where(
                    BudgetBallot.id == ballot.id, self.column.is_(None),
                    BudgetBallot.updated_at <= mark,
                ).values({self.column.key: now}).execution_options(synchronize_session=False)
            )
            if rows_affected(claimed) != 1:
                continue
            notice = self.event(
                round_.id, round_.name, round_.closes_at, len(_numbers(ballot.draft)),
                ballot.submitted_at is not None, key=str(ballot.id),
                urgent=policy.quiet_hours.next_end(now) >= round_.closes_at)
            await enqueue_for_users(session, [ballot.user_id], notice, now)
            reminded = True
        return reminded

    async def _pending(
        self, session: AsyncSession, now: datetime, round_id: int | None = None
    ) -> list[tuple[BudgetBallot, BudgetRound]]:
        query = select(BudgetBallot, BudgetRound).join(
            BudgetRound, BudgetRound.id == BudgetBallot.round_id
        ).where(
            BudgetRound.phase == RoundPhase.VOTING,
            BudgetRound.closes_at > now + timedelta(hours=self.until_hours),
            BudgetRound.closes_at <= now + timedelta(hours=self.hours),
            self.column.is_(None),
        ).order_by(BudgetBallot.id)
        if round_id is not None:
            query = query.where(BudgetRound.id == round_id)
        rows = (await session.execute(query)).all()
        return [
            (ballot, round_) for ballot, round_ in rows
            if has_unsent_draft(ballot)
            and ballot.updated_at <= round_.closes_at - timedelta(hours=self.hours)
        ]


REMIND_48H = ReminderMark(48, BudgetBallot.reminded_48h_at, BallotReminder48h, until_hours=6)
REMIND_6H = ReminderMark(6, BudgetBallot.reminded_6h_at, BallotReminder6h)
