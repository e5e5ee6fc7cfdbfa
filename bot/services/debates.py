"""Timed debates: opening, stances, opinions, 👍, moderation, extension, reminder and closing.

Each function takes a session whose transaction the caller owns, and `now`; every message a
change causes is written to the outbox in that same transaction. The optional forum mirror
is driven from the `debate_forum_topics` rows written here (see `bot/forum.py`): services
never call the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DebateExtension,
    DebateForumTopic,
    DebateStance,
    DebateSummaryRow,
    Endorsement,
    Opinion,
    OpinionLike,
    Proposal,
    Report,
    Subscription,
)
from bot.domain.abuse import check_abuse
from bot.domain.deadlines import resident_deadline
from bot.domain.debate import (
    STANCE_ORDER,
    DebateSummary,
    OpinionFact,
    OpinionSort,
    Stance,
    TextProblem,
    check_opinion,
    effective_stances,
    excerpt,
    is_repeat,
    order_opinions,
    plain_summary,
    reminder_at,
    summarise,
    valid_extension,
)
from bot.domain.events import (
    DebateExtended,
    DebateOpened,
    DebateReminder,
    DebateSummaryReady,
    ModerationOpinion,
    ModerationOpinionReported,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Action
from bot.domain.reports import REPORT_REASONS
from bot.domain.text import mask_personal_data, normalise_text
from bot.services.audit import record_audit
from bot.services.bans import ensure_permitted
from bot.services.hiding import after_report
from bot.services.lifecycle import transition
from bot.services.outbox import (
    enqueue,
    enqueue_for_users,
    proposal_followers,
    wake_after_commit,
)
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.work_items import WorkKind, post_work_item
from bot.settings import Settings

S = ProposalStatus
OPINION_PAGE_SIZE = 5
FORUM_CLAIM = timedelta(minutes=5)


def _is_open(proposal: Proposal, now: datetime) -> bool:
    closes = proposal.debate_closes_at
    return proposal.status == S.IN_DEBATE and closes is not None and closes > now


# ----- opening --------------------------------------------------------------------------------


class OpenOutcome(StrEnum):
    OPENED = "opened"
    NOT_UNDER_REVIEW = "not_under_review"
    NOT_FOUND = "not_found"


async def open_debate(
    session: AsyncSession, proposal_id: int, *, now: datetime, settings: Settings, actor: str,
    note: str | None = None,
) -> OpenOutcome:
    """A moderator opens the debate on an UNDER_REVIEW proposal directly.

    Outcomes: OPENED (invitations and the forum topic request are written); NOT_UNDER_REVIEW;
    NOT_FOUND.
    """
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return OpenOutcome.NOT_FOUND
    closes = resident_deadline(now, settings.policy.debate_days)
    moved = await transition(
        session, proposal_id, expected=S.UNDER_REVIEW, new=S.IN_DEBATE, now=now,
        changes={"debate_closes_at": closes, "next_reminder_at": None}, note="debate", push=False,
    )
    if not moved:
        return OpenOutcome.NOT_UNDER_REVIEW
    record_audit(session, now, actor, "debate.open", f"proposal:{proposal_id}",
                 after={"closes_at": closes.isoformat()})
    await announce_debate_opened(session, proposal_id, now=now, settings=settings, note=note)
    return OpenOutcome.OPENED


async def announce_debate_opened(
    session: AsyncSession, proposal_id: int, *, now: datetime, settings: Settings,
    note: str | None = None,
) -> None:
    """After IN_DEBATE was entered: arm the D-3 reminder, invite people, request a forum topic.

    The author and endorsers (the proposal's followers, minus mutes) and the public channel
    get the invitation with the summary and the department's feasibility note.
    """
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.debate_closes_at is None:
        return
    closes = proposal.debate_closes_at
    if proposal.debate_reminder_at is None and reminder_at(closes) > now:
        proposal.debate_reminder_at = reminder_at(closes)
    masked_note = mask_personal_data(normalise_text(note or ""))[0]
    notice = DebateOpened(
        proposal_id, proposal.title, summary=excerpt(proposal.problem, 200),
        solution=excerpt(proposal.solution, 200), note=excerpt(masked_note, 300),
        closes_at=closes, key=str(proposal_id),
    )
    await enqueue_for_users(session, await proposal_followers(session, proposal_id), notice, now)
    if settings.public_channel_id is not None:
        await enqueue(session, chat_id=settings.public_channel_id, notice=notice, now=now)
    if settings.debate_forum_chat_id is not None:
        wake_after_commit(session)  # the forum mirror has a topic to open
        await session.execute(insert_ignoring_conflicts(
            session, DebateForumTopic, proposal_id=proposal_id,
            chat_id=settings.debate_forum_chat_id, requested_at=now,
        ))


# ----- taking part ----------------------------------------------------------------------------


class StanceOutcome(StrEnum):
    CHOSEN = "chosen"
    UNCHANGED = "unchanged"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class StanceResult:
    outcome: StanceOutcome
    closes_at: datetime | None = None


async def choose_stance(
    session: AsyncSession, *, proposal_id: int, user_id: int, stance: Stance, now: datetime
) -> StanceResult:
    """찬성 / 반대 / 중립 while the debate is open; the latest choice counts.

    Outcomes: CHOSEN; UNCHANGED (the same choice again); CLOSED (with the closing time);
    NOT_FOUND (missing or hidden). A banned resident: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.CHOOSE_STANCE, now)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.hidden:
        return StanceResult(StanceOutcome.NOT_FOUND)
    if not _is_open(proposal, now):
        return StanceResult(StanceOutcome.CLOSED, proposal.debate_closes_at)
    added = await session.execute(insert_ignoring_conflicts(
        session, DebateStance, proposal_id=proposal_id, user_id=user_id, stance=stance,
        updated_at=now,
    ))
    if rows_affected(added):
        return StanceResult(StanceOutcome.CHOSEN, proposal.debate_closes_at)
    changed = await session.execute(
        update(DebateStance)
        .where(DebateStance.proposal_id == proposal_id, DebateStance.user_id == user_id,
               DebateStance.stance != stance)
        .values(stance=stance, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    outcome = StanceOutcome.CHOSEN if rows_affected(changed) else StanceOutcome.UNCHANGED
    return StanceResult(outcome, proposal.debate_closes_at)


class OpinionOutcome(StrEnum):
    POSTED = "posted"
    HELD = "held"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


_PROBLEMS = {
    TextProblem.EMPTY: OpinionOutcome.EMPTY,
    TextProblem.TOO_SHORT: OpinionOutcome.TOO_SHORT,
    TextProblem.TOO_LONG: OpinionOutcome.TOO_LONG,
}


@dataclass(frozen=True)
class OpinionResult:
    outcome: OpinionOutcome
    opinion_id: int | None = None
    closes_at: datetime | None = None


async def write_opinion(
    session: AsyncSession, *, proposal_id: int, user_id: int, text: str, now: datetime,
    settings: Settings, source: str = "chat",
) -> OpinionResult:
    """Record an opinion (10–1,000 characters) under the writer's current stance (else 중립).

    Outcomes: POSTED; HELD (the language check flagged it: stored hidden, moderators told);
    DUPLICATE (the same text from the same person within a minute); EMPTY, TOO_SHORT,
    TOO_LONG; CLOSED (with the closing time); NOT_FOUND. A banned writer: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.WRITE_OPINION, now)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.hidden:
        return OpinionResult(OpinionOutcome.NOT_FOUND)
    if not _is_open(proposal, now):
        return OpinionResult(OpinionOutcome.CLOSED, closes_at=proposal.debate_closes_at)
    checked = check_opinion(text)
    if checked.problem is not None:
        return OpinionResult(_PROBLEMS[checked.problem], closes_at=proposal.debate_closes_at)
    previous = (await session.execute(
        select(Opinion.text, Opinion.created_at)
        .where(Opinion.proposal_id == proposal_id, Opinion.user_id == user_id)
        .order_by(Opinion.created_at.desc(), Opinion.id.desc()).limit(1)
    )).first()
    if previous is not None and is_repeat(checked.text, previous.text, previous.created_at, now):
        return OpinionResult(OpinionOutcome.DUPLICATE, closes_at=proposal.debate_closes_at)
    stance = await session.scalar(select(DebateStance.stance).where(
        DebateStance.proposal_id == proposal_id, DebateStance.user_id == user_id))
    flagged = check_abuse(checked.text).flagged
    opinion = Opinion(
        proposal_id=proposal_id, user_id=user_id, stance=stance or Stance.NEUTRAL,
        text=checked.text, source=source, hidden=flagged, flagged=flagged, like_count=0,
        created_at=now,
    )
    session.add(opinion)
    await session.flush()
    if flagged:
        await post_work_item(
            session, settings.moderator_chat_id, kind=WorkKind.FLAGGED_OPINION,
            subject_kind="opinion", subject_id=opinion.id, now=now,
            notice=ModerationOpinion(proposal.id, proposal.title, opinion.id,
                                     excerpt(opinion.text, 300), key=str(opinion.id),
                                     urgent=True),
        )
        return OpinionResult(OpinionOutcome.HELD, opinion.id, proposal.debate_closes_at)
    return OpinionResult(OpinionOutcome.POSTED, opinion.id, proposal.debate_closes_at)


class LikeOutcome(StrEnum):
    LIKED = "liked"
    ALREADY = "already"
    OWN = "own"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LikeResult:
    outcome: LikeOutcome
    proposal_id: int | None = None
    count: int = 0


async def like_opinion(
    session: AsyncSession, *, opinion_id: int, user_id: int, now: datetime
) -> LikeResult:
    """👍 once per person; not one's own opinion, not a hidden one. Banned: `UserBanned`."""
    await ensure_permitted(session, user_id, Action.LIKE, now)
    opinion = await session.get(Opinion, opinion_id, populate_existing=True)
    if opinion is None or opinion.hidden:
        return LikeResult(LikeOutcome.NOT_FOUND)
    if opinion.user_id == user_id:
        return LikeResult(LikeOutcome.OWN, opinion.proposal_id, opinion.like_count)
    added = await session.execute(insert_ignoring_conflicts(
        session, OpinionLike, opinion_id=opinion_id, user_id=user_id, created_at=now))
    if not rows_affected(added):
        return LikeResult(LikeOutcome.ALREADY, opinion.proposal_id, opinion.like_count)
    count = (await session.execute(
        update(Opinion).where(Opinion.id == opinion_id)
        .values(like_count=Opinion.like_count + 1).returning(Opinion.like_count)
        .execution_options(synchronize_session=False)
    )).scalar_one()
    return LikeResult(LikeOutcome.LIKED, opinion.proposal_id, int(count))


# ----- moderation -----------------------------------------------------------------------------


async def report_opinion(
    session: AsyncSession, *, opinion_id: int, user_id: int, reason: str, now: datetime,
    settings: Settings,
) -> bool:
    """Record a report once per person; the moderators hear about a reported opinion once.

    Reports from REPORT_HIDE_THRESHOLD people hide it and open a moderators' work item.
    """
    await ensure_permitted(session, user_id, Action.REPORT, now)
    opinion = await session.get(Opinion, opinion_id)
    if reason not in REPORT_REASONS or opinion is None:
        return False
    added = await session.execute(insert_ignoring_conflicts(
        session, Report, user_id=user_id, target_kind="opinion", target_id=opinion_id,
        reason=reason, created_at=now,
    ))
    if not rows_affected(added):
        return False
    proposal = await session.get(Proposal, opinion.proposal_id)
    assert proposal is not None
    await _tell_moderators(session, settings, proposal, opinion, now, reason=reason)
    await after_report(session, kind="opinion", content_id=opinion_id, now=now, settings=settings)
    return True


async def hide_opinion(
    session: AsyncSession, *, opinion_id: int, moderator: str, now: datetime, reason: str = ""
) -> bool:
    """Hide an opinion under the operating rules (kept, not deleted); False if already hidden."""
    return await _set_hidden(session, opinion_id, True, moderator, now, reason)


async def restore_opinion(
    session: AsyncSession, *, opinion_id: int, moderator: str, now: datetime
) -> bool:
    """Show a hidden (or held) opinion again; False if it was visible."""
    return await _set_hidden(session, opinion_id, False, moderator, now, "")


async def _set_hidden(
    session: AsyncSession, opinion_id: int, hidden: bool, moderator: str, now: datetime,
    reason: str,
) -> bool:
    values: dict[str, object] = {"hidden": hidden}
    if not hidden:
        values["flagged"] = False
    changed = await session.execute(
        update(Opinion).where(Opinion.id == opinion_id, Opinion.hidden.is_(not hidden))
        .values(**values).execution_options(synchronize_session=False)
    )
    if not rows_affected(changed):
        return False
    record_audit(session, now, moderator, "opinion.hide" if hidden else "opinion.restore",
                 f"opinion:{opinion_id}", after={"hidden": hidden, "reason": reason or None})
    return True


class ExtendOutcome(StrEnum):
    EXTENDED = "extended"
    ALREADY_EXTENDED = "already_extended"
    INVALID_DAYS = "invalid_days"
    NO_REASON = "no_reason"
    NOT_IN_DEBATE = "not_in_debate"


@dataclass(frozen=True)
class ExtendResult:
    outcome: ExtendOutcome
    closes_at: datetime | None = None


async def extend_debate(
    session: AsyncSession, proposal_id: int, *, days: int, reason: str, moderator: str,
    now: datetime,
) -> ExtendResult:
    """Once per debate, by 1–14 days with a reason; participants are told.

    The deadline machine re-arms from the moved `debate_closes_at`; a D-3 reminder that has
    not gone out yet moves with it, one that went out is not repeated.
    """
    text = mask_personal_data(normalise_text(reason))[0]  # the participants read it
    if not valid_extension(days):
        return ExtendResult(ExtendOutcome.INVALID_DAYS)
    if len(text) < 2:
        return ExtendResult(ExtendOutcome.NO_REASON)
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or not _is_open(proposal, now):
        return ExtendResult(ExtendOutcome.NOT_IN_DEBATE)
    added = await session.execute(insert_ignoring_conflicts(
        session, DebateExtension, proposal_id=proposal_id, days=days, reason=text,
        moderator=moderator[:120], created_at=now,
    ))
    if not rows_affected(added):
        return ExtendResult(ExtendOutcome.ALREADY_EXTENDED, proposal.debate_closes_at)
    before = proposal.debate_closes_at
    assert before is not None
    closes = before + timedelta(days=days)
    proposal.debate_closes_at = closes
    if proposal.debate_reminder_at is not None:
        proposal.debate_reminder_at = reminder_at(closes)
    record_audit(session, now, moderator, "debate.extend", f"proposal:{proposal_id}",
                 before={"closes_at": before.isoformat()},
                 after={"closes_at": closes.isoformat(), "days": days, "reason": text})
    notice = DebateExtended(proposal_id, proposal.title, days, excerpt(text, 300), closes,
                            key=str(proposal_id))
    await enqueue_for_users(session, await _audience(session, proposal_id), notice, now)
    return ExtendResult(ExtendOutcome.EXTENDED, closes)


# ----- deadlines ------------------------------------------------------------------------------


async def remind_debate(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    """Deadline handler (D-3): endorsers who have not taken part yet hear once."""
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.status == S.IN_DEBATE,
               Proposal.debate_reminder_at.is_not(None), Proposal.debate_reminder_at <= now)
        .values(debate_reminder_at=None)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1:
        return False
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    assert proposal is not None and proposal.debate_closes_at is not None
    endorsers = set(await session.scalars(
        select(Endorsement.user_id).where(Endorsement.proposal_id == proposal_id)))
    waiting = endorsers - await participants(session, proposal_id) - await _muted(session, proposal_id)
    notice = DebateReminder(proposal_id, proposal.title, proposal.debate_closes_at,
                            key=str(proposal_id))
    await enqueue_for_users(session, sorted(waiting), notice, now)
    return True


async def finish_debate(
    session: AsyncSession, proposal_id: int, *, now: datetime, answer_due: datetime
) -> set[int]:
    """In the closing transaction: store the summary once and send it to everyone who took part.

    Returns the participants, so the caller tells only the other followers that it closed.
    """
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    summary = await _build_summary(session, proposal_id)
    await session.execute(insert_ignoring_conflicts(
        session, DebateSummaryRow, proposal_id=proposal_id, data=summary.to_json(),
        created_at=now,
    ))
    stored = await load_summary(session, proposal_id)
    people = await participants(session, proposal_id)
    notice = DebateSummaryReady(proposal_id, proposal.title, answer_due,
                                (stored or summary).to_json(), key=str(proposal_id))
    await enqueue_for_users(
        session, sorted(people - await _muted(session, proposal_id)), notice, now)
    return people


async def _build_summary(session: AsyncSession, proposal_id: int) -> DebateSummary:
    return summarise(await _stances(session, proposal_id), await _visible_opinions(session, proposal_id))


async def load_summary(session: AsyncSession, proposal_id: int) -> DebateSummary | None:
    data = await session.scalar(
        select(DebateSummaryRow.data).where(DebateSummaryRow.proposal_id == proposal_id))
    return DebateSummary.from_json(data) if data else None


async def summary_text(session: AsyncSession, proposal_id: int) -> str | None:
    """The stored summary as plain text, for the department's reply page and the public page."""
    summary = await load_summary(session, proposal_id)
    return plain_summary(summary) if summary else None


# ----- read models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DebateTally:
    proposal_id: int
    title: str
    status: ProposalStatus
    open: bool
    closes_at: datetime | None
    counts: dict[Stance, int]
    participants: int
    opinions: int
    viewer_stance: Stance | None


@dataclass(frozen=True)
class OpinionView:
    id: int
    stance: Stance
    text: str
    likes: int
    created_at: datetime
    mine: bool


@dataclass(frozen=True)
class OpinionPage:
    tally: DebateTally
    sort: OpinionSort
    page: int
    items: tuple[OpinionView, ...]
    has_next: bool


async def load_tally(
    session: AsyncSession, proposal_id: int, viewer_id: int, now: datetime
) -> DebateTally | None:
    """Live counts per stance (chosen stances, plus 중립 for opinion-only participants)."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.debate_closes_at is None:
        return None
    opinions = await _visible_opinions(session, proposal_id)
    stances = await _stances(session, proposal_id)
    counted = effective_stances(stances, opinions)
    counts = {s: 0 for s in STANCE_ORDER}
    for stance in counted.values():
        counts[stance] += 1
    return DebateTally(
        proposal.id, proposal.title, ProposalStatus(proposal.status), _is_open(proposal, now),
        proposal.debate_closes_at, counts, len(counted), len(opinions), stances.get(viewer_id),
    )


async def list_opinions(
    session: AsyncSession, proposal_id: int, *, sort: OpinionSort, page: int, viewer_id: int,
    now: datetime,
) -> OpinionPage | None:
    """One page of visible opinions in the chosen order."""
    tally = await load_tally(session, proposal_id, viewer_id, now)
    if tally is None:
        return None
    ordered = order_opinions(await _visible_opinions(session, proposal_id), sort)
    page = max(page, 0)
    start = page * OPINION_PAGE_SIZE
    items = tuple(
        OpinionView(o.id, o.stance, o.text, o.likes, o.created_at, o.user_id == viewer_id)
        for o in ordered[start : start + OPINION_PAGE_SIZE]
    )
    return OpinionPage(tally, sort, page, items, len(ordered) > start + OPINION_PAGE_SIZE)


async def participants(session: AsyncSession, proposal_id: int) -> set[int]:
    """Everyone who chose a stance or has a visible opinion."""
    chose = set(await session.scalars(
        select(DebateStance.user_id).where(DebateStance.proposal_id == proposal_id)))
    wrote = set(await session.scalars(
        select(Opinion.user_id).where(Opinion.proposal_id == proposal_id,
                                      Opinion.hidden.is_(False))))
    return chose | wrote


async def _audience(session: AsyncSession, proposal_id: int) -> list[int]:
    people = await participants(session, proposal_id) | set(
        await proposal_followers(session, proposal_id))
    return sorted(people - await _muted(session, proposal_id))


async def _muted(session: AsyncSession, proposal_id: int) -> set[int]:
    return set(await session.scalars(select(Subscription.user_id).where(
        Subscription.proposal_id == proposal_id, Subscription.muted.is_(True))))


async def _stances(session: AsyncSession, proposal_id: int) -> dict[int, Stance]:
    rows = await session.execute(select(DebateStance.user_id, DebateStance.stance)
                                 .where(DebateStance.proposal_id == proposal_id))
    return {user_id: Stance(stance) for user_id, stance in rows}


async def _visible_opinions(session: AsyncSession, proposal_id: int) -> list[OpinionFact]:
    rows = await session.scalars(
        select(Opinion).where(Opinion.proposal_id == proposal_id, Opinion.hidden.is_(False))
        .order_by(Opinion.created_at, Opinion.id)
    )
    return [OpinionFact(o.id, o.user_id, Stance(o.stance), o.text, o.like_count, o.created_at)
            for o in rows]


async def _tell_moderators(
    session: AsyncSession, settings: Settings, proposal: Proposal, opinion: Opinion,
    now: datetime, *, reason: str,
) -> None:
    if settings.moderator_chat_id is None:
        return
    notice = ModerationOpinionReported(proposal.id, proposal.title, opinion.id,
                                       excerpt(opinion.text, 300), reason, key=str(opinion.id),
                                       urgent=True)
    await enqueue(session, chat_id=settings.moderator_chat_id, notice=notice, now=now)


# ----- forum mirror bookkeeping (the Bot API calls live in bot/forum.py) ------------------------


@dataclass(frozen=True)
class ForumWork:
    proposal_id: int
    chat_id: int
    thread_id: int | None
    title: str
    problem: str
    solution: str
    closes_at: datetime | None
    answer_due: datetime | None
    summary: DebateSummary | None


async def claim_topics_to_open(session: AsyncSession, now: datetime) -> list[ForumWork]:
    """Requested topics of open debates not created yet; each is leased to this worker."""
    rows = await session.execute(
        select(DebateForumTopic.proposal_id, DebateForumTopic.chat_id)
        .join(Proposal, Proposal.id == DebateForumTopic.proposal_id)
        .where(DebateForumTopic.thread_id.is_(None), DebateForumTopic.closed_at.is_(None),
               Proposal.status == S.IN_DEBATE)
    )
    work = []
    for proposal_id, chat_id in list(rows):
        claimed = await session.execute(
            update(DebateForumTopic)
            .where(DebateForumTopic.proposal_id == proposal_id,
                   DebateForumTopic.thread_id.is_(None),
                   (DebateForumTopic.claimed_until.is_(None))
                   | (DebateForumTopic.claimed_until < now))
            .values(claimed_until=now + FORUM_CLAIM)
            .execution_options(synchronize_session=False)
        )
        if rows_affected(claimed) == 1:
            work.append(await _work(session, proposal_id, chat_id, None))
    return work


async def topics_to_close(session: AsyncSession) -> list[ForumWork]:
    """Topics (created or not) whose debate is over and that are not closed yet."""
    rows = await session.execute(
        select(DebateForumTopic.proposal_id, DebateForumTopic.chat_id, DebateForumTopic.thread_id)
        .join(Proposal, Proposal.id == DebateForumTopic.proposal_id)
        .where(DebateForumTopic.closed_at.is_(None), Proposal.status != S.IN_DEBATE)
    )
    return [await _work(session, pid, chat_id, thread_id) for pid, chat_id, thread_id in list(rows)]


async def record_forum_thread(
    session: AsyncSession, proposal_id: int, thread_id: int
) -> None:
    await session.execute(
        update(DebateForumTopic).where(DebateForumTopic.proposal_id == proposal_id)
        .values(thread_id=thread_id, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def mark_forum_closed(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    closed = await session.execute(
        update(DebateForumTopic)
        .where(DebateForumTopic.proposal_id == proposal_id, DebateForumTopic.closed_at.is_(None))
        .values(closed_at=now).execution_options(synchronize_session=False)
    )
    return bool(rows_affected(closed))


async def debate_for_thread(session: AsyncSession, chat_id: int, thread_id: int) -> int | None:
    """The proposal whose debate lives in this forum topic, if any."""
    return await session.scalar(select(DebateForumTopic.proposal_id).where(
        DebateForumTopic.chat_id == chat_id, DebateForumTopic.thread_id == thread_id))


async def _work(
    session: AsyncSession, proposal_id: int, chat_id: int, thread_id: int | None
) -> ForumWork:
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    return ForumWork(proposal_id, chat_id, thread_id, proposal.title, proposal.problem,
                     proposal.solution, proposal.debate_closes_at, proposal.answer_due,
                     await load_summary(session, proposal_id))


async def opinion_count(session: AsyncSession, proposal_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(
        Opinion.proposal_id == proposal_id, Opinion.hidden.is_(False))) or 0)
