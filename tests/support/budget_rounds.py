"""Budget rounds for tests: a valid form, rounds and projects in the database, ballots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, BudgetBallot, BudgetProject, BudgetRound, Department
from bot.domain.deadlines import SEOUL

ROUND_FORM = """이름: 2027 구로 주민참여예산
예산: 1억
시작: 2026-12-01 09:00
마감: 2026-12-14
방식: 예산
자격: 누구나
집계: greedy
"""
# 2026-12-01 09:00 KST and the end of 2026-12-14 KST, in UTC
OPENS = datetime(2026, 12, 1, 9, 0, tzinfo=SEOUL)
CLOSES = datetime(2026, 12, 15, 0, 0, tzinfo=SEOUL)


async def make_round(session: AsyncSession, now: datetime, **overrides: Any) -> BudgetRound:
    values: dict[str, Any] = {
        "name": "2027 구로 주민참여예산", "budget_krw": 100_000_000,
        "ballot_type": "approval_budget", "eligibility": "everyone", "rule": "greedy",
        "tie_break": "cheapest", "changeable": True, "phase": "preparing",
        "opens_at": OPENS, "closes_at": CLOSES, "created_at": now, "created_by": "test",
    }
    row = BudgetRound(**(values | overrides))
    session.add(row)
    await session.flush()
    return row


async def make_project(
    session: AsyncSession, round_id: int, title: str, cost: int, position: int = 0
) -> BudgetProject:
    row = BudgetProject(round_id=round_id, title=title, description="", cost_krw=cost,
                        position=position)
    session.add(row)
    await session.flush()
    return row


async def cast(
    session: AsyncSession, round_id: int, user_id: int, choices: dict[int, int], now: datetime,
    *, submitted: bool = True,
) -> None:
    """A ballot row as the ballot service leaves it (submitted or only drafted)."""
    stored = {str(k): v for k, v in choices.items()}
    session.add(BudgetBallot(
        round_id=round_id, user_id=user_id, draft=stored, choices=stored if submitted else None,
        draft_page=0, receipt="TEST-0000" if submitted else None,
        submitted_at=now if submitted else None, updated_at=now,
    ))
    await session.flush()


async def make_department(session: AsyncSession, name: str = "공원녹지과") -> Department:
    row = Department(name=name, head_office=False, archived=False)
    session.add(row)
    await session.flush()
    return row


async def answer(
    session: AsyncSession, proposal_id: int, department_id: int, now: datetime, *,
    decision: str, budget: int | None, kind: str = "final", after: timedelta = timedelta(0),
) -> None:
    session.add(Answer(
        proposal_id=proposal_id, department_id=department_id, kind=kind, decision=decision,
        text="검토했습니다.", official_name="김주무관", budget_krw=budget,
        idempotency_key=f"{proposal_id}-{decision}-{after.total_seconds()}",
        created_at=now + after,
    ))
    await session.flush()
