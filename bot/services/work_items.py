"""The moderators' queue: work items posted with buttons in the moderators' chat.

An item is one row in `work_items` and one outbox message to `MODERATOR_CHAT_ID`, written in
the transaction of the change that caused it. Without a moderators' group, the item goes to
the private chat of every moderator and admin instead (unless `STAFF_PRIVATE_QUEUE` is off),
one outbox copy each, marked with the item's id: when one of them acts, the others' copies
are edited to say who did what (`other_copies`). The message keeps the outbox kind the notice
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

from bot.db.models import Opinion, OutboxMessage, OutboxStatus, Proposal, User, WorkItem
from bot.domain.events import WorkItemEvent
from bot.domain.permissions import Role
from bot.domain.text import mask_personal_data, normalise_text, truncate_for_display
from bot.domain.venues import Venues
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
    QUESTION = "question"  # a resident asks the staff (「운영진에게 묻기」): 💬 답하기
    INTERIM_MISSING = "interim_missing"  # D-3 of the answer window and no 중간답변
    HEAD_OFFICE = "head_office"  # the head's answer tier was reached and no office exists
    HEAD_OVERDUE = "head_overdue"  # the head's office has not answered by its deadline
    COMPLAINT = "complaint"  # a 민원 to triage: its kind, then its department
    WORKGROUP_UPDATE = "workgroup_update"  # a 워킹그룹 member's report, to publish or not


STAFF_ROLES = (Role.MODERATOR, Role.ADMIN)
# Items about a text the moderator must judge carry its first lines, so no lookup is needed.
EXCERPT_KINDS = frozenset({WorkKind.PENDING, WorkKind.REPORTED, WorkKind.COMPLAINT})
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
    venues: Venues,
    *,
    kind: WorkKind,
    subject_kind: str,
    subject_id: int,
    notice: WorkItemEvent,
    now: datetime,
) -> int | None:
    """Record the item (once per notice identity) and post it to the moderators' chat, or
    to each staff member's private chat when there is none.

    Returns the item id, or None when the same item already exists.
    """
    dedupe_key = f"{kind}:{notice.key}"[:120]
    if kind in EXCERPT_KINDS and notice.excerpt is None:
        text = await _subject_text(session, subject_kind, subject_id)
        if text:
            notice = notice.replace(excerpt=content_excerpt(text))
    added = await session.execute(insert_ignoring_conflicts(
        session, WorkItem, kind=kind, subject_kind=subject_kind, subject_id=subject_id,
        dedupe_key=dedupe_key, params=notice.to_params(), chat_id=venues.moderator_chat_id,
        created_at=now,
    ))
    if not rows_affected(added):
        return None
    item_id = await session.scalar(select(WorkItem.id).where(WorkItem.dedupe_key == dedupe_key))
    assert item_id is not None
    posted = notice.replace(work_item_id=item_id, work_kind=str(kind), urgent=True)
    for chat_id, user_id in await queue_chats(session, venues):
        await enqueue(session, chat_id=chat_id, notice=posted, now=now, user_id=user_id,
                      work_item_id=item_id)
    return int(item_id)


async def queue_chats(session: AsyncSession, venues: Venues) -> list[tuple[int, int | None]]:
    """Where work items go, as (chat, user): the moderators' group, else every reachable
    moderator's and admin's private chat (a Telegram id is the id of the private chat with
    that person; the user decides the copy's language)."""
    if venues.moderator_chat_id is not None:
        return [(venues.moderator_chat_id, None)]
    if not venues.staff_private_queue:
        return []
    staff = await session.execute(
        select(User.telegram_id, User.id)
        .where(User.role.in_(STAFF_ROLES), User.unreachable.is_(False)).order_by(User.id))
    return [(int(telegram_id), int(user_id)) for telegram_id, user_id in staff]


@dataclass(frozen=True)
class Copy:
    """Another staff member's copy of a work item, sent: the message to edit."""

    chat_id: int
    message_id: int
    kind: str
    params: dict[str, Any]
    language: str


async def other_copies(session: AsyncSession, item_id: int, *, except_chat: int) -> list[Copy]:
    """The item's copies in other chats, once it is handled: the ones not yet sent are
    dropped (they would only offer buttons that no longer work), the sent ones returned."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.work_item_id == item_id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.claim_token.is_(None))
        .values(status=OutboxStatus.DROPPED, last_error="handled in another chat")
        .execution_options(synchronize_session=False))
    rows = await session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.telegram_message_id, OutboxMessage.kind,
               OutboxMessage.params, User.language)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.work_item_id == item_id, OutboxMessage.status == OutboxStatus.SENT,
               OutboxMessage.telegram_message_id.is_not(None),
               OutboxMessage.chat_id != except_chat))
    return [Copy(int(chat), int(message), kind, dict(params or {}), language or "ko")
            for chat, message, kind, params, language in rows]


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
