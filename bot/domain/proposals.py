"""The rules of a proposal's parts: limits, checks, masking, options, daily limit and progress.

Lengths are counted in code points after normalisation (NFC, invisible and control characters
removed, whitespace collapsed) and after personal data has been masked, so the stored text is
always within the limits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum
from types import MappingProxyType

from bot.domain.deadlines import SEOUL
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

TITLE_MIN_CHARS = 5
TITLE_MAX_CHARS = 80
PROBLEM_MIN_CHARS = 10
PROBLEM_MAX_CHARS = 2_000
SOLUTION_MIN_CHARS = 10
SOLUTION_MAX_CHARS = 2_000
EFFECT_MIN_CHARS = 5
EFFECT_MAX_CHARS = 1_000

BAR_FILLED = "▰"
BAR_EMPTY = "▱"

_MAX_MASK_PASSES = 3
_OPTION_NOISE = re.compile(r"[\s·ㆍ・.\-_/]+")


class Origin(StrEnum):
    """Who put the proposal forward: a resident, or the district itself (「구 제안」, written
    by staff and 공감-ed and debated like any other)."""

    RESIDENT = "resident"
    DISTRICT = "district"


class Kind(StrEnum):
    """A proposal gathers 공감 before a department answers; a 민원 is answered directly; a
    consultation is the district's question, answered by the department after its close."""

    PROPOSAL = "proposal"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"  # the district's own question (bot/domain/consultations.py)


def shown_to_all(kind: str, complaint_public: bool) -> bool:
    """Anyone may see a proposal or a consultation; a 민원 only when its resident agreed."""
    return kind != Kind.COMPLAINT or complaint_public


class Part(StrEnum):
    """A required part of a proposal, in wizard order; the value is the draft key."""

    TITLE = "title"
    PROBLEM = "problem"
    SOLUTION = "solution"
    EFFECT = "effect"


class RejectReason(StrEnum):
    """Why a part's text was not accepted."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


LIMITS: Mapping[Part, tuple[int, int]] = MappingProxyType(
    {
        Part.TITLE: (TITLE_MIN_CHARS, TITLE_MAX_CHARS),
        Part.PROBLEM: (PROBLEM_MIN_CHARS, PROBLEM_MAX_CHARS),
        Part.SOLUTION: (SOLUTION_MIN_CHARS, SOLUTION_MAX_CHARS),
        Part.EFFECT: (EFFECT_MIN_CHARS, EFFECT_MAX_CHARS),
    }
)


@dataclass(frozen=True)
class Checked:
    """An accepted part: normalised, masked text and the kinds of personal data masked."""

    text: str
    masked_kinds: tuple[str, ...]


@dataclass(frozen=True)
class Rejected:
    """A refused part: the reason and, for length reasons, the limit that was crossed."""

    reason: RejectReason
    limit: int | None = None


@dataclass(frozen=True)
class ProposalText:
    """The four required texts of a proposal, each already checked."""

    title: str
    problem: str
    solution: str
    effect: str

    @classmethod
    def from_draft(cls, draft: Mapping[str, str | None]) -> ProposalText:
        """Checked texts of a complete draft; ValueError names the missing parts."""
        missing = missing_parts(draft)
        if missing:
            raise ValueError(f"draft is missing: {', '.join(missing)}")
        texts = {part: _accepted_text(part, draft[part.value]) for part in Part}
        return cls(
            title=texts[Part.TITLE],
            problem=texts[Part.PROBLEM],
            solution=texts[Part.SOLUTION],
            effect=texts[Part.EFFECT],
        )


def limits_for(part: Part) -> tuple[int, int]:
    """The (minimum, maximum) length of ``part`` in characters."""
    return LIMITS[part]


def check_part(part: Part, raw: str) -> Checked | Rejected:
    """Normalise, length-check and mask one part's text."""
    text = normalise_text(raw)
    if part is Part.TITLE:
        text = " ".join(text.split())
    if not is_meaningful(text):
        return Rejected(RejectReason.EMPTY)
    text, kinds = _mask_until_stable(text)
    minimum, maximum = LIMITS[part]
    if len(text) < minimum:
        return Rejected(RejectReason.TOO_SHORT, minimum)
    if len(text) > maximum:
        return Rejected(RejectReason.TOO_LONG, maximum)
    return Checked(text=text, masked_kinds=kinds)


def _mask_until_stable(text: str) -> tuple[str, tuple[str, ...]]:
    """Mask repeatedly (a mask can reveal a new neighbour) until nothing more is found."""
    found: list[str] = []
    for _ in range(_MAX_MASK_PASSES):
        text, kinds = mask_personal_data(text)
        if not kinds:
            break
        found.extend(kind for kind in kinds if kind not in found)
    return text, tuple(found)


def _accepted_text(part: Part, raw: str | None) -> str:
    result = check_part(part, raw or "")
    if isinstance(result, Checked):
        return result.text
    raise ValueError(f"{part.value} is not acceptable: {result.reason.value}")


def missing_parts(draft: Mapping[str, str | None]) -> list[Part]:
    """The required parts, in wizard order, that are absent or would not pass ``check_part``."""
    missing: list[Part] = []
    for part in Part:
        value = draft.get(part.value)
        if value is None or isinstance(check_part(part, value), Rejected):
            missing.append(part)
    return missing


def choose_option(value: str, options: Sequence[str]) -> str | None:
    """The option typed as ``value``: exact, else the single one equal after normalising."""
    stripped = value.strip()
    if stripped in options:
        return stripped
    key = _option_key(value)
    if not key:
        return None
    matches = [option for option in options if _option_key(option) == key]
    return matches[0] if len(set(matches)) == 1 else None


def _option_key(text: str) -> str:
    """Compatibility-normalised, case-folded, without spaces, dots, hyphens and middle dots."""
    text = unicodedata.normalize("NFKC", normalise_text(text))
    return _OPTION_NOISE.sub("", text).casefold()


def daily_limit_reached(submitted_today: int, limit: int) -> bool:
    """True when ``submitted_today`` already uses the whole daily ``limit`` (0 blocks all)."""
    if limit < 0:
        raise ValueError(f"daily limit must not be negative, got {limit}")
    return submitted_today >= limit


def start_of_local_day(now: datetime, tz: tzinfo = SEOUL) -> datetime:
    """The UTC instant at which the local day (in ``tz``) containing ``now`` began."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    local_date = now.astimezone(tz).date()
    return datetime.combine(local_date, time(0), tzinfo=tz).astimezone(UTC)


def missing_for_threshold(count: int, threshold: int) -> int:
    """How many more are needed to reach ``threshold`` (0 once reached)."""
    return max(0, threshold - count)


def progress_bar(count: int, threshold: int, width: int = 10) -> str:
    """``▰▰▰▱▱▱▱▱▱▱``: full only at the threshold, one segment for any progress at all."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    if count <= 0:
        filled = 0
    elif count >= threshold:
        filled = width
    else:
        filled = min(max(count * width // threshold, 1), width - 1)
    return BAR_FILLED * filled + BAR_EMPTY * (width - filled)
