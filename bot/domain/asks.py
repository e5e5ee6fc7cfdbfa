"""What a proposal asks: the direction of the ask, the thing it is about, and the 동.

Two proposals that share the place and a noun may ask opposite things (「골목 CCTV 설치」,
「골목 CCTV 철거」) or different things (「공원 가로등 설치」, 「공원 쓰레기통 설치」); a warning
about either teaches residents to ignore the warning. So beside its topic terms a proposal is
indexed with marker terms that say what it asks, and ``agreement`` tells whether two asks
can be the same:

- ``!+``, ``!-`` or ``!=``: the direction. More of the thing (설치, 확대, 인상, 개방, 허용),
  less of it (철거, 폐지, 인하, 폐쇄, 금지, 단속), or keep it as it is but better (보수, 교체).
  Directions compose: 「단속 강화」 is less, 「금연구역 해제」 and 「폐지 반대」 are more;
- ``!h…``: the head of the thing asked about (the last noun before the predicate, with its
  concept terms: 가로등 → ``!h가로등``, ``!h#조명``);
- ``@…``: a 동 the text names (역삼1동 and 역삼동 are both ``@역삼동``).

Markers are ordinary rows of ``proposal_terms``, so the index needs no other column; they
never count in the cosine, only in ``agreement``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

ASK_MARKER = "!"
HEAD_MARKER = ASK_MARKER + "h"
PLACE_MARKER = "@"

# How much of a match survives when the asks differ. Opposite directions on the same thing,
# another thing asked about, or another 동: not the same proposal at all. Improving a thing
# (보수) against adding or removing it (설치, 철거): another ask about the same thing.
OPPOSITE = 0.0
OTHER_OBJECT = 0.0
OTHER_PLACE = 0.0
OTHER_ASK = 0.0


class Direction(StrEnum):
    MORE = "+"
    LESS = "-"
    MAINTAIN = "="

    @property
    def sign(self) -> int:
        return {Direction.MORE: 1, Direction.LESS: -1, Direction.MAINTAIN: 0}[self]

    @classmethod
    def of_sign(cls, sign: int) -> Direction:
        if sign == 0:
            return cls.MAINTAIN
        return cls.MORE if sign > 0 else cls.LESS


@dataclass(frozen=True)
class Ask:
    direction: Direction
    heads: frozenset[str] = frozenset()

    def markers(self) -> list[str]:
        return [ASK_MARKER + self.direction] + sorted(HEAD_MARKER + h for h in self.heads)


def is_marker(term: str) -> bool:
    return term.startswith((ASK_MARKER, PLACE_MARKER))


def place_marker(place: str) -> str:
    return PLACE_MARKER + place


def ask_of_terms(terms: Iterable[str]) -> Ask | None:
    """The ask encoded in ``terms`` by ``Ask.markers``, or None when there is none."""
    direction: Direction | None = None
    heads: set[str] = set()
    for term in terms:
        if term.startswith(HEAD_MARKER):
            heads.add(term[len(HEAD_MARKER) :])
        elif term.startswith(ASK_MARKER) and term[len(ASK_MARKER) :] in _DIRECTION_SYMBOLS:
            direction = Direction(term[len(ASK_MARKER) :])
    return None if direction is None else Ask(direction, frozenset(heads))


def places_of_terms(terms: Iterable[str]) -> frozenset[str]:
    return frozenset(term[len(PLACE_MARKER) :] for term in terms if term.startswith(PLACE_MARKER))


_DIRECTION_SYMBOLS = frozenset(direction.value for direction in Direction)


def agreement(query: Mapping[str, int], doc: Mapping[str, int]) -> float:
    """How far the asks of two indexed texts can be the same, from 0 to 1.

    What one side does not say cannot disagree: a text without a predicate (「공원이 너무
    어두워요」) or without a 동 agrees with any.
    """
    query_places, doc_places = places_of_terms(query), places_of_terms(doc)
    if query_places and doc_places and not query_places & doc_places:
        return OTHER_PLACE
    return ask_agreement(ask_of_terms(query), ask_of_terms(doc))


def ask_agreement(first: Ask | None, second: Ask | None) -> float:
    if first is None or second is None:
        return 1.0
    if first.heads and second.heads and not first.heads & second.heads:
        return OTHER_OBJECT
    if first.direction == second.direction:
        return 1.0
    if Direction.MAINTAIN in (first.direction, second.direction):
        return OTHER_ASK
    return OPPOSITE
