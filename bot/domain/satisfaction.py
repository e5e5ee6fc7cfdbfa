"""Residents' satisfaction with a final answer: when it is disputed, why they are not
satisfied (a listed reason or one sentence), and how those reasons are counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.policy import Policy
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

REASON_TEXT_LIMITS = (5, 300)  # satisfaction_votes.reason_text is String(300)
NOTES_SHOWN = 3  # typed reasons quoted to the moderators
NOTE_CHARS = 100


class DissatisfactionReason(StrEnum):
    """Why a final answer disappointed: the listed ones are one tap, OTHER is a sentence."""

    LATE = "late"
    VAGUE = "vague"
    OFF_TOPIC = "off_topic"
    NOT_DONE = "not_done"
    OTHER = "other"


LISTED_REASONS: tuple[DissatisfactionReason, ...] = (
    DissatisfactionReason.LATE, DissatisfactionReason.VAGUE,
    DissatisfactionReason.OFF_TOPIC, DissatisfactionReason.NOT_DONE,
)


def listed_reason(code: str) -> DissatisfactionReason | None:
    """A reason offered as a button; None for anything else (forged or stale data)."""
    return next((reason for reason in LISTED_REASONS if reason.value == code), None)


def is_disputed(satisfied: int, dissatisfied: int, policy: Policy) -> bool:
    """At least `dissatisfaction_min_responses` responses, and more than
    `dissatisfaction_percent` of them dissatisfied."""
    total = satisfied + dissatisfied
    return (total >= policy.dissatisfaction_min_responses
            and dissatisfied * 100 > total * policy.dissatisfaction_percent)


class ReasonProblem(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class CheckedReason:
    """A typed reason after normalisation and masking, or why it cannot be kept."""

    text: str
    problem: ReasonProblem | None = None


def check_reason_text(raw: str) -> CheckedReason:
    """Normalise, require 5–300 characters with a letter or digit, mask personal data."""
    text = normalise_text(raw or "")
    if not is_meaningful(text):
        return CheckedReason("", ReasonProblem.EMPTY)
    if len(text) < REASON_TEXT_LIMITS[0]:
        return CheckedReason(text, ReasonProblem.TOO_SHORT)
    if len(text) > REASON_TEXT_LIMITS[1]:
        return CheckedReason(text, ReasonProblem.TOO_LONG)
    masked = mask_personal_data(text)[0]
    return CheckedReason(masked[: REASON_TEXT_LIMITS[1]])


def count_reasons(codes: Iterable[str | None]) -> dict[str, int]:
    """How many dissatisfied residents gave each reason, in the listed order then OTHER;
    reasons nobody gave (and votes without a reason) are left out."""
    counted = Counter(code for code in codes if code in set(DissatisfactionReason))
    return {reason.value: counted[reason.value]
            for reason in DissatisfactionReason if counted[reason.value]}


def note_excerpts(texts: Iterable[str | None]) -> list[str]:
    """The first few typed reasons, shortened for the moderators' chat."""
    notes = [text for text in texts if text]
    return [note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1].rstrip() + "…"
            for note in notes[:NOTES_SHOWN]]
