"""Department answers: kinds, decisions, validation of what an official types, and the
answer clock."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.deadlines import SEOUL, BusinessCalendar, deadline_last_day
from bot.domain.korean import parse_krw
from bot.domain.milestones import read_plan, read_reached
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

NAME_LIMITS = (2, 40)
TEXT_LIMITS = (10, 4000)
REASON_LIMITS = (10, 2000)
REMINDER_HOUR = time(9)  # reminders reach offices at the start of the working day


class AnswerKind(StrEnum):
    FEASIBILITY = "feasibility"
    INTERIM = "interim"
    FINAL = "final"
    PROGRESS = "progress"


class Feasibility(StrEnum):
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"


class FinalDecision(StrEnum):
    ACCEPTED = "accepted"
    PARTIAL = "partial"
    REJECTED = "rejected"
    LONG_TERM = "long_term"


ACCEPTING = frozenset({FinalDecision.ACCEPTED, FinalDecision.PARTIAL})


@dataclass(frozen=True)
class AnswerForm:
    """What an official typed, as typed; `validate_answer` says what is wrong with it."""

    kind: AnswerKind
    official_name: str
    text: str
    decision: str | None = None
    expected_completion: str | None = None
    budget: str | None = None
    percent: str | None = None
    completed: bool = False
    plan: str | None = None  # an accepting final answer's steps, one `<date> <what>` a line
    reached: str | None = None  # a progress update: the numbers of the steps it reached


def validate_answer(
    form: AnswerForm, today: date, open_steps: Collection[int] = ()
) -> dict[str, str]:
    """Field name → error code (`required`, `too_short`, `too_long`, `date_format`,
    `date_past`, `budget_format`, `percent_range`, `decision`, a `PlanProblem`,
    `reached_format`, `reached_unknown`); empty when valid. `open_steps`: the numbers of
    the plan's steps not reached yet, the only ones a progress update may reach."""
    errors: dict[str, str] = {}
    _check_length(errors, "official_name", form.official_name, NAME_LIMITS)
    _check_length(errors, "text", form.text, _text_limits(form))
    if form.kind is AnswerKind.FEASIBILITY and form.decision not in set(Feasibility):
        errors["decision"] = "decision"
    if form.kind is AnswerKind.FINAL:
        if form.decision not in set(FinalDecision):
            errors["decision"] = "decision"
        elif FinalDecision(form.decision) in ACCEPTING:
            _check_completion(errors, form.expected_completion, today)
            _check_budget(errors, form.budget)
            _check_plan(errors, form, today)
    if form.kind is AnswerKind.INTERIM:  # when the final answer is expected (required)
        _check_completion(errors, form.expected_completion, today)
    if (form.kind is AnswerKind.PROGRESS and not form.completed
            and parse_percent(form.percent) is None):
        errors["percent"] = "percent_range"
    if form.kind is AnswerKind.PROGRESS:
        _check_reached(errors, form.reached, open_steps)
    return errors


def _check_plan(errors: dict[str, str], form: AnswerForm, today: date) -> None:
    plan = read_plan(form.plan or "", today, parse_completion(form.expected_completion))
    if plan.problem is not None:
        errors["plan"] = plan.problem.value


def _check_reached(errors: dict[str, str], raw: str | None, open_steps: Collection[int]) -> None:
    reached = read_reached(raw or "")
    if reached is None:
        errors["reached"] = "reached_format"
    elif not reached <= frozenset(open_steps):
        errors["reached"] = "reached_unknown"


def clean_text(text: str) -> str:
    return normalise_text(text)


PUSH_SUMMARY_CHARS = 200
PUSH_WHOLE_CHARS = 3000  # a message's text has room for 4,096 characters with its header


def push_summary(form: AnswerForm, *, whole: bool = False) -> str:
    """The start of an answer for the followers' push (`whole`: all of it, when there is no
    page to read the rest on), personal data masked."""
    limit = PUSH_WHOLE_CHARS if whole else PUSH_SUMMARY_CHARS
    return mask_personal_data(clean_text(form.text))[0][:limit]


def parse_percent(raw: str | None) -> int | None:
    """0–100 from what was typed (`35`, `35%`); None if it is not that."""
    value = (raw or "").strip().rstrip("%").strip()
    if not value.isdigit() or not 0 <= int(value) <= 100:
        return None
    return int(value)


def parse_completion(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def overdue_days(due: datetime | None, now: datetime, tz: tzinfo = SEOUL) -> int:
    """Whole days past the due date's last day (0 while not overdue)."""
    if due is None:
        return 0
    return max(0, (now.astimezone(tz).date() - deadline_last_day(due, tz)).days)


def next_reminder(
    due: datetime, after: datetime, tz: tzinfo = SEOUL,
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """The next reminder instant strictly after `after`: D-7, D-1, the first overdue day,
    then weekly, each at 09:00 local time; with a `calendar`, the overdue ones start on the
    first business day after the deadline (the escalation's first step)."""
    last_day = deadline_last_day(due, tz)
    candidates = [last_day - timedelta(days=7), last_day - timedelta(days=1)]
    first_overdue = last_day + timedelta(days=1)
    if calendar is not None:
        first_overdue = calendar.next_business_day(first_overdue)
    local_after = after.astimezone(tz).date()
    weeks = max(0, (local_after - first_overdue).days // 7)
    candidates += [first_overdue + timedelta(days=7 * n) for n in range(weeks, weeks + 2)]
    for day in candidates:
        instant = datetime.combine(day, REMINDER_HOUR, tzinfo=tz)
        if instant > after:
            return instant
    raise AssertionError("the weekly reminders always leave one in the future")


def reminder_kind(due: datetime, at: datetime, tz: tzinfo = SEOUL) -> str:
    """`d7`, `d1` or `overdue` for a reminder that fires at `at`."""
    days = (deadline_last_day(due, tz) - at.astimezone(tz).date()).days
    if days >= 7:
        return "d7"
    if days >= 0:
        return "d1"
    return "overdue"


def _text_limits(form: AnswerForm) -> tuple[int, int]:
    if form.kind is AnswerKind.PROGRESS:
        return (2, 1000)
    if form.kind is AnswerKind.FEASIBILITY and form.decision == Feasibility.NOT_FEASIBLE:
        return REASON_LIMITS
    return TEXT_LIMITS


def _check_length(errors: dict[str, str], field: str, raw: str, limits: tuple[int, int]) -> None:
    text = normalise_text(raw or "")
    if not is_meaningful(text):
        errors[field] = "required"
    elif len(text) < limits[0]:
        errors[field] = "too_short"
    elif len(text) > limits[1]:
        errors[field] = "too_long"


def _check_completion(errors: dict[str, str], raw: str | None, today: date) -> None:
    completion = parse_completion(raw)
    if completion is None:
        errors["expected_completion"] = "date_format"
    elif completion < today:
        errors["expected_completion"] = "date_past"


def _check_budget(errors: dict[str, str], raw: str | None) -> None:
    try:
        parse_krw(raw or "")
    except ValueError:
        errors["budget"] = "budget_format"
