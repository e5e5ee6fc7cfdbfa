"""Guarded proposal transitions: a transition that lost a race does nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal, ProposalEvent
from bot.domain.events import StatusChanged
from bot.domain.lifecycle import FINAL_STATUSES, ProposalStatus, check_transition
from bot.services.callbacks import audit_actor, erase_if_closed
from bot.services.outbox import enqueue_for_followers
from bot.services.sql import rows_affected


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
    push: bool = True,
) -> bool:
    """Move a proposal from `expected` to `new` and record it; False if it was not `expected`.

    The `UPDATE … WHERE status = :expected` is the lock: of two workers racing, the
    database lets exactly one update the row, and only that one writes history and
    notifications. `guard` adds a condition (e.g. "the window really has ended").
    Followers hear about every change (`status_changed`) unless the caller sends a more
    specific notice itself and passes `push=False`.
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
    if rows_affected(result) != 1:
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
    if push:
        await _push_status(session, proposal_id, new, now)
    if push and new in FINAL_STATUSES:
        # A call-back contact goes once nobody waits for a call; a caller that sends its own
        # notice (push=False) asks after sending it, so that notice can still be phoned.
        await erase_if_closed(session, proposal_id, actor=audit_actor(actor_id), now=now)
    return True


async def _push_status(
    session: AsyncSession, proposal_id: int, new: ProposalStatus, now: datetime
) -> None:
    title = await session.scalar(select(Proposal.title).where(Proposal.id == proposal_id))
    notice = StatusChanged(proposal_id, str(title), str(new), key=f"{proposal_id}:{new}")
    await enqueue_for_followers(session, proposal_id, notice, now)
