"""Creating and listing rounds: an admin stores a round in the preparing phase; the admin
menu lists the newest with their project and ballot counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetBallot, BudgetProject, BudgetRound, RoundPhase
from bot.domain.pb.ballot import BallotType, Eligibility
from bot.domain.pb.rounds import RoundSpec
from bot.services.audit import record_audit


@dataclass(frozen=True)
class RoundSummary:
    id: int
    name: str
    phase: RoundPhase
    opens_at: datetime
    closes_at: datetime
    budget_krw: int
    projects: int
    ballots: int


async def create_round(
    session: AsyncSession, spec: RoundSpec, *, now: datetime, actor: str
) -> int:
    """Store a new round in the preparing phase; returns its id."""
    row = BudgetRound(
        name=spec.name, budget_krw=spec.budget_krw, ballot_type=BallotType(spec.ballot.value),
        max_choices=spec.max_choices, points_total=spec.points_total,
        points_per_project=spec.points_per_project,
        eligibility=Eligibility(spec.eligibility.value), area=spec.area, rule=spec.rule.value,
        tie_break=spec.tie_break.value, min_support_percent=spec.min_support_percent,
        changeable=spec.changeable, phase=RoundPhase.PREPARING, opens_at=spec.opens_at,
        closes_at=spec.closes_at, created_at=now, created_by=actor[:120],
    )
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "budget.round_create", f"budget_round:{row.id}",
                 after=_round_facts(row))
    return row.id


def _round_facts(row: BudgetRound) -> dict[str, object]:
    return {
        "name": row.name, "budget_krw": row.budget_krw, "ballot_type": row.ballot_type,
        "max_choices": row.max_choices, "points_total": row.points_total,
        "points_per_project": row.points_per_project, "eligibility": row.eligibility,
        "area": row.area, "rule": row.rule, "tie_break": row.tie_break,
        "min_support_percent": row.min_support_percent, "changeable": row.changeable,
        "opens_at": row.opens_at.isoformat(), "closes_at": row.closes_at.isoformat(),
    }


async def list_rounds(session: AsyncSession, limit: int = 20) -> list[RoundSummary]:
    """The newest rounds first, with their project and submitted-ballot counts."""
    projects = (select(func.count()).where(BudgetProject.round_id == BudgetRound.id)
                .correlate(BudgetRound).scalar_subquery())
    ballots = (select(func.count()).where(BudgetBallot.round_id == BudgetRound.id,
                                          BudgetBallot.submitted_at.is_not(None))
               .correlate(BudgetRound).scalar_subquery())
    rows = await session.execute(
        select(BudgetRound.id, BudgetRound.name, BudgetRound.phase, BudgetRound.opens_at,
               BudgetRound.closes_at, BudgetRound.budget_krw, projects, ballots)
        .order_by(BudgetRound.id.desc()).limit(limit)
    )
    return [RoundSummary(rid, name, RoundPhase(phase), opens, closes, budget, p, b)
            for rid, name, phase, opens, closes, budget, p, b in rows]
