"""「운영진에게 묻기」: what a resident's question to the staff must be, and how many they may ask.

A question is checked on its normalised form (bot.domain.text: no zero-width or control
characters, single spaces) but stored as the resident typed it. Refusing one never loses it:
the resident's message stays in the chat and the bot keeps waiting for a better one.

The limits keep the staff queue usable: at most `OPEN_LIMIT` questions waiting for an
answer, and at most `DAILY_LIMIT` asked per rolling 24 hours, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.text import is_meaningful, normalise_text

MAX_CHARS = 1000  # a question is a few sentences; a 2,000-character text is refused
ANSWER_MAX_CHARS = 3000  # the staff's answer: well within one Telegram message
OPEN_LIMIT = 3
DAILY_LIMIT = 5
DAY = timedelta(hours=24)


class TextProblem(StrEnum):
    EMPTY = "empty"  # nothing but spaces, zero-width characters or punctuation
    TOO_LONG = "too_long"


def text_problem(text: str, max_chars: int = MAX_CHARS) -> TextProblem | None:
    """Why a question (or an answer) cannot be taken as it is; None when it can."""
    if not is_meaningful(text):
        return TextProblem.EMPTY
    if len(normalise_text(text)) > max_chars:
        return TextProblem.TOO_LONG
    return None


class LimitReached(StrEnum):
    OPEN = "open"  # too many questions still waiting for an answer
    DAILY = "daily"  # too many questions in the last 24 hours


@dataclass(frozen=True)
class Asked:
    """One earlier question of the resident: when, and whether it has been answered."""

    at: datetime
    answered: bool


def limit_reached(earlier: list[Asked], now: datetime) -> LimitReached | None:
    """Whether a new question must wait; None when it may be asked now."""
    if sum(not question.answered for question in earlier) >= OPEN_LIMIT:
        return LimitReached.OPEN
    if sum(question.at > now - DAY for question in earlier) >= DAILY_LIMIT:
        return LimitReached.DAILY
    return None


def next_allowed(earlier: list[Asked], now: datetime) -> datetime | None:
    """When the daily limit lets a question through again (the oldest of the last 24 hours
    turns 24 hours old); None when it does not hold now."""
    recent = sorted(question.at for question in earlier if question.at > now - DAY)
    if len(recent) < DAILY_LIMIT:
        return None
    return recent[len(recent) - DAILY_LIMIT] + DAY
