"""The plan a department promises with an accepting answer, and how its promises are kept.

An official writes the plan as lines of ``<date> <what will be done>`` (``2027-03-31 설계
완료``; dots, slashes, full-width digits and a colon after the date are read too). Each line
is a milestone. The deadline machine reminds the department a few days before each one, flags
it publicly once its day has passed without it being reached, and, until the work is
complete, asks for a progress update every few weeks. A progress update names the steps it
reached by their numbers in the plan (``1, 2``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.deadlines import SEOUL, BusinessCalendar, end_of_day
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

MAX_MILESTONES = 12
TITLE_LIMITS = (2, 200)
REMIND_HOUR = time(9)  # at the start of the working day, as the answer clock's reminders
_LINE = re.compile(  # 2027-03-31, 2027.3.31., 2027/03/31, 2027년 3월 31일; then the words
    r"^\s*(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[일.]?\s*[:：·-]?\s*(.*)$")
_NUMBERS = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[\s,，、/번]+")


class PlanProblem(StrEnum):
    """What is wrong with a plan, as the reply page's error codes."""

    FORMAT = "plan_format"  # a line without a date, or with a date that does not exist
    TITLE = "plan_title"  # a step without words, or with too many
    PAST = "plan_past"  # a step dated before today
    AFTER = "plan_after"  # a step after the expected completion
    TOO_MANY = "plan_too_many"


@dataclass(frozen=True)
class PlannedStep:
    due_on: date
    title: str


@dataclass(frozen=True)
class Plan:
    """A plan read from the official's lines: its steps in date order, or what is wrong with
    it and on which line (1-based)."""

    steps: tuple[PlannedStep, ...] = ()
    problem: PlanProblem | None = None
    line: int = 0


def read_plan(text: str, today: date, completion: date | None = None) -> Plan:
    """The plan in `text` (blank lines skipped), ordered by date; the first problem found.

    A step may not be dated before `today`, nor after `completion` when one is given: the
    expected completion is the plan's last promise.
    """
    lines = [line for line in map(normalise_text,
                                  unicodedata.normalize("NFKC", text or "").splitlines())
             if line]
    if len(lines) > MAX_MILESTONES:
        return Plan(problem=PlanProblem.TOO_MANY, line=MAX_MILESTONES + 1)
    steps: list[PlannedStep] = []
    for number, line in enumerate(lines, start=1):
        read = _read_line(line, today, completion)
        if isinstance(read, PlanProblem):
            return Plan(problem=read, line=number)
        steps.append(read)
    return Plan(tuple(sorted(steps, key=lambda step: step.due_on)))


def _read_line(line: str, today: date, completion: date | None) -> PlannedStep | PlanProblem:
    match = _LINE.match(line)
    if match is None:
        return PlanProblem.FORMAT
    year, month, day, rest = match.groups()
    try:
        due_on = date(int(year), int(month), int(day))
    except ValueError:
        return PlanProblem.FORMAT
    title = normalise_text(rest)
    low, high = TITLE_LIMITS
    if not low <= len(title) <= high or not is_meaningful(title):
        return PlanProblem.TITLE
    if due_on < today:
        return PlanProblem.PAST
    if completion is not None and due_on > completion:
        return PlanProblem.AFTER
    return PlannedStep(due_on, mask_personal_data(title)[0])  # residents read every step


def read_reached(text: str) -> frozenset[int] | None:
    """The step numbers in `text` (``1, 2``, ``1번 3번``, full-width digits); None when
    something else is written there. An empty text reaches nothing."""
    plain = unicodedata.normalize("NFKC", text or "").strip()
    if not plain:
        return frozenset()
    if _SEPARATORS.sub("", _NUMBERS.sub("", plain)):
        return None
    return frozenset(int(number) for number in _NUMBERS.findall(plain))


class StepState(StrEnum):
    PLANNED = "planned"  # its day has not passed
    REACHED = "reached"  # on or before its day
    REACHED_LATE = "reached_late"
    OVERDUE = "overdue"  # its day passed and it is not reached


def overdue_at(due_on: date, tz: tzinfo = SEOUL) -> datetime:
    """The instant a step not reached becomes overdue: the end of its day (24:00 local)."""
    return end_of_day(due_on, tz)


def step_state(due_on: date, reached_on: date | None, today: date) -> StepState:
    """Where a promised step stands on `today` (local dates)."""
    if reached_on is not None:
        return StepState.REACHED if reached_on <= due_on else StepState.REACHED_LATE
    return StepState.OVERDUE if today > due_on else StepState.PLANNED


def days_late(due_on: date, reached_on: date | None, today: date) -> int:
    """How many days after its day a step was reached, or has stayed unreached (0: none)."""
    return max(0, ((reached_on or today) - due_on).days)


def reminder_at(
    due_on: date, lead_days: int, now: datetime, calendar: BusinessCalendar, tz: tzinfo = SEOUL
) -> datetime | None:
    """When the department is reminded of a step due on `due_on`: at 09:00 on the last
    business day at least `lead_days` before it. A step promised closer than that is reminded
    the next business morning before its day; None when no morning is left before it."""
    day = due_on - timedelta(days=lead_days)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    at = datetime.combine(day, REMIND_HOUR, tzinfo=tz)
    if at > now:
        return at
    soonest = _next_business_morning(now, calendar, tz)
    return soonest if soonest.astimezone(tz).date() < due_on else None


def next_progress_request(
    since: datetime, every_days: int, calendar: BusinessCalendar, tz: tzinfo = SEOUL
) -> datetime:
    """When a department that last reported at `since` is asked for a progress update: at
    09:00 on the first business day `every_days` later."""
    day = calendar.next_business_day((since.astimezone(tz) + timedelta(days=every_days)).date())
    return datetime.combine(day, REMIND_HOUR, tzinfo=tz)


def _next_business_morning(now: datetime, calendar: BusinessCalendar, tz: tzinfo) -> datetime:
    local = now.astimezone(tz)
    day = local.date() if local.time() < REMIND_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(calendar.next_business_day(day), REMIND_HOUR, tzinfo=tz)
