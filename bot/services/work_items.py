"""The moderators' queue: work items posted with buttons in the moderators' chat.

An item is one row in `work_items` and one outbox message to `MODERATOR_CHAT_ID`, written in
the transaction of the change that caused it. The message keeps the outbox kind the notice
always had (`moderation_threshold`, …) and carries the item's id in its parameters, so the
renderer adds the item's buttons. When a moderator presses one, the callback's own message
is the one that is edited: nothing has to remember message ids in advance.

The first moderator who acts claims the item with a guarded UPDATE
(`… WHERE claimed_by IS NULL`); whoever comes second is told who already handled it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opinion, Proposal, WorkItem
from bot.domain.events import WorkItemEvent
from bot.domain.text import mask_personal_data, normalise_text, truncate_for_display
from bot.services.outbox import enqueue
from bot.services.sql import insert_ignoring_conflicts, rows_affected


class WorkKind(StrEnum):
    PENDING = "pending"  # a proposal waiting for approval (pre-moderation or language check)
    FLAGGED_OPINION = "flagged_opinion"  # an opinion held by the language check
    REPORTED = "reported"  # reports reached the threshold and hid something
    THRESHOLD = "threshold"  # 공감 threshold reached: pick the department
    OVERDUE = "overdue"  # the department's answer is late
    RE_REVIEW = "re_review"  # the author asks for 재심의
    DISSATISFIED = "dissatisfied"  # many endorsers are not satisfied with the answer


# Items about a text the moderator must judge carry its first lines, so no lookup is needed.
EXCERPT_KINDS = frozenset({WorkKind.PENDING, WorkKind.REPORTED})
EXCERPT_LINES = 3
EXCERPT_LINE_CHARS = 120


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    ALREADY_HANDLED = "already_handled"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class WorkItemView:
    id: int
    kind: WorkKind
    subject_kind: str
    subject_id: int
    params: dict[str, Any]
    created_at: datetime
    claimed_by_name: str | None
    claimed_at: datetime | None
    action: str | None
    note: str | None

    @property
    def open(self) -> bool:
        return self.claimed_at is None


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    item: WorkItemView | None = None


async def post_work_item(
    session: AsyncSession,
    moderator_chat_id: int | None,
    *,
    kind: WorkKind,
    subject_kind: str,
    subject_id: int,
    notice: WorkItemEvent,
    now: datetime,
) -> int | None:
    """Record the item (once per notice identity) and post it to the moderators' chat.

    Returns the item id, or None when the same item already exists.
    """
    dedupe_key = f"{kind}:{notice.key}"[:120]
    if kind in EXCERPT_KINDS and notice.excerpt is None:
        text = await _subject_text(session, subject_kind, subject_id)
        if text:
            notice = notice.replace(excerpt=content_excerpt(text))
    added = await session.execute(insert_ignoring_conflicts(
        session, WorkItem, kind=kind, subject_kind=subject_kind, subject_id=subject_id,
        dedupe_key=dedupe_key, params=notice.to_params(), chat_id=moderator_chat_id,
        created_at=now,
    ))
    if not rows_affected(added):
        return None
    item_id = await session.scalar(select(WorkItem.id).where(WorkItem.dedupe_key == dedupe_key))
    assert item_id is not None
    if moderator_chat_id is not None:
        posted = notice.replace(work_item_id=item_id, work_kind=str(kind), urgent=True)
        await enqueue(session, chat_id=moderator_chat_id, notice=posted, now=now)
    return int(item_id)


def content_excerpt(text: str, lines: int = EXCERPT_LINES,
                    width: int = EXCERPT_LINE_CHARS) -> str:
    """The first non-empty lines of a text, each cut to `width`, with personal data masked
    as in every published text; 「…」 marks that more follows."""
    masked = mask_personal_data(normalise_text(text))[0]
    kept = [line for line in masked.split("\n") if line.strip()]
    shown = [truncate_for_display(line, width) for line in kept[:lines]]
    if len(kept) > lines and shown and not shown[-1].endswith("…"):
        shown[-1] += " …"
    return "\n".join(shown)


async def _subject_text(session: AsyncSession, subject_kind: str, subject_id: int) -> str:
    if subject_kind == "proposal":
        proposal = await session.get(Proposal, subject_id)
        return "" if proposal is None else "\n".join(
            (proposal.problem or "", proposal.solution or "", proposal.effect or ""))
    if subject_kind == "opinion":
        opinion = await session.get(Opinion, subject_id)
        return "" if opinion is None else opinion.text
    return ""


async def claim(
    session: AsyncSession, item_id: int, *, user_id: int, name: str, action: str, now: datetime,
    note: str | None = None, message_id: int | None = None,
) -> ClaimResult:
    """Take the item for `action`; exactly one of several simultaneous presses wins.

    `message_id` is the chat message the button was on (learned at the press)."""
    values: dict[str, object] = {"claimed_by": user_id, "claimed_by_name": name[:120],
                                 "claimed_at": now, "action": action, "note": note}
    if message_id is not None:
        values["message_id"] = message_id
    claimed = await session.execute(
        update(WorkItem).where(WorkItem.id == item_id, WorkItem.claimed_by.is_(None),
                               WorkItem.claimed_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    item = await load_item(session, item_id)
    if item is None:
        return ClaimResult(ClaimOutcome.NOT_FOUND)
    if rows_affected(claimed) != 1:
        return ClaimResult(ClaimOutcome.ALREADY_HANDLED, item)
    return ClaimResult(ClaimOutcome.CLAIMED, item)


async def set_note(session: AsyncSession, item_id: int, note: str) -> None:
    """Add what came of the action (e.g. 'the state had moved on') to a claimed item."""
    await session.execute(update(WorkItem).where(WorkItem.id == item_id).values(note=note[:500])
                          .execution_options(synchronize_session=False))


async def load_item(session: AsyncSession, item_id: int) -> WorkItemView | None:
    row = await session.get(WorkItem, item_id, populate_existing=True)
    return None if row is None else _view(row)


async def open_items(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[WorkItemView], int]:
    """Unclaimed items, oldest first, and how many there are in all."""
    rows = await session.scalars(
        select(WorkItem).where(WorkItem.claimed_at.is_(None))
        .order_by(WorkItem.created_at, WorkItem.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(WorkItem)
                                 .where(WorkItem.claimed_at.is_(None)))
    return [_view(r) for r in rows], int(total or 0)


def _view(row: WorkItem) -> WorkItemView:
    return WorkItemView(row.id, WorkKind(row.kind), row.subject_kind, row.subject_id,
                        dict(row.params or {}), row.created_at, row.claimed_by_name,
                        row.claimed_at, row.action, row.note)


async def open_items_for(session: AsyncSession, subject_kind: str, subject_id: int
                         ) -> list[WorkItemView]:
    """Open items about one proposal or opinion (a command may settle them too)."""
    rows = await session.scalars(
        select(WorkItem).where(WorkItem.subject_kind == subject_kind,
                               WorkItem.subject_id == subject_id, WorkItem.claimed_at.is_(None))
        .order_by(WorkItem.id)
    )
    return [_view(r) for r in rows]
