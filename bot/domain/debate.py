"""Debate rules: stances, opinion text checks, orderings and the closing summary (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.korean import with_josa
from bot.domain.lifecycle import ProposalStatus
from bot.domain.similarity import is_concept, terms_of
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text

OPINION_MIN_CHARS = 10
OPINION_MAX_CHARS = 1000
DUPLICATE_WINDOW = timedelta(minutes=1)
REMINDER_DAYS_BEFORE = 3
MAX_EXTENSION_DAYS = 14
TOP_OPINIONS = 3
KEYWORDS = 8
EXCERPT_CHARS = 120

# Words every debate uses; as "keywords" they say nothing about this one.
DEBATE_STOP_WORDS: frozenset[str] = frozenset(
    "찬성 반대 중립 의견 생각 제안 동의 정말 너무 진짜 그냥 많이 조금 부분 우리 사람 사람들 "
    "문제 필요 좋겠 좋은 좋아 같아 같습 합니다 입니다 있습 없습 이것 저것 그것 때문 경우 "
    "하는 해요 해서 하고 하면 있는 없는 있어 없어 그래 그러 이런 저런 그런".split()
)

DEBATE_NOTE = "debate"  # the history's note of a debate a moderator opened
AUTO_DEBATE_NOTE = "debate_auto"  # ... and of one the 공감 count opened


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


STANCE_ORDER: tuple[Stance, ...] = (Stance.FOR, Stance.AGAINST, Stance.NEUTRAL)
# The department reads the summary in Korean; these are the domain's own words.
STANCE_KO: dict[Stance, str] = {Stance.FOR: "찬성", Stance.AGAINST: "반대", Stance.NEUTRAL: "중립"}


class OpinionSort(StrEnum):
    NEWEST = "new"
    TOP = "top"
    BALANCED = "bal"


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class CheckedOpinion:
    """An opinion text after normalisation and masking, or the reason it cannot be posted."""

    text: str
    problem: TextProblem | None = None


def check_opinion(raw: str) -> CheckedOpinion:
    """Normalise, then require 10–1,000 characters with a letter or digit; mask personal data."""
    text = normalise_text(raw or "")
    if not is_meaningful(text):
        return CheckedOpinion("", TextProblem.EMPTY)
    if len(text) < OPINION_MIN_CHARS:
        return CheckedOpinion(text, TextProblem.TOO_SHORT)
    if len(text) > OPINION_MAX_CHARS:
        return CheckedOpinion(text, TextProblem.TOO_LONG)
    return CheckedOpinion(mask_personal_data(text)[0])


def is_repeat(text: str, previous_text: str | None, previous_at: datetime | None,
              now: datetime) -> bool:
    """The same text from the same person within a minute is a double send, not a new opinion."""
    return (previous_text is not None and previous_at is not None
            and previous_text == text and now - previous_at < DUPLICATE_WINDOW)


def debate_is_open(status: str, closes_at: datetime | None, now: datetime) -> bool:
    """Residents take part while the proposal is in debate and before its close."""
    return status == ProposalStatus.IN_DEBATE and closes_at is not None and closes_at > now


def reminder_at(closes_at: datetime) -> datetime:
    """The start of D-3 (closes_at is the midnight that ends the last day)."""
    return closes_at - timedelta(days=REMINDER_DAYS_BEFORE + 1)


def valid_extension(days: int) -> bool:
    return 1 <= days <= MAX_EXTENSION_DAYS


@dataclass(frozen=True)
class OpinionFact:
    """What the rules need to know about one visible opinion."""

    id: int
    user_id: int
    stance: Stance
    text: str
    likes: int
    created_at: datetime


def order_opinions(opinions: Iterable[OpinionFact], sort: OpinionSort) -> list[OpinionFact]:
    """Newest first; most 공감 first (newer wins a tie); or 찬성/반대 alternating, then 중립."""
    newest = sorted(opinions, key=lambda o: (o.created_at, o.id), reverse=True)
    if sort is OpinionSort.NEWEST:
        return newest
    if sort is OpinionSort.TOP:
        return sorted(newest, key=lambda o: o.likes, reverse=True)
    by_likes = sorted(newest, key=lambda o: o.likes, reverse=True)
    pro = [o for o in by_likes if o.stance is Stance.FOR]
    con = [o for o in by_likes if o.stance is Stance.AGAINST]
    rest = [o for o in by_likes if o.stance is Stance.NEUTRAL]
    mixed: list[OpinionFact] = []
    for i in range(max(len(pro), len(con))):
        mixed += pro[i : i + 1] + con[i : i + 1]
    return mixed + rest


def percentages(counts: Mapping[Stance, int]) -> dict[Stance, int]:
    """Whole percentages by largest remainder, all 0 when nobody took part.

    Equal counts always get equal shares: a point that would go to only some of the stances
    with the same count goes to none (1:1:1 is 33% each, not 찬성 34%), so the shares add up
    to 100 except when that would break a tie.
    """
    total = sum(counts.get(s, 0) for s in STANCE_ORDER)
    if total == 0:
        return {s: 0 for s in STANCE_ORDER}
    floors = {s: counts.get(s, 0) * 100 // total for s in STANCE_ORDER}
    short = 100 - sum(floors.values())
    # Stances with the same count share their remainder: they get a point together or not at all.
    for count in sorted({counts.get(s, 0) for s in STANCE_ORDER},
                        key=lambda n: (-(n * 100 % total), -n)):
        group = [s for s in STANCE_ORDER if counts.get(s, 0) == count]
        if count * 100 % total and len(group) <= short:
            for s in group:
                floors[s] += 1
            short -= len(group)
    return floors


class Leaning(StrEnum):
    """Which side the closed debate leans to: 찬성, 반대, 찬성·반대 동률, or neither chosen."""

    FOR = "for"
    AGAINST = "against"
    TIED = "tied"
    NONE = "none"


def leaning(counts: Mapping[Stance, int]) -> Leaning:
    """찬성 against 반대 (중립 is neither side); equal non-zero counts are a tie."""
    pro, con = counts.get(Stance.FOR, 0), counts.get(Stance.AGAINST, 0)
    if pro == con:
        return Leaning.TIED if pro else Leaning.NONE
    return Leaning.FOR if pro > con else Leaning.AGAINST


def effective_stances(
    stances: Mapping[int, Stance], opinions: Iterable[OpinionFact]
) -> dict[int, Stance]:
    """Everyone who took part and the stance that counts: the chosen one, else 중립."""
    result = dict(stances)
    for opinion in opinions:
        result.setdefault(opinion.user_id, Stance.NEUTRAL)
    return result


@dataclass(frozen=True)
class QuotedOpinion:
    id: int
    text: str
    likes: int


@dataclass(frozen=True)
class DebateSummary:
    """The closing summary the department reads and the participants receive."""

    counts: dict[Stance, int]
    percents: dict[Stance, int]
    participants: int
    opinions: int
    top: dict[Stance, tuple[QuotedOpinion, ...]] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": {str(s): self.counts.get(s, 0) for s in STANCE_ORDER},
            "percents": {str(s): self.percents.get(s, 0) for s in STANCE_ORDER},
            "participants": self.participants,
            "opinions": self.opinions,
            "top": {str(s): [[q.id, q.text, q.likes] for q in self.top.get(s, ())]
                    for s in STANCE_ORDER},
            "keywords": list(self.keywords),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DebateSummary:
        return cls(
            counts={Stance(k): int(v) for k, v in data["counts"].items()},
            percents={Stance(k): int(v) for k, v in data["percents"].items()},
            participants=int(data["participants"]),
            opinions=int(data["opinions"]),
            top={Stance(k): tuple(QuotedOpinion(int(i), str(t), int(n)) for i, t, n in v)
                 for k, v in data["top"].items()},
            keywords=tuple(data["keywords"]),
        )


def summarise(
    stances: Mapping[int, Stance], opinions: Sequence[OpinionFact], *,
    top: int = TOP_OPINIONS, keywords: int = KEYWORDS,
) -> DebateSummary:
    """Counts and shares per stance, participants, the most-endorsed opinions, recurring words."""
    counted = effective_stances(stances, opinions)
    counts = {s: 0 for s in STANCE_ORDER}
    for stance in counted.values():
        counts[stance] += 1
    best = order_opinions(opinions, OpinionSort.TOP)
    quoted = {
        s: tuple(QuotedOpinion(o.id, excerpt(o.text), o.likes)
                 for o in best if o.stance is s)[:top]
        for s in STANCE_ORDER
    }
    return DebateSummary(counts, percentages(counts), len(counted), len(opinions), quoted,
                         recurring_keywords([o.text for o in opinions], keywords))


def recurring_keywords(texts: Sequence[str], limit: int = KEYWORDS) -> tuple[str, ...]:
    """Words that come back in at least two opinions, most frequent first.

    `terms_of` yields stems, concept terms (#…) and the bigrams of long stems; concept terms
    and stop words go, and a bigram that only echoes a longer keyword (주차 in 불법주차) is
    dropped in favour of the longer word when it is not more frequent on its own.
    """
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update({term for term in terms_of(text) if _is_keyword(term)})
    recurring = {term: n for term, n in frequency.items() if n >= 2}
    kept = [
        term for term in recurring
        if not any(term != other and term in other and recurring[other] >= recurring[term]
                   for other in recurring)
    ]
    kept.sort(key=lambda term: (-recurring[term], -len(term), term))
    return tuple(kept[:limit])


def _is_keyword(term: str) -> bool:
    return (not is_concept(term) and len(term) >= 2 and term not in DEBATE_STOP_WORDS
            and not term.isdigit())


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def plain_summary(summary: DebateSummary) -> str:
    """The summary as plain Korean text for the department's reply page."""
    shares = " · ".join(
        f"{STANCE_KO[s]} {summary.counts.get(s, 0)}명({summary.percents.get(s, 0)}%)"
        for s in STANCE_ORDER
    )
    lines = [f"참여 {summary.participants}명 · 의견 {summary.opinions}건", shares]
    verdict = plain_leaning(summary.counts)
    if verdict:
        lines.append(verdict)
    if summary.keywords:
        lines.append("자주 나온 말: " + ", ".join(summary.keywords))
    for stance in STANCE_ORDER:
        for quote in summary.top.get(stance, ()):
            lines.append(f"[{STANCE_KO[stance]} · 공감 {quote.likes}] {quote.text}")
    return "\n".join(lines)


def plain_leaning(counts: Mapping[Stance, int]) -> str:
    """`결과: 찬성·반대 동률(각 2명)` or `결과: 찬성이 많아요(3명 대 1명)`; empty with neither."""
    pro, con = counts.get(Stance.FOR, 0), counts.get(Stance.AGAINST, 0)
    side = leaning(counts)
    if side is Leaning.NONE:
        return ""
    if side is Leaning.TIED:
        return f"결과: 찬성·반대 동률(각 {pro}명)"
    more, fewer = (pro, con) if side is Leaning.FOR else (con, pro)
    winner = with_josa(STANCE_KO[Stance(side.value)], "이/가")
    return f"결과: {winner} 많아요({more}명 대 {fewer}명)"
