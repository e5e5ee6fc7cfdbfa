"""Department answers through reply links, the answer clock, satisfaction and 재심의.

Every answer is a new row (nothing is overwritten), lands in the audit log with the name the
official typed, and reaches the author and the followers through the outbox, all in the
caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    Department,
    Proposal,
    ReplyLink,
    ReReviewRequest,
    SatisfactionVote,
)
from bot.domain.answer_clock import DeadlineRules
from bot.domain.answers import (
    ACCEPTING,
    AnswerForm,
    AnswerKind,
    Feasibility,
    clean_text,
    next_reminder,
    overdue_days,
    parse_completion,
    parse_percent,
    push_summary,
    reminder_kind,
    validate_answer,
)
from bot.domain.deadlines import (
    SEOUL,
    BusinessCalendar,
    end_of_day,
    official_deadline,
    resident_deadline,
)
from bot.domain.events import (
    ANSWER_REMINDERS,
    AnswerOverdue,
    AnswerPublished,
    ModerationDissatisfied,
    ModerationOverdue,
    ModerationReReview,
    ReReviewDecided,
)
from bot.domain.korean import parse_krw
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import read_plan, read_reached
from bot.domain.permissions import Action, Refused, Subject, subject_rules
from bot.domain.policy import Policy
from bot.domain.proposals import Kind
from bot.domain.satisfaction import (
    DissatisfactionReason,
    ReasonProblem,
    check_reason_text,
    count_reasons,
    is_disputed,
    note_excerpts,
)
from bot.domain.text import mask_personal_data
from bot.domain.tiers import DEPARTMENT_TRACK, HEAD_TRACK
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.bans import ensure_permitted
from bot.services.callbacks import erase_if_closed
from bot.services.deadline_views import RE_REVIEW_NOTE, expected_answer_date
from bot.services.debates import announce_debate_opened  # debates hook
from bot.services.departments import hash_token, notify_department
from bot.services.head_answers import announce_head_answer, claim_head_answer
from bot.services.lifecycle import transition
from bot.services.milestones import open_steps, record_progress, store_plan
from bot.services.outbox import enqueue_for_followers, enqueue_for_users, proposal_followers
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.work_items import WorkKind, post_work_item

S = ProposalStatus
ALLOWED: dict[ProposalStatus, frozenset[AnswerKind]] = {
    S.UNDER_REVIEW: frozenset({AnswerKind.FEASIBILITY, AnswerKind.INTERIM}),
    S.IN_DEBATE: frozenset({AnswerKind.INTERIM}),
    S.AWAITING_ANSWER: frozenset({AnswerKind.INTERIM, AnswerKind.FINAL}),
    S.ANSWERED: frozenset({AnswerKind.PROGRESS}),
    S.IN_PROGRESS: frozenset({AnswerKind.PROGRESS}),
}


HEAD_KINDS = frozenset({AnswerKind.FINAL})  # the head's office gives one final answer


class AnswerOutcome(StrEnum):
    PUBLISHED = "published"
    INVALID = "invalid"
    WRONG_STATE = "wrong_state"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LinkView:
    link_id: int
    proposal_id: int
    department_id: int
    department_name: str
    expires_at: datetime
    head: bool = False  # the head's office's link: it answers 「구청장 답변」


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    errors: dict[str, str]
    status: ProposalStatus


def link_columns(department: Any = Department) -> tuple[Any, ...]:
    """A reply link's columns as `found_link` reads them, labelled apart from a proposal's;
    `department` is the link's department (an alias where the query joins another)."""
    return (ReplyLink.id.label("link_id"), ReplyLink.proposal_id.label("link_proposal_id"),
            ReplyLink.department_id.label("link_department_id"),
            department.name.label("link_department_name"),
            ReplyLink.expires_at.label("link_expires_at"),
            ReplyLink.revoked_at.label("link_revoked_at"), ReplyLink.track.label("link_track"),
            ReplyLink.token_hash.label("link_token_hash"))


# The token's hash under the current key and under the previous one (the current one again
# outside a key rotation): two plain parameters, where an expanding IN list was rendered anew
# for every lookup and cost as much as running it.
TOKEN_HASHES = ReplyLink.token_hash.in_([bindparam("current_hash"), bindparam("previous_hash")])
# Built once, so every lookup reuses its compiled form whole (see proposal_pages).
LINK_QUERY = (
    select(*link_columns())
    .join(Department, Department.id == ReplyLink.department_id)
    .where(TOKEN_HASHES)
)


@dataclass(frozen=True)
class FoundLink:
    """A live link and the hash it was found under."""

    view: LinkView
    stored_hash: str
    current_hash: str  # the token's hash under the current key

    @property
    def stale(self) -> bool:
        """Found under the previous key during a key rotation: re-hash it (`keep_current`)."""
        return self.stored_hash != self.current_hash


def token_hashes(
    token: str, secret_key: str, previous_key: str | None = None
) -> dict[str, str] | None:
    """The parameters of `TOKEN_HASHES` for `token`; None for a token no link can have."""
    if not token or len(token) > 100:
        return None
    current = hash_token(token, secret_key)
    previous = current if previous_key is None else hash_token(token, previous_key)
    return {"current_hash": current, "previous_hash": previous}


def found_link(row: Row[Any] | None, hashes: dict[str, str], now: datetime) -> FoundLink | None:
    """The live link in `row` (of `link_columns`); None alike for unknown, expired and
    revoked links."""
    if row is None or row.link_revoked_at is not None or row.link_expires_at <= now:
        return None
    view = LinkView(row.link_id, row.link_proposal_id, row.link_department_id,
                    row.link_department_name, row.link_expires_at,
                    head=row.link_track == HEAD_TRACK)
    return FoundLink(view, row.link_token_hash, hashes["current_hash"])


def find_link(
    connection: Connection, token: str, now: datetime, secret_key: str,
    previous_key: str | None = None,
) -> FoundLink | None:
    """The live link behind a token, read only; None alike for unknown, expired and revoked
    tokens. During a key rotation the token is also looked up under `previous_key`."""
    hashes = token_hashes(token, secret_key, previous_key)
    if hashes is None:
        return None
    return found_link(connection.execute(LINK_QUERY, hashes).first(), hashes, now)


async def keep_current(session: AsyncSession, found: FoundLink) -> None:
    """Re-hash a link found under the previous key to the current one (the caller commits),
    so it keeps working once the previous key is dropped."""
    if found.stale:
        await session.execute(
            update(ReplyLink)
            .where(ReplyLink.id == found.view.link_id, ReplyLink.token_hash == found.stored_hash)
            .values(token_hash=found.current_hash)
        )


async def resolve_link(
    session: AsyncSession, token: str, now: datetime, secret_key: str,
    previous_key: str | None = None,
) -> LinkView | None:
    """The link behind a token; None alike for unknown, expired and revoked tokens.

    A live link found under `previous_key` is re-hashed to `secret_key` (the caller commits).
    """
    found = await session.run_sync(
        lambda sync: find_link(sync.connection(), token, now, secret_key, previous_key))
    if found is None:
        return None
    await keep_current(session, found)
    return found.view


async def submit_answer(
    session: AsyncSession,
    link: LinkView,
    form: AnswerForm,
    *,
    idempotency_key: str,
    now: datetime,
    policy: Policy,
    venues: Venues,
    calendar: BusinessCalendar,
) -> AnswerResult:
    """Publish one answer through a reply link.

    Outcomes: PUBLISHED; INVALID (field → error code); WRONG_STATE (the proposal has moved
    on: nothing changes); DUPLICATE (this form was already published: nothing changes).
    """
    proposal = await session.get(Proposal, link.proposal_id, populate_existing=True)
    assert proposal is not None
    if link.head:
        return await _submit_head_answer(session, proposal, link, form, idempotency_key, now,
                                         policy, venues)
    status = ProposalStatus(proposal.status)
    if await _already_published(session, idempotency_key):
        return AnswerResult(AnswerOutcome.DUPLICATE, {}, status)
    if form.kind not in ALLOWED.get(status, frozenset()):
        return AnswerResult(AnswerOutcome.WRONG_STATE, {}, status)
    today = now.astimezone(policy.timezone).date()
    steps_open = await open_steps(session, proposal.id) if form.kind is AnswerKind.PROGRESS else ()
    errors = validate_answer(form, today, steps_open)
    if errors:
        return AnswerResult(AnswerOutcome.INVALID, errors, status)
    expected_before = await expected_answer_date(session, proposal.id)
    answer_id = await _insert_answer(session, link, form, idempotency_key, now)
    if answer_id is None:
        return AnswerResult(AnswerOutcome.DUPLICATE, {}, status)
    new_status = await _apply(session, proposal, form, link.department_name, now, policy, venues,
                              calendar)
    if new_status is None:
        await session.execute(delete(Answer).where(Answer.id == answer_id))
        return AnswerResult(AnswerOutcome.WRONG_STATE, {}, status)
    steps = await _follow_up(session, proposal.id, answer_id, form, today, now, policy, calendar)
    record_audit(session, now, f"{clean_text(form.official_name)} ({link.department_name})",
                 f"answer.{form.kind}", f"proposal:{proposal.id}",
                 before={"status": str(status)},
                 after={"status": str(new_status), "answer_id": answer_id,
                        "decision": form.decision})
    if not _opened_the_debate(form, new_status):  # else the invitation carries the result
        await _announce(session, proposal, form, link.department_name, now, venues,
                        expected_before, steps)
    return AnswerResult(AnswerOutcome.PUBLISHED, {}, new_status)


async def _follow_up(
    session: AsyncSession, proposal_id: int, answer_id: int, form: AnswerForm, today: date,
    now: datetime, policy: Policy, calendar: BusinessCalendar,
) -> list[list[str]]:
    """What an accepting answer promised and a progress update reached (bot/services/
    milestones.py); the steps as the followers' push lists them."""
    if form.kind is AnswerKind.FINAL and form.decision in {d.value for d in ACCEPTING}:
        plan = read_plan(form.plan or "", today, parse_completion(form.expected_completion))
        await store_plan(session, proposal_id, answer_id, plan.steps, now, policy, calendar)
        return [[step.due_on.isoformat(), step.title] for step in plan.steps]
    if form.kind is AnswerKind.PROGRESS:
        reached = await record_progress(
            session, proposal_id, answer_id, read_reached(form.reached or "") or (),
            completed=form.completed, now=now, policy=policy, calendar=calendar)
        return [["", title] for title in reached]
    return []


class RatingOutcome(StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # the same choice again (a double tap): nothing changes
    NOT_ANSWERED = "not_answered"
    NOT_ENDORSER = "not_endorser"


async def rate_answer(
    session: AsyncSession, *, proposal_id: int, user_id: int, satisfied: bool, now: datetime,
    policy: Policy, venues: Venues,
) -> RatingOutcome:
    """만족 / 불만족 with the final answer, by a follower; the latest choice counts
    (RECORDED; the same choice again is UNCHANGED).

    When dissatisfied residents pass the configured share (default 30% of at least 10
    responses), the moderators get a 재검토 요청 item, once. Banned: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.RATE_ANSWER, now)
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.status not in (S.ANSWERED, S.IN_PROGRESS, S.COMPLETED):
        return RatingOutcome.NOT_ANSWERED
    followers = frozenset(await proposal_followers(session, proposal_id))
    subject = Subject(author_id=proposal.author_id, follower_ids=followers)
    if isinstance(subject_rules(user_id, Action.RATE_ANSWER, subject), Refused):
        return RatingOutcome.NOT_ENDORSER
    if not await _store_rating(session, proposal_id, user_id, satisfied, now):
        return RatingOutcome.UNCHANGED
    satisfied_count, dissatisfied_count = await _satisfaction(session, proposal_id)
    if not proposal.dissatisfaction_flagged and is_disputed(satisfied_count, dissatisfied_count,
                                                            policy):
        proposal.dissatisfaction_flagged = True
        notice = ModerationDissatisfied(
            proposal_id, proposal.title, dissatisfied_count, satisfied_count + dissatisfied_count,
            *await _reasons_so_far(session, proposal_id), key=str(proposal_id), urgent=True)
        await post_work_item(session, venues, kind=WorkKind.DISSATISFIED,
                             subject_kind="proposal", subject_id=proposal_id, notice=notice,
                             now=now)
    return RatingOutcome.RECORDED


async def _store_rating(
    session: AsyncSession, proposal_id: int, user_id: int, satisfied: bool, now: datetime
) -> bool:
    """The latest choice counts (False: it was the choice already); a resident who is
    satisfied now has no reason to keep."""
    existing = await session.get(SatisfactionVote, (proposal_id, user_id))
    if existing is not None and existing.satisfied == satisfied:
        return False
    if existing is None:
        session.add(SatisfactionVote(proposal_id=proposal_id, user_id=user_id,
                                     satisfied=satisfied, created_at=now))
    else:
        existing.satisfied = satisfied
        existing.reason_code = existing.reason_text = None
    await session.flush()
    return True


async def _reasons_so_far(
    session: AsyncSession, proposal_id: int
) -> tuple[dict[str, int], list[str]]:
    """Dissatisfied residents per reason, and the first typed reasons (masked when stored)."""
    rows = (await session.execute(
        select(SatisfactionVote.reason_code, SatisfactionVote.reason_text)
        .where(SatisfactionVote.proposal_id == proposal_id,
               SatisfactionVote.satisfied.is_(False))
        .order_by(SatisfactionVote.created_at, SatisfactionVote.user_id)
    )).all()
    return count_reasons(code for code, _ in rows), note_excerpts(text for _, text in rows)


class ReasonOutcome(StrEnum):
    RECORDED = "recorded"
    NOT_DISSATISFIED = "not_dissatisfied"
    INVALID_TEXT = "invalid_text"


@dataclass(frozen=True)
class ReasonResult:
    outcome: ReasonOutcome
    problem: ReasonProblem | None = None


async def explain_dissatisfaction(
    session: AsyncSession, *, proposal_id: int, user_id: int, reason: DissatisfactionReason,
    now: datetime, text: str | None = None,
) -> ReasonResult:
    """Why this resident is not satisfied: a listed reason, or OTHER with one sentence
    (masked before it is stored). The latest reason counts.

    Outcomes: RECORDED; NOT_DISSATISFIED (no 불만족 of theirs to explain: nothing changes);
    INVALID_TEXT (the sentence is empty, under 5 or over 300 characters). Banned: `UserBanned`.
    """
    await ensure_permitted(session, user_id, Action.RATE_ANSWER, now)
    vote = await session.get(SatisfactionVote, (proposal_id, user_id), populate_existing=True)
    if vote is None or vote.satisfied:
        return ReasonResult(ReasonOutcome.NOT_DISSATISFIED)
    checked = check_reason_text(text or "") if reason is DissatisfactionReason.OTHER else None
    if checked is not None and checked.problem is not None:
        return ReasonResult(ReasonOutcome.INVALID_TEXT, checked.problem)
    vote.reason_code = reason.value
    vote.reason_text = checked.text if checked is not None else None
    return ReasonResult(ReasonOutcome.RECORDED)


class ReReviewOutcome(StrEnum):
    REQUESTED = "requested"
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"


async def request_re_review(
    session: AsyncSession, *, proposal_id: int, user_id: int, reason: str, now: datetime,
    venues: Venues,
) -> ReReviewOutcome:
    """The author asks once for 재심의 of a NOT_FEASIBLE proposal; moderators decide.

    A banned author: `UserBanned` (nothing written)."""
    await ensure_permitted(session, user_id, Action.ASK_RE_REVIEW, now)
    proposal = await session.get(Proposal, proposal_id)
    text = mask_personal_data(clean_text(reason))[0]  # the moderators read it
    if proposal is None or proposal.status != S.NOT_FEASIBLE or len(text) < 10:
        return ReReviewOutcome.NOT_ALLOWED
    author_only = Subject(author_id=proposal.author_id)
    if isinstance(subject_rules(user_id, Action.ASK_RE_REVIEW, author_only), Refused):
        return ReReviewOutcome.NOT_ALLOWED
    added = await session.execute(insert_ignoring_conflicts(
        session, ReReviewRequest, proposal_id=proposal_id, reason=text, created_at=now))
    if not rows_affected(added):
        return ReReviewOutcome.ALREADY
    notice = ModerationReReview(proposal_id, proposal.title, text, key=str(proposal_id),
                                urgent=True)
    await post_work_item(session, venues, kind=WorkKind.RE_REVIEW,
                         subject_kind="proposal", subject_id=proposal_id, notice=notice, now=now)
    return ReReviewOutcome.REQUESTED


async def decide_re_review(
    session: AsyncSession, *, proposal_id: int, approve: bool, moderator: str, now: datetime,
    policy: Policy, calendar: BusinessCalendar,
) -> bool:
    """Back to UNDER_REVIEW (a fresh review clock) or confirmed not feasible; all are told."""
    request = await session.get(ReReviewRequest, proposal_id)
    proposal = await session.get(Proposal, proposal_id)
    if request is None or request.decided_at is not None or proposal is None:
        return False
    request.decided_at, request.approved = now, approve
    if approve:
        review_due = official_deadline(now, policy.review_days, calendar)
        moved = await transition(
            session, proposal_id, expected=S.NOT_FEASIBLE, new=S.UNDER_REVIEW, now=now,
            changes={"review_due": review_due, "next_reminder_at": next_reminder(review_due, now)},
            note=RE_REVIEW_NOTE, push=False,
        )
        if not moved:
            return False
    record_audit(session, now, moderator, "proposal.re_review", f"proposal:{proposal_id}",
                 after={"approved": approve})
    notice = ReReviewDecided(proposal_id, proposal.title, approve, key=str(proposal_id))
    await enqueue_for_followers(session, proposal_id, notice, now)
    return True


async def remind_department(
    session: AsyncSession, proposal_id: int, now: datetime, venues: Venues, smtp_url: str | None,
    calendar: BusinessCalendar | None = None,
) -> bool:
    """The answer clock: D-7 and D-1 reminders, then overdue alerts and a weekly reminder
    (with a `calendar`, the overdue ones from the first business day after the deadline)."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.next_reminder_at is None or proposal.next_reminder_at > now:
        return False
    due = proposal.review_due if proposal.status == S.UNDER_REVIEW else proposal.answer_due
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.next_reminder_at == proposal.next_reminder_at)
        .values(next_reminder_at=next_reminder(due, now, calendar=calendar) if due else None)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1 or due is None:
        return False
    kind = reminder_kind(due, now)
    key = f"{proposal.id}:{due.date()}:{now.astimezone(SEOUL).date()}"
    reminder = ANSWER_REMINDERS[kind](proposal.id, proposal.title, due, str(proposal.status),
                                      overdue_days(due, now), key=key)
    department = (
        await session.get(Department, proposal.department_id) if proposal.department_id else None
    )
    if department is not None:
        await notify_department(session, department, reminder, now, smtp_url)
    if kind == "overdue":
        await _announce_overdue(session, proposal, due, reminder.days, now, venues)
    return True


async def _announce_overdue(
    session: AsyncSession, proposal: Proposal, due: datetime, days: int, now: datetime,
    venues: Venues,
) -> None:
    once = f"{proposal.id}:{due.date()}"
    stage = str(proposal.status)
    # a proposal's final answer escalates step by step instead (its answer window's steps);
    # a 민원 or a consultation has no such window, so the moderators are told here
    if proposal.status != S.AWAITING_ANSWER or proposal.kind != Kind.PROPOSAL:
        await post_work_item(session, venues, kind=WorkKind.OVERDUE,
                             subject_kind="proposal", subject_id=proposal.id, now=now,
                             notice=ModerationOverdue(proposal.id, proposal.title, due, stage,
                                                      days, key=once, urgent=True))
    await enqueue_for_followers(session, proposal.id,
                                AnswerOverdue(proposal.id, proposal.title, due, stage, days,
                                              key=once), now)


async def _satisfaction(session: AsyncSession, proposal_id: int) -> tuple[int, int]:
    rows = dict((await session.execute(
        select(SatisfactionVote.satisfied, func.count())
        .where(SatisfactionVote.proposal_id == proposal_id)
        .group_by(SatisfactionVote.satisfied)
    )).all())
    return int(rows.get(True, 0)), int(rows.get(False, 0))


async def _submit_head_answer(
    session: AsyncSession, proposal: Proposal, link: LinkView, form: AnswerForm, key: str,
    now: datetime, policy: Policy, venues: Venues,
) -> AnswerResult:
    """「구청장 답변」 through the head's office's link: one final answer, whatever the
    proposal's state (which it does not change); the followers are told.

    Outcomes as `submit_answer`'s; WRONG_STATE once the head has answered.
    """
    status = ProposalStatus(proposal.status)
    if await _already_published(session, key):
        return AnswerResult(AnswerOutcome.DUPLICATE, {}, status)
    if form.kind not in HEAD_KINDS or proposal.head_answered_at is not None:
        return AnswerResult(AnswerOutcome.WRONG_STATE, {}, status)
    errors = validate_answer(form, now.astimezone(policy.timezone).date())
    if errors:
        return AnswerResult(AnswerOutcome.INVALID, errors, status)
    if not await claim_head_answer(session, proposal.id, now):
        return AnswerResult(AnswerOutcome.WRONG_STATE, {}, status)
    answer_id = await _insert_answer(session, link, form, key, now)
    if answer_id is None:
        return AnswerResult(AnswerOutcome.DUPLICATE, {}, status)
    record_audit(session, now, f"{clean_text(form.official_name)} ({link.department_name})",
                 "answer.head", f"proposal:{proposal.id}",
                 after={"answer_id": answer_id, "decision": form.decision})
    await announce_head_answer(session, proposal, form, link.department_name, now, venues)
    return AnswerResult(AnswerOutcome.PUBLISHED, {}, status)


async def _already_published(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(Answer.id).where(Answer.idempotency_key == key)) is not None


async def _insert_answer(
    session: AsyncSession, link: LinkView, form: AnswerForm, key: str, now: datetime
) -> int | None:
    text, _kinds = mask_personal_data(clean_text(form.text))
    completion, budget, percent = _figures(form)
    values = {
        "proposal_id": link.proposal_id,
        "department_id": link.department_id,
        "link_id": link.link_id,
        "kind": form.kind.value,
        "decision": form.decision,
        "text": text,
        "official_name": clean_text(form.official_name),
        "expected_completion": completion,
        "budget_krw": budget,
        "percent": percent,
        "idempotency_key": key[:64],
        "track": HEAD_TRACK if link.head else DEPARTMENT_TRACK,
        "created_at": now,
    }
    added = await session.execute(insert_ignoring_conflicts(session, Answer, **values))
    if not rows_affected(added):
        return None
    return await session.scalar(select(Answer.id).where(Answer.idempotency_key == key[:64]))


def _figures(form: AnswerForm) -> tuple[date | None, int | None, int | None]:
    """The expected completion and the budget of an accepting final answer (an interim
    answer's date: when the final answer is expected), and the progress percentage, each only
    when the department filled it in (a validated form)."""
    accepting = form.kind is AnswerKind.FINAL and form.decision in {d.value for d in ACCEPTING}
    dated = accepting or form.kind is AnswerKind.INTERIM
    completion = parse_completion(form.expected_completion) if dated else None
    budget = parse_krw(form.budget) if accepting and form.budget else None
    return completion, budget, 100 if form.completed else parse_percent(form.percent)


async def _apply(
    session: AsyncSession, proposal: Proposal, form: AnswerForm, department: str, now: datetime,
    policy: Policy, venues: Venues, calendar: BusinessCalendar,
) -> ProposalStatus | None:
    """The state change an answer causes; None when the proposal moved on meanwhile."""
    status = ProposalStatus(proposal.status)
    target = _target(status, form)
    if target is None or target == status:
        return status
    changes: dict[str, object] = {"next_reminder_at": None, "answer_step_at": None}
    closes = resident_deadline(now, policy.debate_days)
    if target is S.IN_DEBATE:
        changes["debate_closes_at"] = closes
    moved = await transition(session, proposal.id, expected=status, new=target, now=now,
                             changes=changes, note=form.kind.value, push=False)
    if moved and target is S.IN_DEBATE:  # debates hook: invitations, D-3 reminder, forum topic
        answer_due = DeadlineRules(policy.answer_days, calendar).answer_due_after(closes)
        await announce_debate_opened(session, proposal.id, now=now, venues=venues,
                                     note=form.text, department=department,
                                     answer_due=answer_due)
    return target if moved else None


def _opened_the_debate(form: AnswerForm, status: ProposalStatus) -> bool:
    """A feasibility answer that opened the debate: its invitation tells the result."""
    return form.kind is AnswerKind.FEASIBILITY and status is S.IN_DEBATE


def _target(status: ProposalStatus, form: AnswerForm) -> ProposalStatus | None:
    if form.kind is AnswerKind.FEASIBILITY:
        return S.IN_DEBATE if form.decision == Feasibility.FEASIBLE else S.NOT_FEASIBLE
    if form.kind is AnswerKind.FINAL:
        return S.ANSWERED
    if form.kind is AnswerKind.PROGRESS:
        return S.COMPLETED if form.completed else S.IN_PROGRESS
    return None


async def _announce(
    session: AsyncSession, proposal: Proposal, form: AnswerForm, department: str, now: datetime,
    venues: Venues, expected_before: date | None = None, steps: list[list[str]] | None = None,
) -> None:
    """The answer's push to followers; an interim answer says when the final one is expected
    and, when that moved, from which date."""
    completion, budget, percent = _figures(form)
    interim = form.kind is AnswerKind.INTERIM
    expected = completion if interim else None
    moved_from = expected_before if expected and expected_before not in (None, expected) else None
    private = proposal.kind == Kind.COMPLAINT and not proposal.complaint_public
    notice = AnswerPublished(
        proposal.id, proposal.title, form.kind.value, department,
        # a 민원 without a public page: its whole answer comes in the message
        url="" if private else f"{venues.public_base_url}/p/{proposal.id}",
        summary=push_summary(form, whole=private), decision=form.decision,
        completes_by=end_of_day(completion) if completion and not interim else None,
        budget_krw=budget, percent=percent, key=f"{proposal.id}:{form.kind}:{now.isoformat()}",
        answer_expected=end_of_day(expected) if expected else None,
        answer_expected_before=end_of_day(moved_from) if moved_from else None,
        steps=steps or None,
    )
    if private:  # only its resident: nobody else may follow a private 민원
        await enqueue_for_users(session, [proposal.author_id], notice, now)
    else:
        await enqueue_for_followers(session, proposal.id, notice, now)
    # 완료: an offline resident's contact goes once nobody waits to be phoned (the transition
    # sent no notice of its own, so it could not ask before this one was on the list)
    await erase_if_closed(session, proposal.id, actor=department, now=now)

