"""민원: a resident's request that a department answers without 공감 first, and its 처리기간.

Staff triage a 민원 into one of the kinds of the 민원 처리에 관한 법률 (§2) and route it to a
department; its deadline is the kind's 처리기간, counted as the law counts it (§19):

- a period of five days or less is counted in working hours, one day being eight of them, and
  a period given in hours likewise (기타민원 are handled 「즉시」, within three working hours);
- a period of six days or more is counted in days, the day of receipt included (초일 산입);
- Saturdays, Sundays and public holidays are not counted.

The periods are a setting (`COMPLAINT_PERIODS`); the defaults follow the 시행령: 질의민원 on a
system or procedure 7 days and on the reading of a law 14 days (§14), 건의민원 14 days (§15),
기타민원 at once (§16, three working hours), 고충민원 7 days (§17).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.deadlines import SEOUL, BusinessCalendar, business_day_after, end_of_day

ROUTED_NOTE = "complaint_routed"  # the history's note of a 민원 passed to its department
RECEIVED = "complaint_received"  # the timeline's first entry of a 민원
HOURS_A_DAY = 8
HOUR_COUNTED_UP_TO_DAYS = 5  # §19①: five days or less are counted in hours
# the working day: 09:00–12:00 and 13:00–18:00, eight hours
WORKING_SPANS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))


class ComplaintKind(StrEnum):
    QUESTION = "question"  # 질의민원: a system or procedure
    LAW_QUESTION = "law_question"  # 질의민원: the reading of a law
    SUGGESTION = "suggestion"  # 건의민원
    GRIEVANCE = "grievance"  # 고충민원
    OTHER = "other"  # 기타민원: an inconvenience of daily life to put right


# the law's own names: staff read them on the work item and in the audit log
LEGAL_NAMES: dict[ComplaintKind, str] = {
    ComplaintKind.QUESTION: "질의민원(제도·절차)",
    ComplaintKind.LAW_QUESTION: "질의민원(법령 해석)",
    ComplaintKind.SUGGESTION: "건의민원",
    ComplaintKind.GRIEVANCE: "고충민원",
    ComplaintKind.OTHER: "기타민원",
}
KINDS: tuple[ComplaintKind, ...] = tuple(ComplaintKind)  # a button carries a kind's position


def route_argument(department_id: int, kind: ComplaintKind) -> int:
    """One number for a triage button: the department and the kind's position."""
    return department_id * 10 + KINDS.index(kind)


def read_route_argument(argument: int) -> tuple[int, ComplaintKind] | None:
    """The department and kind a triage button names; None for a forged number."""
    department_id, position = divmod(argument, 10)
    if department_id <= 0 or position >= len(KINDS):
        return None
    return department_id, KINDS[position]


@dataclass(frozen=True)
class Period:
    """A 처리기간: `days`, or (for 「즉시」) `hours` of work."""

    days: int = 0
    hours: int = 0

    @property
    def working_hours(self) -> int | None:
        """The period in working hours when the law counts it so; None when in days."""
        if self.hours:
            return self.hours
        return self.days * HOURS_A_DAY if self.days <= HOUR_COUNTED_UP_TO_DAYS else None


Periods = tuple[tuple[ComplaintKind, Period], ...]  # every kind once, in ComplaintKind's order
DEFAULT_PERIODS: Periods = (
    (ComplaintKind.QUESTION, Period(days=7)),
    (ComplaintKind.LAW_QUESTION, Period(days=14)),
    (ComplaintKind.SUGGESTION, Period(days=14)),
    (ComplaintKind.GRIEVANCE, Period(days=7)),
    (ComplaintKind.OTHER, Period(hours=3)),
)
_SETTING_PART = re.compile(r"^\s*([a-z_]+)\s*=\s*(\d{1,3})\s*([dh])\s*$")


def period_of(periods: Periods, kind: ComplaintKind) -> Period:
    return dict(periods)[kind]


def parse_periods(raw: str) -> Periods:
    """`COMPLAINT_PERIODS`: `grievance=7d,other=3h,…`; the kinds not named keep their default.
    ValueError names what cannot be read."""
    periods = dict(DEFAULT_PERIODS)
    for part in filter(str.strip, raw.split(",")):
        match = _SETTING_PART.match(part)
        if match is None or match.group(1) not in set(ComplaintKind):
            raise ValueError(f"cannot read {part.strip()!r}: expected <kind>=<n>d or <n>h with "
                             f"a kind of {', '.join(ComplaintKind)}")
        name, amount, unit = match.groups()
        if int(amount) == 0:
            raise ValueError(f"{name}: a period must be at least one day or hour")
        periods[ComplaintKind(name)] = Period(days=int(amount)) if unit == "d" else Period(
            hours=int(amount))
    return tuple((kind, periods[kind]) for kind in ComplaintKind)


def complaint_deadline(
    received_at: datetime, period: Period, calendar: BusinessCalendar, tz: tzinfo = SEOUL
) -> datetime:
    """When a 민원 received at `received_at` must be answered (an aware UTC instant)."""
    hours = period.working_hours
    if hours is not None:
        return _after_working_hours(received_at.astimezone(tz), hours, calendar, tz)
    return end_of_day(_nth_business_day(received_at.astimezone(tz).date(), period.days,
                                        calendar), tz)


def _nth_business_day(first: date, count: int, calendar: BusinessCalendar) -> date:
    """The `count`-th business day counting `first` itself when it is one (초일 산입)."""
    return business_day_after(first - timedelta(days=1), count, calendar)


def _after_working_hours(
    start: datetime, hours: int, calendar: BusinessCalendar, tz: tzinfo
) -> datetime:
    """The instant `hours` working hours after `start` (local), counting only the working
    spans of business days."""
    left = timedelta(hours=hours)
    day = start.date()
    while True:
        if calendar.is_business_day(day):
            for opens, closes in WORKING_SPANS:
                span_start = max(datetime.combine(day, opens, tzinfo=tz), start)
                span_end = datetime.combine(day, closes, tzinfo=tz)
                if span_end <= span_start:
                    continue
                if span_end - span_start >= left:
                    return (span_start + left).astimezone(UTC)
                left -= span_end - span_start
        day += timedelta(days=1)
