"""Rows for tests, with sensible defaults and keyword overrides."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal, Subscription, User
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role


async def make_user(
    session: AsyncSession, telegram_id: int, now: datetime, **overrides: Any
) -> User:
    values: dict[str, Any] = {
        "telegram_id": telegram_id,
        "language": "ko",
        "language_chosen": False,
        "role": Role.RESIDENT,
        "muted_all": False,
        "unreachable": False,
        "created_at": now,
        "last_seen_at": now,
    }
    user = User(**(values | overrides))
    session.add(user)
    await session.flush()
    return user


async def make_proposal(
    session: AsyncSession, author: User, now: datetime, **overrides: Any
) -> Proposal:
    values: dict[str, Any] = {
        "author_id": author.id,
        "title": "공원 가로등 설치",
        "problem": "밤에 공원이 너무 어두워요.",
        "solution": "가로등을 설치해 주세요.",
        "effect": "밤길이 안전해져요.",
        "status": ProposalStatus.COLLECTING,
        "hidden": False,
        "endorsement_count": 0,
        "created_at": now,
        "published_at": now,
        "collect_until": now + timedelta(days=30),
    }
    proposal = Proposal(**(values | overrides))
    session.add(proposal)
    await session.flush()
    return proposal


async def follow(session: AsyncSession, user: User, proposal: Proposal, now: datetime) -> None:
    session.add(
        Subscription(user_id=user.id, proposal_id=proposal.id, muted=False, created_at=now)
    )
    await session.flush()
