"""The 협치회의 (구로구 협치 조례) as pure rules: its members and their roles, its meetings, the
quorum and the majority, the third of the members that may call an extraordinary meeting,
what may be put on its agenda, and the clock of a 권고 to the 구청장.

- §13: regular meetings four times a year; an extraordinary one when the 위원장 calls it or a
  third of the members ask (rounded up: 10 members → 4 requests).
- A decision needs a quorum of a majority of the members (more than half of those appointed
  at that moment) and passes with a majority of those present (찬성 more than half of the
  members present; an abstention or a vote not cast counts against, as in 과반수 찬성).
- §8②: a social agreement goes to the 구청장 as a 권고, which the 구청장 must strive to carry
  out; the office answers within `RECOMMENDATION_RESPONSE_DAYS` business days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.deadlines import BusinessCalendar, business_day_after, end_of_day
from bot.domain.lifecycle import ProposalStatus

MAX_NAME = 40
MAX_PLACE = 80
MAX_REASON = 200
MAX_MINUTES = 3500  # a Telegram message (4,096) with its command line
MAX_RECOMMENDATION = 1500
MAX_RESPONSE = 3000
REMINDER_BUSINESS_DAYS = 5  # the office's reminder: this many business days before the due day
REMINDER_HOUR = time(9)  # …at the start of that business day


class Role(StrEnum):
    CHAIR = "chair"  # 위원장
    MEMBER = "member"  # 위원


class MeetingKind(StrEnum):
    REGULAR = "regular"  # 정기회의
    EXTRAORDINARY = "extraordinary"  # 임시회의


class Choice(StrEnum):
    YES = "yes"  # 찬성
    NO = "no"  # 반대
    ABSTAIN = "abstain"  # 기권


class ItemKind(StrEnum):
    """What an agenda item is about: a residents' proposal, or the district's consultation
    (「구가 묻습니다」) once closed."""

    PROPOSAL = "proposal"
    CONSULTATION = "consultation"


class Outcome(StrEnum):
    PASSED = "passed"  # 가결
    REJECTED = "rejected"  # 부결


DISMISS = "dismiss"  # 해촉
ROLE_WORDS: dict[str, Role | str] = {
    "위원장": Role.CHAIR, "chair": Role.CHAIR, "위원": Role.MEMBER, "member": Role.MEMBER,
    "해촉": DISMISS, "dismiss": DISMISS,
}
KIND_WORDS = {"정기": MeetingKind.REGULAR, "regular": MeetingKind.REGULAR,
              "임시": MeetingKind.EXTRAORDINARY, "extraordinary": MeetingKind.EXTRAORDINARY}
CHOICE_WORDS = {"찬성": Choice.YES, "yes": Choice.YES, "반대": Choice.NO, "no": Choice.NO,
                "기권": Choice.ABSTAIN, "abstain": Choice.ABSTAIN}

# 상정: a public proposal the department has found feasible (in debate, awaiting or past its
# answer, being carried out). Not one still gathering 공감 or under review (nobody has
# looked at it yet), one found infeasible (재심의 is its path), nor one closed or completed.
PLACEABLE = frozenset({ProposalStatus.IN_DEBATE, ProposalStatus.AWAITING_ANSWER,
                       ProposalStatus.ANSWERED, ProposalStatus.IN_PROGRESS})


def quorum(members: int) -> int:
    """Members who must be present: a majority of the members (more than half)."""
    return members // 2 + 1


def missing_for_quorum(members: int, present: int) -> int:
    """How many more members must attend before anything can be decided (0: quorate)."""
    return max(0, quorum(members) - present)


def passes(yes: int, present: int) -> bool:
    """A majority of those present: 찬성 more than half of them."""
    return present > 0 and yes * 2 > present


def third_of(members: int) -> int:
    """Requests that call an extraordinary meeting: a third of the members, rounded up (at
    least one)."""
    return max(1, -(-members // 3))


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def outcome(self, present: int) -> Outcome:
        return Outcome.PASSED if passes(self.yes, present) else Outcome.REJECTED


def tally(choices: list[Choice] | tuple[Choice, ...]) -> Tally:
    return Tally(sum(c is Choice.YES for c in choices), sum(c is Choice.NO for c in choices),
                 sum(c is Choice.ABSTAIN for c in choices))


class Problem(StrEnum):
    """Why a command's words cannot be read; rendering says it in the user's language."""

    USAGE = "usage"
    BAD_MOMENT = "bad_moment"
    PAST = "past"
    TOO_LONG = "too_long"


class GovernanceInputError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Convening:
    kind: MeetingKind
    starts_at: datetime
    place: str


def parse_convening(words: list[str], tz: tzinfo, now: datetime) -> Convening:
    """`<정기|임시> <YYYY-MM-DD> <HH:MM> <place…>`: a meeting in the future."""
    if len(words) < 4 or words[0].lower() not in KIND_WORDS:
        raise GovernanceInputError(Problem.USAGE)
    try:
        day = date.fromisoformat(words[1])
        clock = time.fromisoformat(words[2])
    except ValueError:
        raise GovernanceInputError(Problem.BAD_MOMENT) from None
    starts_at = datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
    if starts_at <= now:
        raise GovernanceInputError(Problem.PAST)
    place = " ".join(words[3:]).strip()
    if len(place) > MAX_PLACE:
        raise GovernanceInputError(Problem.TOO_LONG)
    return Convening(KIND_WORDS[words[0].lower()], starts_at, place)


def business_day_before(end: date, days: int, calendar: BusinessCalendar) -> date:
    """The business day `days` business days before `end`."""
    day, counted = end, 0
    while counted < days:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return day


@dataclass(frozen=True)
class ResponseClock:
    due_at: datetime  # the end of the last business day
    remind_at: datetime | None  # None: the window is too short for a reminder before it


def response_clock(made_at: datetime, days: int, calendar: BusinessCalendar,
                   tz: tzinfo) -> ResponseClock:
    """A 권고 made at `made_at` is answered by the end of the `days`-th business day after
    it; the office is reminded at 09:00 of the business day `REMINDER_BUSINESS_DAYS` before."""
    last_day = business_day_after(made_at.astimezone(tz).date(), days, calendar)
    due_at = end_of_day(last_day, tz)
    remind_day = business_day_before(last_day, REMINDER_BUSINESS_DAYS, calendar)
    remind_at = datetime.combine(remind_day, REMINDER_HOUR, tzinfo=tz).astimezone(UTC)
    return ResponseClock(due_at, remind_at if remind_at > made_at else None)
