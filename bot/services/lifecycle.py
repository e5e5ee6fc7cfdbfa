"""Guarded proposal transitions: a transition that lost a race does nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal, ProposalEvent
from bot.domain.lifecycle import ProposalStatus, check_transition


async def transition(
    session: AsyncSession,
    proposal_id: int,
    *,
    expected: ProposalStatus,
    new: ProposalStatus,
    now: datetime,
    changes: Mapping[str, Any] | None = None,
    guard: Any = None,
    actor_id: int | None = None,
    note: str | None = None,
) -> bool:
    """Move a proposal from `expected` to `new` and record it; False if it was not `expected`.

    The `UPDATE … WHERE status = :expected` is the lock: of two workers racing, the
    database lets exactly one update the row, and only that one writes history and
    notifications. `guard` adds a condition (e.g. "the window really has ended").
    """
    check_transition(expected, new)
    statement = (
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.status == expected)
        .values(status=new, **(changes or {}))
    )
    if guard is not None:
        statement = statement.where(guard)
    result = await session.execute(statement.execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        ProposalEvent(
            proposal_id=proposal_id,
            from_status=expected,
            to_status=new,
            at=now,
            actor_id=actor_id,
            note=note,
        )
    )
    return True
