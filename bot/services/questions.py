"""「운영진에게 묻기」: a resident's question to the staff and the answer it gets.

`ask` keeps the question as the resident typed it (table `staff_questions`) and posts it to
the staff queue (the moderators' group, or each staff member's private chat) with its
personal data masked and a 💬 답하기 button. `answer` takes the first staff member's reply
(the work item is claimed with a guarded UPDATE, so a second answer changes nothing), keeps
it beside the question and sends it to the resident through the outbox. Both are audited,
without the texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import StaffQuestion, User
from bot.domain.events import QuestionAnswered, QuestionAsked
from bot.domain.permissions import Action
from bot.domain.questions import (
    ANSWER_MAX_CHARS,
    DAY,
    Asked,
    LimitReached,
    TextProblem,
    limit_reached,
    next_allowed,
    text_problem,
)
from bot.domain.text import mask_personal_data, normalise_text, truncate_for_display
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.bans import ensure_permitted
from bot.services.outbox import enqueue
from bot.services.work_items import ClaimOutcome, WorkKind, claim, post_work_item

QUOTE_CHARS = 200  # the resident's question, recalled above the answer


class AskOutcome(StrEnum):
    ASKED = "asked"
    INVALID = "invalid"  # empty or too long: nothing kept, the resident may send it again
    LIMITED = "limited"


@dataclass(frozen=True)
class AskResult:
    outcome: AskOutcome
    question_id: int | None = None
    problem: TextProblem | None = None
    limit: LimitReached | None = None
    retry_at: datetime | None = None  # the daily limit: when a question goes through again


class AnswerOutcome(StrEnum):
    SENT = "sent"
    INVALID = "invalid"
    ALREADY_ANSWERED = "already_answered"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    question_id: int | None = None
    answered_by: str | None = None  # who answered first, for ALREADY_ANSWERED
    problem: TextProblem | None = None


@dataclass(frozen=True)
class Staff:
    """The staff member who answers: database id, the name shown on the item, audit actor."""

    user_id: int
    name: str
    actor: str


@dataclass(frozen=True)
class OpenQuestion:
    id: int
    text: str
    created_at: datetime


def masked(text: str) -> str:
    """What staff see of a resident's text: normalised, personal data masked."""
    return mask_personal_data(normalise_text(text))[0]


async def ask(
    session: AsyncSession, *, user_id: int, text: str, now: datetime, venues: Venues
) -> AskResult:
    """Keep a question and post it to the staff queue, unless it is empty, too long, or
    the resident has reached a limit (bot.domain.questions)."""
    await ensure_permitted(session, user_id, Action.ASK_STAFF, now)
    problem = text_problem(text)
    if problem is not None:
        return AskResult(AskOutcome.INVALID, problem=problem)
    earlier = await _earlier(session, user_id, now)
    limit = limit_reached(earlier, now)
    if limit is not None:
        return AskResult(AskOutcome.LIMITED, limit=limit, retry_at=next_allowed(earlier, now))
    question = StaffQuestion(user_id=user_id, text=text, created_at=now)
    session.add(question)
    await session.flush()
    notice = QuestionAsked(question.id, masked(text), key=str(question.id))
    question.work_item_id = await post_work_item(
        session, venues, kind=WorkKind.QUESTION, subject_kind="question",
        subject_id=question.id, notice=notice, now=now)
    record_audit(session, now, f"user:{user_id}", "question.ask", f"question:{question.id}",
                 after={"characters": len(text)})
    return AskResult(AskOutcome.ASKED, question.id)


async def _earlier(session: AsyncSession, user_id: int, now: datetime) -> list[Asked]:
    """The resident's questions that count for the limits: unanswered or of the last day."""
    rows = await session.execute(
        select(StaffQuestion.created_at, StaffQuestion.answered_at)
        .where(StaffQuestion.user_id == user_id,
               or_(StaffQuestion.answered_at.is_(None), StaffQuestion.created_at > now - DAY)))
    return [Asked(at, answered is not None) for at, answered in rows]


async def answer(
    session: AsyncSession, *, item_id: int, text: str, staff: Staff, now: datetime
) -> AnswerResult:
    """The staff member's reply to the question of work item `item_id`: kept, audited and
    sent to the resident, once; an empty or too long reply is refused and may be resent."""
    question = await session.scalar(select(StaffQuestion)
                                    .where(StaffQuestion.work_item_id == item_id))
    if question is None:
        return AnswerResult(AnswerOutcome.NOT_FOUND)
    problem = text_problem(text, ANSWER_MAX_CHARS)
    if problem is not None:
        return AnswerResult(AnswerOutcome.INVALID, question.id, problem=problem)
    claimed = await claim(session, item_id, user_id=staff.user_id, name=staff.name,
                          action="answer", now=now)
    if claimed.outcome is not ClaimOutcome.CLAIMED:
        name = claimed.item.claimed_by_name if claimed.item else None
        return AnswerResult(AnswerOutcome.ALREADY_ANSWERED, question.id, answered_by=name)
    await session.execute(
        update(StaffQuestion).where(StaffQuestion.id == question.id)
        .values(answer=text, answered_at=now, answered_by=staff.user_id)
        .execution_options(synchronize_session=False))
    await _send_answer(session, question, text, now)
    record_audit(session, now, staff.actor, "question.answer", f"question:{question.id}",
                 after={"characters": len(text)})
    return AnswerResult(AnswerOutcome.SENT, question.id)


async def _send_answer(session: AsyncSession, question: StaffQuestion, text: str,
                       now: datetime) -> None:
    telegram_id = await session.scalar(select(User.telegram_id)
                                       .where(User.id == question.user_id))
    if telegram_id is None:
        return
    notice = QuestionAnswered(question.id, truncate_for_display(question.text, QUOTE_CHARS),
                              text, key=str(question.id), urgent=True)
    await enqueue(session, chat_id=int(telegram_id), notice=notice, now=now,
                  user_id=question.user_id)


async def open_questions(session: AsyncSession, user_id: int) -> list[OpenQuestion]:
    """The resident's questions still waiting for an answer, oldest first (🙋 내 활동)."""
    rows = await session.execute(
        select(StaffQuestion.id, StaffQuestion.text, StaffQuestion.created_at)
        .where(StaffQuestion.user_id == user_id, StaffQuestion.answered_at.is_(None))
        .order_by(StaffQuestion.created_at, StaffQuestion.id))
    return [OpenQuestion(id_, text, at) for id_, text, at in rows]
