"""The public round page: the round, its projects and, once published, the stored results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetRound, RoundPhase
from bot.services.budget.queries import ProjectRow, round_projects


@dataclass(frozen=True)
class RoundPage:
    """What the public page shows: the round, its projects and, once published, the results."""

    id: int
    name: str
    phase: RoundPhase
    budget_krw: int
    opens_at: datetime
    closes_at: datetime
    projects: tuple[ProjectRow, ...]
    results: dict[str, Any] | None


async def load_round_page(session: AsyncSession, round_id: int) -> RoundPage | None:
    row = await session.get(BudgetRound, round_id)
    if row is None:
        return None
    published = row.phase == RoundPhase.PUBLISHED
    return RoundPage(row.id, row.name, RoundPhase(row.phase), row.budget_krw, row.opens_at,
                     row.closes_at, await round_projects(session, round_id),
                     row.results if published else None)
