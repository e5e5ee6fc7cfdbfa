"""「운영진에게 묻기」: which questions are taken, and the open and daily limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.questions import (
    DAILY_LIMIT,
    MAX_CHARS,
    OPEN_LIMIT,
    Asked,
    LimitReached,
    TextProblem,
    limit_reached,
    next_allowed,
    text_problem,
)

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\u200b\u200b", " \u200b \ufeff\u2060 ",
                                  "?!", "…"])
def test_nothing_but_spaces_invisible_characters_or_punctuation_is_empty(text: str) -> None:
    assert text_problem(text) is TextProblem.EMPTY


def test_the_limit_counts_the_visible_text() -> None:
    assert text_problem("가" * MAX_CHARS) is None
    assert text_problem("가" * (MAX_CHARS + 1)) is TextProblem.TOO_LONG
    assert text_problem("가" * 2000) is TextProblem.TOO_LONG  # the example
    assert text_problem("  " + "가" * MAX_CHARS + "\u200b  ") is None  # trimmed and invisible
    assert text_problem("주차장은 몇 시에 열어요?") is None


def test_an_answer_may_be_longer_than_a_question() -> None:
    assert text_problem("가" * (MAX_CHARS + 1), max_chars=3000) is None


def hours_ago(*hours: float, answered: bool = True) -> list[Asked]:
    return [Asked(NOW - timedelta(hours=h), answered) for h in hours]


def test_open_questions_are_limited_whenever_they_were_asked() -> None:
    waiting = hours_ago(*([100.0] * (OPEN_LIMIT - 1)), answered=False)
    assert limit_reached(waiting, NOW) is None
    full = waiting + hours_ago(200.0, answered=False)
    assert limit_reached(full, NOW) is LimitReached.OPEN
    assert next_allowed(full, NOW) is None  # waiting for an answer, not for the clock


def test_the_daily_limit_is_a_rolling_24_hours() -> None:
    today = hours_ago(*[1.0 + n for n in range(DAILY_LIMIT)])  # all answered
    assert limit_reached(today, NOW) is LimitReached.DAILY
    oldest = NOW - timedelta(hours=DAILY_LIMIT)
    assert next_allowed(today, NOW) == oldest + timedelta(hours=24)
    later = oldest + timedelta(hours=24, seconds=1)
    assert limit_reached(today, later) is None
    assert limit_reached(hours_ago(*[25.0 + n for n in range(10)]), NOW) is None


def test_a_few_questions_pass() -> None:
    assert limit_reached([], NOW) is None
    assert limit_reached(hours_ago(1.0, 2.0), NOW) is None
