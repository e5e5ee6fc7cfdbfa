"""The answer window's named deadline and its one-off steps (issue #15: answers that cannot
slip).

One deadline is shown at a time, named by what it is for (검토 기한, 토론 마감, 답변 기한)
and by why it is what it is (the review started or restarted, the debate opened or was
extended, the debate closed). During a debate the answer deadline that will follow is
computed with the same rule the close will use, so the two can never disagree.

Inside the answer window (debate closed → answer due) a few steps happen once each, on
business days at the start of the working day: a 중간답변 is asked for at the middle, its
absence is flagged at D-3, and an overdue final answer escalates from the department (the
ordinary overdue reminder, on the first business day after the deadline) to the department
head's e-mail and then to the moderators, one business day apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.answers import REMINDER_HOUR
from bot.domain.deadlines import SEOUL, BusinessCalendar, deadline_last_day, official_deadline
from bot.domain.lifecycle import ProposalStatus

INTERIM_CHECK_DAYS = 3  # 「중간답변 없음」 from D-3
# until the final answer, an interim answer's expected date for it is worth showing
ANSWER_PENDING = frozenset({ProposalStatus.UNDER_REVIEW, ProposalStatus.IN_DEBATE,
                            ProposalStatus.AWAITING_ANSWER})


class DueKind(StrEnum):
    REVIEW = "review"  # 검토 기한
    DEBATE = "debate"  # 토론 마감
    ANSWER = "answer"  # 답변 기한


class DueChange(StrEnum):
    """Why the shown deadline is the one it is."""

    REVIEW_STARTED = "review_started"  # the 공감 threshold was reached
    REVIEW_RESTARTED = "review_restarted"  # 재심의: the review clock started again
    DEBATE_OPENED = "debate_opened"  # the review ended and the debate opened
    DEBATE_EXTENDED = "debate_extended"  # a moderator extended the debate (with a reason)
    DEBATE_CLOSED = "debate_closed"  # the debate closed: the answer clock runs


@dataclass(frozen=True)
class DeadlineRules:
    """What the answer deadline after a debate follows from."""

    answer_days: int
    calendar: BusinessCalendar
    tz: tzinfo = SEOUL

    def answer_due_after(self, debate_closes_at: datetime) -> datetime:
        """The answer deadline of a debate closing at `debate_closes_at` (the close uses it)."""
        return official_deadline(debate_closes_at, self.answer_days, self.calendar, self.tz)


@dataclass(frozen=True)
class Extension:
    days: int
    reason: str


@dataclass(frozen=True)
class DeadlineFacts:
    """A proposal's deadline columns and what changed them."""

    status: ProposalStatus
    review_due: datetime | None
    debate_closes_at: datetime | None
    answer_due: datetime | None
    review_restarted: bool = False
    extension: Extension | None = None


@dataclass(frozen=True)
class NamedDeadline:
    kind: DueKind
    at: datetime
    change: DueChange
    answer_due_after: datetime | None = None  # during a debate: the answer deadline to follow
    extension: Extension | None = None


def named_deadline(facts: DeadlineFacts, rules: DeadlineRules | None) -> NamedDeadline | None:
    """The one deadline that matters now, or None in a state without one."""
    status = facts.status
    if status is ProposalStatus.UNDER_REVIEW and facts.review_due is not None:
        change = DueChange.REVIEW_RESTARTED if facts.review_restarted else DueChange.REVIEW_STARTED
        return NamedDeadline(DueKind.REVIEW, facts.review_due, change)
    if status is ProposalStatus.IN_DEBATE and facts.debate_closes_at is not None:
        closes = facts.debate_closes_at
        change = DueChange.DEBATE_EXTENDED if facts.extension else DueChange.DEBATE_OPENED
        after = rules.answer_due_after(closes) if rules is not None else None
        return NamedDeadline(DueKind.DEBATE, closes, change, after, facts.extension)
    if status is ProposalStatus.AWAITING_ANSWER and facts.answer_due is not None:
        return NamedDeadline(DueKind.ANSWER, facts.answer_due, DueChange.DEBATE_CLOSED)
    return None


class AnswerStep(StrEnum):
    ASK_INTERIM = "ask_interim"  # the middle of the window: ask the department for a 중간답변
    CHECK_INTERIM = "check_interim"  # D-3: none came → 「중간답변 없음」, moderators, e-mail
    TELL_HEAD = "tell_head"  # overdue, second business day: the department head's e-mail
    TELL_MODERATORS = "tell_moderators"  # overdue, third business day: the moderators


Steps = tuple[tuple[AnswerStep, datetime], ...]


def answer_steps(
    window_start: datetime, due: datetime, calendar: BusinessCalendar, tz: tzinfo = SEOUL
) -> Steps:
    """The window's one-off steps in time order, each at 09:00 of a business day.

    The window's first day is the day after `window_start` (초일불산입); its middle is half
    way (rounded down) from that day to the deadline's last day. A window too short for the
    request to come before the D-3 check has no request.
    """
    first_day = deadline_last_day(window_start, tz) + timedelta(days=1)
    last_day = deadline_last_day(due, tz)
    middle = calendar.next_business_day(first_day + (last_day - first_day) // 2)
    check = calendar.next_business_day(last_day - timedelta(days=INTERIM_CHECK_DAYS))
    overdue = _business_days_after(last_day, 3, calendar)
    steps = [(AnswerStep.ASK_INTERIM, middle)] if middle < check else []
    steps += [(AnswerStep.CHECK_INTERIM, check), (AnswerStep.TELL_HEAD, overdue[1]),
              (AnswerStep.TELL_MODERATORS, overdue[2])]
    return tuple((step, _morning(day, tz)) for step, day in steps)


def first_step_after(steps: Steps, after: datetime) -> datetime | None:
    """The first step instant strictly after `after` (None: no step is left)."""
    return next((at for _, at in steps if at > after), None)


def steps_to_run(steps: Steps, since: datetime, now: datetime) -> tuple[AnswerStep, ...]:
    """The steps due between the claimed instant `since` and `now`, once each.

    A request for a 중간답변 whose D-3 check is also due (the machine was down) is skipped:
    the check says more, and asking then would only be noise.
    """
    due = tuple(step for step, at in steps if since <= at <= now)
    if AnswerStep.CHECK_INTERIM in due:
        return tuple(step for step in due if step is not AnswerStep.ASK_INTERIM)
    return due


def interim_missing(steps: Steps, now: datetime, has_interim: bool) -> bool:
    """「중간답변 없음」: the D-3 check has passed and no 중간답변 came in the window."""
    check = next((at for step, at in steps if step is AnswerStep.CHECK_INTERIM), None)
    return not has_interim and check is not None and now >= check


def _business_days_after(day: date, count: int, calendar: BusinessCalendar) -> list[date]:
    days: list[date] = []
    while len(days) < count:
        day = calendar.next_business_day(day + timedelta(days=1))
        days.append(day)
    return days


def _morning(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, REMINDER_HOUR, tzinfo=tz)
