"""Quick priority polls (엠보팅 style): create, record votes, close once, announce the results.

A poll is one `polls` row and one `poll_copies` row per chat it goes to (opted-in residents
and, optionally, a group). Services never call the Bot API: the `PollSender` component
(`bot/polls_sender.py`) sends the pending copies as native polls and stops them after the
close; the deadline machine closes a poll with a guarded UPDATE when `closes_at` passes.
Votes are kept per poll and user, so results add up across all the copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Poll, PollCopy, PollVote, User
from bot.domain.events import PollResultsReady
from bot.domain.text import normalise_text
from bot.services.audit import record_audit
from bot.services.due import Pending
from bot.services.outbox import enqueue
from bot.services.sql import dialect_insert, insert_ignoring_conflicts, rows_affected
from bot.services.wakes import Wake, wake_after_commit

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_QUESTION, MAX_OPTION = 300, 100
MIN_HOURS, MAX_HOURS = 1, 720


# ----- creating -------------------------------------------------------------------------------


class CreateOutcome(StrEnum):
    CREATED = "created"
    BAD_HOURS = "bad_hours"
    NO_QUESTION = "no_question"
    QUESTION_TOO_LONG = "question_too_long"
    BAD_OPTION_COUNT = "bad_option_count"
    OPTION_TOO_LONG = "option_too_long"
    DUPLICATE_OPTIONS = "duplicate_options"


@dataclass(frozen=True)
class PollRequest:
    """What a moderator asked for, before validation."""

    hours: int
    question: str
    options: tuple[str, ...]
    multiple: bool = False
    group_chat_id: int | None = None


@dataclass(frozen=True)
class CreateResult:
    outcome: CreateOutcome
    poll_id: int | None = None
    copies: int = 0
    closes_at: datetime | None = None


def check_request(request: PollRequest) -> CreateOutcome | None:
    """The first problem with a request, or None when it can be created."""
    options = [normalise_text(o) for o in request.options]
    if not MIN_HOURS <= request.hours <= MAX_HOURS:
        return CreateOutcome.BAD_HOURS
    if not normalise_text(request.question):
        return CreateOutcome.NO_QUESTION
    if len(normalise_text(request.question)) > MAX_QUESTION:
        return CreateOutcome.QUESTION_TOO_LONG
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or not all(options):
        return CreateOutcome.BAD_OPTION_COUNT
    if any(len(o) > MAX_OPTION for o in options):
        return CreateOutcome.OPTION_TOO_LONG
    if len(set(options)) != len(options):
        return CreateOutcome.DUPLICATE_OPTIONS
    return None


async def create_poll(
    session: AsyncSession, request: PollRequest, *, now: datetime, actor: str
) -> CreateResult:
    """Store the poll and one pending copy per opted-in, reachable resident (and the group).

    Outcomes: CREATED (with the number of copies); otherwise the validation problem.
    """
    problem = check_request(request)
    if problem is not None:
        return CreateResult(problem)
    closes = now + timedelta(hours=request.hours)
    poll = Poll(
        question=normalise_text(request.question),
        options=[normalise_text(o) for o in request.options], multiple=request.multiple,
        closes_at=closes, created_at=now, created_by=actor[:120], announced=False,
    )
    session.add(poll)
    await session.flush()
    chats = list(await session.scalars(select(User.telegram_id).where(
        User.polls_opt_in.is_(True), User.unreachable.is_(False)).order_by(User.id)))
    if request.group_chat_id is not None:
        chats.append(request.group_chat_id)
    wake_after_commit(session, Wake.POLL_SENDER)  # it has copies to send
    copies = 0
    for chat_id in chats:
        added = await session.execute(insert_ignoring_conflicts(
            session, PollCopy, poll_id=poll.id, chat_id=chat_id))
        copies += rows_affected(added)
    record_audit(session, now, actor, "poll.create", f"poll:{poll.id}",
                 after={"question": poll.question, "options": poll.options,
                        "multiple": poll.multiple, "closes_at": closes.isoformat(),
                        "group": request.group_chat_id})
    return CreateResult(CreateOutcome.CREATED, poll.id, copies, closes)


# ----- opting in ------------------------------------------------------------------------------


async def polls_opt_in(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(User.polls_opt_in).where(User.id == user_id)))


async def set_polls_opt_in(session: AsyncSession, user_id: int, opted_in: bool) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(polls_opt_in=opted_in)
        .execution_options(synchronize_session=False)
    )


# ----- voting ---------------------------------------------------------------------------------


class VoteOutcome(StrEnum):
    RECORDED = "recorded"
    RETRACTED = "retracted"
    CLOSED = "closed"
    INVALID = "invalid"
    UNKNOWN_POLL = "unknown_poll"


async def record_vote(
    session: AsyncSession, *, telegram_poll_id: str, user_id: int, option_ids: list[int],
    now: datetime,
) -> VoteOutcome:
    """A `poll_answer` from any copy: the latest answer wins; an empty one retracts.

    A retraction only removes a vote that came from the same copy (someone who voted in the
    group and then in private and withdrew the group answer still has the private one).
    Answers after the close are ignored, so the announced results stay the results.
    """
    copy = (await session.execute(
        select(PollCopy.id, PollCopy.poll_id).where(PollCopy.telegram_poll_id == telegram_poll_id)
    )).first()
    if copy is None:
        return VoteOutcome.UNKNOWN_POLL
    poll = await session.get(Poll, copy.poll_id)
    assert poll is not None
    if poll.closed_at is not None:
        return VoteOutcome.CLOSED
    if not option_ids:
        await session.execute(delete(PollVote).where(
            PollVote.poll_id == poll.id, PollVote.user_id == user_id, PollVote.copy_id == copy.id))
        return VoteOutcome.RETRACTED
    chosen = sorted(set(option_ids))
    if not all(0 <= i < len(poll.options) for i in chosen) or (
            len(chosen) > 1 and not poll.multiple):
        return VoteOutcome.INVALID
    values = {"copy_id": copy.id, "option_ids": chosen, "updated_at": now}
    await session.execute(
        dialect_insert(session, PollVote, poll_id=poll.id, user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["poll_id", "user_id"], set_=values)
    )
    return VoteOutcome.RECORDED


# ----- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    text: str
    votes: int


@dataclass(frozen=True)
class PollResults:
    poll_id: int
    question: str
    options: tuple[OptionCount, ...]  # most votes first; ties keep the poll's order
    voters: int


async def tally(session: AsyncSession, poll_id: int) -> PollResults | None:
    """Votes per option and the number of voters, across every copy of the poll."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        return None
    counts = [0] * len(poll.options)
    voters = 0
    for chosen in await session.scalars(select(PollVote.option_ids).where(
            PollVote.poll_id == poll_id)):
        voters += 1
        for index in chosen:
            if 0 <= index < len(counts):
                counts[index] += 1
    ranked = sorted(range(len(counts)), key=lambda i: (-counts[i], i))
    return PollResults(poll_id, poll.question,
                       tuple(OptionCount(poll.options[i], counts[i]) for i in ranked), voters)


# ----- closing (the deadline machine) ---------------------------------------------------------


async def due_poll_ids(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(select(Poll.id).where(
        Poll.closed_at.is_(None), Poll.closes_at <= now).order_by(Poll.closes_at, Poll.id))
    return list(rows)


CLOSING_POLLS = Pending(Poll.closes_at, Poll.closed_at.is_(None))  # the machine's wait


async def close_poll(session: AsyncSession, poll_id: int, now: datetime) -> bool:
    """Close a due poll exactly once (guarded UPDATE); True for the one call that closed it.

    Stopping the native polls and announcing the results is the PollSender's part: it acts
    on `closed_at` and calls `announce_results` once every copy is stopped.
    """
    closed = await session.execute(
        update(Poll).where(Poll.id == poll_id, Poll.closed_at.is_(None), Poll.closes_at <= now)
        .values(closed_at=now).execution_options(synchronize_session=False)
    )
    if rows_affected(closed) != 1:
        return False
    wake_after_commit(session, Wake.POLL_SENDER)  # it has copies to stop
    return True


async def announce_results(session: AsyncSession, poll_id: int, now: datetime) -> bool:
    """Send the results once to every chat that received a copy (guarded on `announced`)."""
    claimed = await session.execute(
        update(Poll).where(Poll.id == poll_id, Poll.closed_at.is_not(None),
                           Poll.announced.is_(False))
        .values(announced=True).execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1:
        return False
    results = await tally(session, poll_id)
    assert results is not None
    notice = PollResultsReady(poll_id, results.question, results.voters,
                              [[o.text, o.votes] for o in results.options], key=str(poll_id))
    chats = await session.scalars(select(PollCopy.chat_id).where(
        PollCopy.poll_id == poll_id, PollCopy.telegram_message_id.is_not(None)))
    for chat_id in list(chats):
        await enqueue(session, chat_id=chat_id, notice=notice, now=now)
    return True


# ----- the sender's work ----------------------------------------------------------------------


@dataclass(frozen=True)
class CopyWork:
    copy_id: int
    poll_id: int
    chat_id: int
    message_id: int | None
    question: str
    options: tuple[str, ...]
    multiple: bool


async def copies_to_send(session: AsyncSession, now: datetime) -> list[CopyWork]:
    """Pending copies of polls that are still open."""
    rows = await session.execute(
        select(PollCopy.id, Poll.id, PollCopy.chat_id, Poll.question, Poll.options,
               Poll.multiple)
        .join(Poll, Poll.id == PollCopy.poll_id)
        .where(PollCopy.sent_at.is_(None), Poll.closed_at.is_(None), Poll.closes_at > now)
        .order_by(PollCopy.id)
    )
    return [CopyWork(cid, pid, chat, None, q, tuple(opts), multi)
            for cid, pid, chat, q, opts, multi in rows]


async def copies_to_stop(session: AsyncSession) -> list[CopyWork]:
    """Sent copies of closed polls that have not been stopped yet."""
    rows = await session.execute(
        select(PollCopy.id, Poll.id, PollCopy.chat_id, PollCopy.telegram_message_id)
        .join(Poll, Poll.id == PollCopy.poll_id)
        .where(Poll.closed_at.is_not(None), PollCopy.telegram_message_id.is_not(None),
               PollCopy.stopped_at.is_(None))
        .order_by(PollCopy.id)
    )
    return [CopyWork(cid, pid, chat, mid, "", (), False) for cid, pid, chat, mid in rows]


async def polls_to_announce(session: AsyncSession) -> list[int]:
    """Closed, unannounced polls none of whose sent copies is still running."""
    running = select(PollCopy.id).where(
        PollCopy.poll_id == Poll.id, PollCopy.telegram_message_id.is_not(None),
        PollCopy.stopped_at.is_(None))
    rows = await session.scalars(select(Poll.id).where(
        Poll.closed_at.is_not(None), Poll.announced.is_(False), ~running.exists()))
    return list(rows)


async def record_sent(
    session: AsyncSession, copy_id: int, *, now: datetime, message_id: int | None,
    telegram_poll_id: str | None,
) -> None:
    """Store what Telegram returned; without a message id the chat could not be reached."""
    await session.execute(
        update(PollCopy).where(PollCopy.id == copy_id, PollCopy.sent_at.is_(None))
        .values(sent_at=now, telegram_message_id=message_id, telegram_poll_id=telegram_poll_id)
        .execution_options(synchronize_session=False)
    )


async def record_stopped(session: AsyncSession, copy_id: int, now: datetime) -> None:
    await session.execute(
        update(PollCopy).where(PollCopy.id == copy_id, PollCopy.stopped_at.is_(None))
        .values(stopped_at=now).execution_options(synchronize_session=False)
    )
