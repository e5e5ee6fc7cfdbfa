"""The 주민자치회 members' recruitment, as pure rules: what an application asks, when it may be
made, and the completers' table the lottery reads (`bot.domain.lottery_tables`).

An application asks only what Seoul's composition rules need (40대 이하 15 % 이상, 특정 성
60 % 미만): the age band and the sex, under the feature names and categories the lottery's
pool table uses, so the completers' table feeds `python -m bot sortition prepare` as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import IntEnum, StrEnum

from bot.domain.lottery import Comparison, QuotaRule, describe_rule

AGE_BANDS = ("20대 이하", "30대", "40대", "50대", "60대 이상")
SEXES = ("여", "남")
POOL_HEADER = ("number", "age", "sex")
# Seoul's composition rules: a call's own unless an admin sets others (`/council_rules`).
SEOUL_QUOTAS = (
    QuotaRule("age", AGE_BANDS[:3], Comparison.AT_LEAST, percent=15),
    QuotaRule("sex", ("여",), Comparison.UNDER, percent=60),
    QuotaRule("sex", ("남",), Comparison.UNDER, percent=60),
)
# What an application asks, so what a rule may count: the features and their categories.
ASKED = {"age": AGE_BANDS, "sex": SEXES}
FEATURE_NAMES = {"age": "연령대", "sex": "성별"}  # how residents read a rule
DRAW_METHOD = "maximin"
CONFIRM_DAYS = 7  # a member drawn, or a reserve moving up, confirms within this many days


class Outcome(StrEnum):
    """What the draw made of a completer's application."""

    SELECTED = "selected"
    RESERVE = "reserve"
    NOT_DRAWN = "not_drawn"
MAX_SEATS = 200
MAX_RESERVES = 200
MAX_NUMBERS = 2_000  # applicant numbers in one /council_completed


class Step(IntEnum):
    """The application's screens, in order."""

    CALL = 0  # the call: seats, window, 신청하기 (or one's application)
    CONSENT = 1  # what is asked, why, who sees it: 동의하고 계속
    AGE = 2
    SEX = 3
    REVIEW = 4  # the answers, 신청하기
    SUBMIT = 5


def quotas_of(stored: Sequence[Mapping[str, object]] | None) -> tuple[QuotaRule, ...]:
    """A call's rules as stored (None: Seoul's)."""
    if stored is None:
        return SEOUL_QUOTAS
    return tuple(QuotaRule.from_json(rule) for rule in stored)


def rules_problem(rules: Sequence[QuotaRule]) -> str | None:
    """Why the application cannot serve these rules (a feature it does not ask, a category
    no one can answer), in Korean; None when it can."""
    for rule in rules:
        if rule.feature not in ASKED:
            return (f"신청서는 {', '.join(ASKED)}만 물어요: {rule.feature} 규칙은 쓸 수 "
                    f"없어요.")
        unknown = [c for c in rule.categories if c not in ASKED[rule.feature]]
        if unknown:
            return (f"{rule.feature}의 범주는 {', '.join(ASKED[rule.feature])} 가운데서 골라 "
                    f"주세요: {', '.join(unknown)}")
    return None


def resident_rule(rule: QuotaRule) -> str:
    """「연령대 20대 이하·30대·40대 15% 이상」: a rule as the consent screen shows it."""
    return describe_rule(rule, FEATURE_NAMES.get(rule.feature))


def is_open(opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    return opens_at <= now < closes_at


def age_band(index: int) -> str | None:
    """The band a button's index names; None for an index no button has (a forged press)."""
    return AGE_BANDS[index] if 0 <= index < len(AGE_BANDS) else None


def sex(index: int) -> str | None:
    return SEXES[index] if 0 <= index < len(SEXES) else None


def as_number(word: str) -> int | None:
    """A whole number typed as decimal digits (full-width ones too) that fits the database;
    None otherwise (「²」 is a digit but no number)."""
    return int(word) if word.isdecimal() and len(word) <= 9 else None


def parse_numbers(text: str) -> tuple[list[int], list[str]]:
    """Applicant numbers separated by spaces, commas or lines (as staff paste them from a
    sign-in sheet): the numbers, and the words that are not numbers."""
    words = text.replace(",", " ").split()
    numbers = [as_number(w) for w in words]
    return ([n for n in numbers if n is not None],
            [w for w, n in zip(words, numbers, strict=True) if n is None])


def applicant_number(application_id: int) -> str:
    """The public number of an application, as the lottery's tables show it: 0042."""
    return f"{application_id:04d}"


def pool_rows(completers: Sequence[tuple[int, str, str]]) -> list[tuple[str, str, str]]:
    """The rows of the completers' table for `sortition prepare --pool` (under
    `POOL_HEADER`): number, age, sex."""
    return [(applicant_number(i), age, s) for i, age, s in completers]
