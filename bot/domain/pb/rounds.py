"""The admin's one-message forms for a participatory-budget round and for a project.

An admin writes ``key: value`` lines after the command (Korean keys, English accepted):

    /round_new
    이름: 2027 구로 주민참여예산
    예산: 3억
    시작: 2026-12-01 09:00
    마감: 2026-12-14
    방식: 예산 내 선택

Parsing is pure: the caller passes ``now``, the time zone and the district's 동 list. Every
problem names its line (1-based within the form, the command line excluded) so the reply
can quote it; the rendering layer turns the codes into Korean. A date without a time opens
at 00:00 and closes at 24:00 of that day (KST), as residents' deadlines do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.korean import AmountError, parse_krw
from bot.domain.pb.ballot import BallotType, Eligibility
from bot.domain.pb.rules import Rule, TieBreak

MAX_NAME = 200
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_LABEL = 40

T = TypeVar("T")
W = TypeVar("W")


class Problem(StrEnum):
    NO_COLON = "no_colon"
    UNKNOWN_KEY = "unknown_key"
    DUPLICATE = "duplicate"
    MISSING = "missing"
    TOO_LONG = "too_long"
    BAD_AMOUNT = "bad_amount"
    ZERO_AMOUNT = "zero_amount"
    BAD_DATE = "bad_date"
    OPENS_IN_PAST = "opens_in_past"
    CLOSE_BEFORE_OPEN = "close_before_open"
    BAD_BALLOT = "bad_ballot"
    BAD_NUMBER = "bad_number"
    NEEDS_K = "needs_k"
    NEEDS_POINTS = "needs_points"
    PER_PROJECT_TOO_BIG = "per_project_too_big"
    BAD_ELIGIBILITY = "bad_eligibility"
    BAD_AREA = "bad_area"
    AREA_NEEDS_VERIFIED = "area_needs_verified"
    BAD_RULE = "bad_rule"
    BAD_TIE_BREAK = "bad_tie_break"
    BAD_PERCENT = "bad_percent"
    BAD_YES_NO = "bad_yes_no"


@dataclass(frozen=True)
class FormProblem:
    """What is wrong, on which line (None: a missing key), and the line as the admin wrote it."""

    problem: Problem
    key: str
    line: int | None = None
    text: str = ""


@dataclass(frozen=True)
class RoundSpec:
    """A valid round, ready to be stored."""

    name: str
    budget_krw: int
    opens_at: datetime
    closes_at: datetime
    ballot: BallotType
    max_choices: int | None
    points_total: int | None
    points_per_project: int | None
    eligibility: Eligibility
    area: str | None
    rule: Rule
    tie_break: TieBreak
    min_support_percent: int | None
    changeable: bool


@dataclass(frozen=True)
class ProjectSpec:
    title: str
    cost_krw: int
    description: str = ""
    area: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A spec when the form is valid, else every problem found (in line order)."""

    spec: T | None
    problems: tuple[FormProblem, ...] = ()


# ----- keys -----------------------------------------------------------------------------------

ROUND_KEYS: dict[str, str] = {
    "이름": "name", "제목": "name", "name": "name",
    "예산": "budget", "총예산": "budget", "budget": "budget",
    "시작": "opens", "투표시작": "opens", "opens": "opens", "start": "opens",
    "마감": "closes", "투표마감": "closes", "종료": "closes", "closes": "closes", "end": "closes",
    "방식": "ballot", "투표방식": "ballot", "ballot": "ballot", "ballottype": "ballot",
    "선택수": "k", "k": "k", "maxchoices": "k",
    "총점": "points", "점수": "points", "points": "points",
    "사업당최대": "per_project", "사업당최대점수": "per_project", "perproject": "per_project",
    "maxperproject": "per_project",
    "자격": "eligibility", "참여자격": "eligibility", "eligibility": "eligibility",
    "동": "area", "area": "area",
    "집계": "rule", "집계방식": "rule", "rule": "rule",
    "동점": "tie_break", "동점처리": "tie_break", "tiebreak": "tie_break",
    "최소지지율": "min_support", "minsupport": "min_support",
    "변경": "changeable", "변경가능": "changeable", "changeable": "changeable",
}
ROUND_REQUIRED = ("name", "budget", "opens", "closes", "ballot")

PROJECT_KEYS: dict[str, str] = {
    "제목": "title", "이름": "title", "사업명": "title", "title": "title", "name": "title",
    "설명": "description", "내용": "description", "description": "description",
    "비용": "cost", "사업비": "cost", "예산": "cost", "cost": "cost",
    "동": "area", "지역": "area", "area": "area",
    "분야": "category", "category": "category",
}
PROJECT_REQUIRED = ("title", "cost")

BALLOT_WORDS: dict[str, BallotType] = {
    "예산": BallotType.APPROVAL_BUDGET, "예산내선택": BallotType.APPROVAL_BUDGET,
    "예산범위내선택": BallotType.APPROVAL_BUDGET, "approval": BallotType.APPROVAL_BUDGET,
    "approvalbudget": BallotType.APPROVAL_BUDGET,
    "선택": BallotType.CHOOSE_K, "k개선택": BallotType.CHOOSE_K,
    "개수선택": BallotType.CHOOSE_K, "choosek": BallotType.CHOOSE_K, "choose": BallotType.CHOOSE_K,
    "점수": BallotType.CUMULATIVE, "점수배분": BallotType.CUMULATIVE,
    "누적": BallotType.CUMULATIVE,
    "cumulative": BallotType.CUMULATIVE,
}
WHO_WORDS: dict[str, Eligibility] = {
    "누구나": Eligibility.EVERYONE, "모두": Eligibility.EVERYONE, "everyone": Eligibility.EVERYONE,
    "all": Eligibility.EVERYONE,
    "전화번호": Eligibility.CONTACT, "전화": Eligibility.CONTACT, "연락처": Eligibility.CONTACT,
    "contact": Eligibility.CONTACT,
    "phone": Eligibility.CONTACT,
    "인증": Eligibility.VERIFIED, "인증주민": Eligibility.VERIFIED,
    "verified": Eligibility.VERIFIED,
}
RULE_WORDS: dict[str, Rule] = {
    "다득표": Rule.GREEDY, "다득표순": Rule.GREEDY, "점수순": Rule.GREEDY_POINTS,
    "균등배분": Rule.MES,
    **{_rule.value.replace("-", ""): _rule for _rule in Rule},
}
TIE_WORDS: dict[str, TieBreak] = {
    "저렴한순": TieBreak.CHEAPEST, "저렴한": TieBreak.CHEAPEST, "cheapest": TieBreak.CHEAPEST,
    "번호순": TieBreak.ID, "번호": TieBreak.ID, "id": TieBreak.ID,
}
YES_WORDS = frozenset({"예", "네", "가능", "허용", "yes", "y", "true", "o"})
NO_WORDS = frozenset({"아니오", "아니요", "불가", "불가능", "no", "n", "false", "x"})
NONE_WORDS = frozenset({"없음", "none", "0", "-"})

DATE = re.compile(
    r"(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?"
    r"(?:\s*(?P<ampm>오전|오후|am|pm)?\s*(?P<h>\d{1,2})\s*(?::|시)\s*(?P<min>\d{2})?\s*분?)?"
)


def squeeze(text: str) -> str:
    """A word for lookup: NFKC, lower case, without spaces, ``_`` or ``-``."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class _Fields:
    # key → (line number, the line as written, the value)
    values: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    problems: list[FormProblem] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        entry = self.values.get(key)
        return entry[2] if entry else None

    def flag(self, problem: Problem, key: str) -> None:
        line, text, _ = self.values.get(key, (None, "", ""))
        self.problems.append(FormProblem(problem, key, line, text))


def _form_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            yield number, raw.strip()


def _read_fields(text: str, keys: dict[str, str], continued: str | None = None) -> _Fields:
    """``key: value`` lines; a line without a colon continues ``continued`` if that came last."""
    fields = _Fields()
    last: str | None = None
    for number, line in _form_lines(text):
        raw_key, colon, value = unicodedata.normalize("NFKC", line).partition(":")
        key = keys.get(squeeze(raw_key)) if colon else None
        if key is None and last is not None and last == continued:
            at, first, before = fields.values[last]
            fields.values[last] = (at, first, f"{before}\n{line}")
            continue
        if not colon:
            fields.problems.append(FormProblem(Problem.NO_COLON, "", number, line))
        elif key is None:
            fields.problems.append(FormProblem(Problem.UNKNOWN_KEY, raw_key.strip(), number, line))
        elif key in fields.values:
            fields.problems.append(FormProblem(Problem.DUPLICATE, key, number, line))
        else:
            fields.values[key] = (number, line, value.strip())
            last = key
            continue
        last = None
    return fields


def _missing(fields: _Fields, required: Sequence[str]) -> None:
    for key in required:
        if not fields.get(key):
            fields.problems.append(FormProblem(Problem.MISSING, key))


# ----- values ---------------------------------------------------------------------------------


def parse_moment(text: str, tz: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    """``2026-12-01 09:00`` (KST) → UTC; a bare date is 00:00, or 24:00 with ``end_of_day``."""
    match = DATE.fullmatch(unicodedata.normalize("NFKC", text).strip().lower())
    if match is None:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["h"] is None:
            start = datetime.combine(day, time(0), tz)
            return (start + timedelta(days=1) if end_of_day else start).astimezone(UTC)
        hour = int(match["h"])
        if match["ampm"] in ("오후", "pm") and hour < 12:
            hour += 12
        elif match["ampm"] in ("오전", "am") and hour == 12:
            hour = 0
        return datetime.combine(day, time(hour, int(match["min"] or 0)), tz).astimezone(UTC)
    except ValueError:
        return None


def _positive_int(text: str) -> int | None:
    digits = unicodedata.normalize("NFKC", text).strip().removesuffix("개").removesuffix("점")
    return int(digits) if digits.strip().isdigit() and int(digits) > 0 else None


def _amount(fields: _Fields, key: str) -> int | None:
    raw = fields.get(key)
    if not raw:
        return None
    try:
        amount = parse_krw(raw)
    except AmountError:
        fields.flag(Problem.BAD_AMOUNT, key)
        return None
    if amount <= 0:
        fields.flag(Problem.ZERO_AMOUNT, key)
        return None
    return amount


def _word(fields: _Fields, key: str, words: dict[str, W], problem: Problem, default: W) -> W:
    raw = fields.get(key)
    if not raw:
        return default
    found = words.get(squeeze(raw))
    if found is None:
        fields.flag(problem, key)
        return default
    return found


def _count(fields: _Fields, key: str) -> int | None:
    raw = fields.get(key)
    if not raw:
        return None
    number = _positive_int(raw)
    if number is None:
        fields.flag(Problem.BAD_NUMBER, key)
    return number


def _label(fields: _Fields, key: str, allowed: Sequence[str] | None) -> str | None:
    raw = fields.get(key)
    if not raw or squeeze(raw) in NONE_WORDS:
        return None
    value = unicodedata.normalize("NFKC", raw).strip()
    if allowed is not None and value not in allowed:
        fields.flag(Problem.BAD_AREA, key)
        return None
    if len(value) > MAX_LABEL:
        fields.flag(Problem.TOO_LONG, key)
        return None
    return value


def _text(fields: _Fields, key: str, limit: int) -> str:
    value = (fields.get(key) or "").strip()
    if len(value) > limit:
        fields.flag(Problem.TOO_LONG, key)
    return value


def _percent(fields: _Fields) -> int | None:
    raw = fields.get("min_support")
    if not raw or squeeze(raw) in NONE_WORDS:
        return None
    digits = squeeze(raw).removesuffix("%")
    if not digits.isdigit() or not 0 <= int(digits) <= 100:
        fields.flag(Problem.BAD_PERCENT, "min_support")
        return None
    return int(digits) or None


def _yes_no(fields: _Fields) -> bool:
    raw = fields.get("changeable")
    if not raw:
        return True
    word = squeeze(raw)
    if word in YES_WORDS or word in NO_WORDS:
        return word in YES_WORDS
    fields.flag(Problem.BAD_YES_NO, "changeable")
    return True


def _window(
    fields: _Fields, now: datetime, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    opens = closes = None
    if raw := fields.get("opens"):
        opens = parse_moment(raw, tz, end_of_day=False)
        if opens is None:
            fields.flag(Problem.BAD_DATE, "opens")
        elif opens < now:
            fields.flag(Problem.OPENS_IN_PAST, "opens")
    if raw := fields.get("closes"):
        closes = parse_moment(raw, tz, end_of_day=True)
        if closes is None:
            fields.flag(Problem.BAD_DATE, "closes")
        elif opens is not None and closes <= opens:
            fields.flag(Problem.CLOSE_BEFORE_OPEN, "closes")
    return opens, closes


def _limits(fields: _Fields, ballot: BallotType) -> tuple[int | None, int | None, int | None]:
    """k for choose-k; n and m for cumulative (m defaults to n); nothing for approval."""
    if ballot is BallotType.CHOOSE_K:
        k = _count(fields, "k")
        if k is None and not fields.get("k"):
            fields.problems.append(FormProblem(Problem.NEEDS_K, "k"))
        return k, None, None
    if ballot is BallotType.CUMULATIVE:
        points = _count(fields, "points")
        if points is None and not fields.get("points"):
            fields.problems.append(FormProblem(Problem.NEEDS_POINTS, "points"))
        per_project = _count(fields, "per_project")
        if points is not None and per_project is not None and per_project > points:
            fields.flag(Problem.PER_PROJECT_TOO_BIG, "per_project")
        return None, points, per_project or points
    return None, None, None


# ----- forms ----------------------------------------------------------------------------------


def parse_round_form(
    text: str, *, now: datetime, tz: ZoneInfo, areas: Sequence[str]
) -> Parsed[RoundSpec]:
    """The round an admin described, or every problem with the form."""
    fields = _read_fields(text, ROUND_KEYS)
    _missing(fields, ROUND_REQUIRED)
    name = _text(fields, "name", MAX_NAME)
    budget = _amount(fields, "budget")
    opens, closes = _window(fields, now, tz)
    ballot = _word(fields, "ballot", BALLOT_WORDS, Problem.BAD_BALLOT, BallotType.APPROVAL_BUDGET)
    k, points, per_project = _limits(fields, ballot)
    who = _word(fields, "eligibility", WHO_WORDS, Problem.BAD_ELIGIBILITY, Eligibility.EVERYONE)
    area = _label(fields, "area", areas)
    if area is not None and who is not Eligibility.VERIFIED:
        fields.flag(Problem.AREA_NEEDS_VERIFIED, "area")
    default_rule = Rule.GREEDY_POINTS if ballot is BallotType.CUMULATIVE else Rule.GREEDY
    rule = _word(fields, "rule", RULE_WORDS, Problem.BAD_RULE, default_rule)
    tie_break = _word(fields, "tie_break", TIE_WORDS, Problem.BAD_TIE_BREAK, TieBreak.CHEAPEST)
    min_support = _percent(fields)
    changeable = _yes_no(fields)
    if fields.problems:
        return Parsed(None, _in_line_order(fields.problems))
    assert budget is not None and opens is not None and closes is not None
    return Parsed(RoundSpec(
        name=name, budget_krw=budget, opens_at=opens, closes_at=closes, ballot=ballot,
        max_choices=k, points_total=points, points_per_project=per_project, eligibility=who,
        area=area, rule=rule, tie_break=tie_break, min_support_percent=min_support,
        changeable=changeable,
    ))


def parse_project_form(text: str, *, areas: Sequence[str]) -> Parsed[ProjectSpec]:
    """The project an admin described; the description may go on over several lines."""
    fields = _read_fields(text, PROJECT_KEYS, continued="description")
    _missing(fields, PROJECT_REQUIRED)
    title = _text(fields, "title", MAX_TITLE)
    description = _text(fields, "description", MAX_DESCRIPTION)
    cost = _amount(fields, "cost")
    area = _label(fields, "area", areas)
    category = _label(fields, "category", None)
    if fields.problems:
        return Parsed(None, _in_line_order(fields.problems))
    assert cost is not None
    return Parsed(ProjectSpec(title, cost, description, area, category))


def _in_line_order(problems: list[FormProblem]) -> tuple[FormProblem, ...]:
    """Problems on lines first, top to bottom; then the missing keys."""
    return tuple(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))
