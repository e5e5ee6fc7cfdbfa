"""The budget round aggregate's SQL, shared by its use cases: locking a round, moving its
phase, reading its projects and submitted ballots, and counting who may vote."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import BudgetBallot, BudgetProject, BudgetRound, RoundPhase, User
from bot.domain.pb.ballot import (
    BallotType,
    Eligibility,
    VoterFact,
    VoterRequirement,
    voter_requirements,
)
from bot.services.sql import rows_affected

log = logging.getLogger(__name__)

# The users column each fact of the eligibility rule reads.
FACT_COLUMNS: dict[VoterFact, InstrumentedAttribute[str | None]] = {
    VoterFact.PHONE: User.phone_hash,
    VoterFact.VERIFIED_AREA: User.verified_area,
}


@dataclass(frozen=True)
class ProjectRow:
    id: int
    title: str
    cost_krw: int
    category: str | None
    area: str | None


@dataclass(frozen=True)
class CountData:
    """Everything a count and an export need, read once from the database."""

    round_id: int
    name: str
    budget_krw: int
    ballot_type: BallotType
    max_choices: int | None
    points_total: int | None
    points_per_project: int | None
    rule: str
    tie_break: str
    min_support_percent: int | None
    opens_at: datetime
    closes_at: datetime
    projects: tuple[ProjectRow, ...]
    ballots: tuple[dict[str, int], ...]  # submitted choices, in anonymous order


async def locked_round(
    session: AsyncSession, round_id: int, phase: RoundPhase | None = None
) -> BudgetRound | None:
    """The round (in `phase`, when given), locked until the transaction ends."""
    query = select(BudgetRound).where(BudgetRound.id == round_id)
    if phase is not None:
        query = query.where(BudgetRound.phase == phase)
    return (await session.scalars(query.with_for_update())).one_or_none()


async def move_phase(
    session: AsyncSession, round_id: int, expected: RoundPhase, new: RoundPhase,
    guard: ColumnElement[bool], **values: Any,
) -> bool:
    """The guarded UPDATE every phase change goes through; True for the one call that won."""
    moved = await session.execute(
        update(BudgetRound)
        .where(BudgetRound.id == round_id, BudgetRound.phase == expected, guard)
        .values(phase=new, **values).execution_options(synchronize_session=False)
    )
    return rows_affected(moved) == 1


async def due_rounds(
    session: AsyncSession, phase: RoundPhase, column: InstrumentedAttribute[datetime],
    now: datetime,
) -> list[int]:
    """Rounds still in `phase` whose `column` time has passed, the earliest first."""
    return list(await session.scalars(
        select(BudgetRound.id).where(BudgetRound.phase == phase, column <= now)
        .order_by(column, BudgetRound.id)))


async def project_count(session: AsyncSession, round_id: int) -> int:
    return int(await session.scalar(
        select(func.count()).where(BudgetProject.round_id == round_id)) or 0)


async def round_projects(session: AsyncSession, round_id: int) -> tuple[ProjectRow, ...]:
    """A round's projects in ballot order."""
    rows = await session.execute(
        select(BudgetProject.id, BudgetProject.title, BudgetProject.cost_krw,
               BudgetProject.category, BudgetProject.area)
        .where(BudgetProject.round_id == round_id)
        .order_by(BudgetProject.position, BudgetProject.id))
    return tuple(ProjectRow(*r) for r in rows)


async def load_count_data(session: AsyncSession, row: BudgetRound) -> CountData:
    projects = await round_projects(session, row.id)
    known = {str(p.id) for p in projects}
    choices = await session.scalars(select(BudgetBallot.choices).where(
        BudgetBallot.round_id == row.id, BudgetBallot.submitted_at.is_not(None)))
    ballots = [clean_choices(c or {}, known, row.id) for c in choices]
    return CountData(
        row.id, row.name, row.budget_krw, BallotType(row.ballot_type), row.max_choices,
        row.points_total, row.points_per_project, row.rule, row.tie_break,
        row.min_support_percent, row.opens_at, row.closes_at, projects,
        tuple(anonymous_order(ballots)),
    )


def clean_choices(choices: dict[str, Any], known: set[str], round_id: int) -> dict[str, int]:
    """Positive points for projects of this round; anything else is dropped (and logged)."""
    kept = {key: int(points) for key, points in choices.items()
            if key in known and isinstance(points, int) and points > 0}
    if len(kept) != len(choices):
        log.warning("a ballot in budget round %s named unknown projects or no points", round_id)
    return kept


def anonymous_order(ballots: Sequence[dict[str, int]]) -> list[dict[str, int]]:
    """Ballots sorted by their content: the order says nothing about who voted, or when."""
    return sorted(ballots, key=lambda b: json.dumps(sorted(b.items(), key=lambda kv: int(kv[0]))))


def eligible_condition(eligibility: Eligibility | str, area: str | None) -> ColumnElement[bool]:
    """Who may vote, as SQL: the domain's `voter_requirements`, each one a users column test."""
    requirements = voter_requirements(eligibility, area)
    return and_(true(), *(_requirement_condition(r) for r in requirements))


def _requirement_condition(requirement: VoterRequirement) -> ColumnElement[bool]:
    column = FACT_COLUMNS[requirement.fact]
    if requirement.equals is None:
        return column.is_not(None)
    return and_(column.is_not(None), column == requirement.equals)


async def count_eligible(session: AsyncSession, row: BudgetRound) -> int:
    """How many registered users could have voted at the close (the turnout's denominator)."""
    return int(await session.scalar(
        select(func.count()).select_from(User).where(
            eligible_condition(row.eligibility, row.area))) or 0)
