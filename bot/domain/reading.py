"""Reading a proposal's morphological analysis into index terms and what it asks.

The analysis is done outside the domain (``bot/morphology.py`` runs kiwipiepy: loading it
reads its model from disk and keeps about 270 MB in memory, which is I/O and state). It arrives
here as plain ``Morpheme`` values, Sejong tags and the stems of verbs (달아 → 달), so these
rules stay pure and are tested without the analyser.

1. ``prepare`` folds the text (NFKC) and the numbered forms of a 동 (역삼1동, 성수1가1동 → 역삼동,
   성수동) before the analysis, so both forms are one name.
2. Units: nouns (a noun with its suffix: 냉방+기; a prefix with its noun: 재+활용), verb stems,
   and the particles and endings between them.
3. Synonyms and spacing: runs of up to three adjacent nouns are looked up joined (방범 카메라,
   방범카메라 → cctv; 강아지 놀이터 → 반려견놀이터), then single nouns (에어컨 → 냉방기).
4. Topic terms: content nouns and verb stems with their concept terms (similarity.CONCEPTS),
   a title occurrence counting ``TITLE_WEIGHT`` times, and 동 names.
5. The ask (bot/domain/asks.py): the first predicate (설치, 늘려, 금연 …) composed with the
   ones that follow it (단속 강화, 폐지 반대), and the head noun before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bot.domain.asks import Ask, Direction, place_marker
from bot.domain.similarity import (
    MAX_TERM_LENGTH,
    ONE_SYLLABLE_STEMS,
    STOP_WORDS,
    TITLE_WEIGHT,
    concepts_of,
    is_lexicon_word,
    lexicon_concepts,
    lexicon_words,
    predicate_concepts,
)


@dataclass(frozen=True)
class Morpheme:
    """One morpheme: its form (a verb or adjective by its stem) and its Sejong tag."""

    form: str
    tag: str


Analysis = Sequence[Morpheme]

_NOUN_TAGS = frozenset({"NNG", "NNP", "NNB", "SL", "SH", "XR"})
_NOUN_SUFFIX_TAGS = frozenset({"XSN"})
_NOUN_PREFIX_TAGS = frozenset({"XPN"})
_VERB_TAGS = frozenset({"VV", "VA"})
# 을/를, 이/가, 은/는/도 tie a noun to the predicate after it; other particles and endings
# end a phrase. Derivational and auxiliary morphemes (설치+하+어 주+세요) are transparent.
_LINKING_TAGS = frozenset({"JKO", "JKS", "JX"})
_TRANSPARENT_TAGS = frozenset({"XSV", "XSA", "VX", "VCP", "VCN", "EP", "MAG", "MM", "SN"})
_PLURAL_SUFFIX = "들"
_DONG = "동"


def _lexicon(entries: Mapping[int, str]) -> Mapping[str, int]:
    return MappingProxyType(
        {word: sign for sign, words in entries.items() for word in words.split()}
    )


# Predicates, with the direction they give the thing before them (+1 more, -1 less, 0 keep
# it but better). 해결, 대책, 방지 are "less" of the problem they name (악취 해결 = 냄새 없애).
NOUN_DIRECTIONS: Mapping[str, int] = _lexicon(
    {
        1: "설치 신설 조성 설립 건립 도입 마련 추가 확충 증설 지정 배치 보급 개설 구축 증편 "
        "확대 확장 연장 강화 증가 인상 개방 허용 유지 재개 증축 필요 지원 재설치 신축 다양화",
        -1: "철거 폐지 제거 폐쇄 차단 통제 금지 축소 감축 단축 감소 인하 해제 중단 중지 취소 "
        "반대 철회 단속 규제 완화 금연 근절 억제 해결 대책 예방 감면 수거 견인 제한",
        0: "보수 정비 수리 교체 개선 점검 관리 청소 재포장 보강 리모델링 정리 도색 교환 복구 "
        "동결",
    }
)
VERB_DIRECTIONS: Mapping[str, int] = _lexicon(
    {
        1: "늘리 늘 달 만들 세우 놓 짓 열 올리 높이 넓히 키우 생기 더하 갖추 두 설치하",
        -1: "없애 치우 줄이 내리 낮추 닫 막 없어지 빼 멈추 끄 좁히 금하",
        0: "고치 바꾸 갈 메우 칠하 손보 다듬",
    }
)
# After another predicate these confirm it rather than reduce it: 금연 단속 is less smoking.
ENFORCING = frozenset({"단속", "시행", "집중단속"})
# A negation after a predicate turns it round (필요 없어요).
NEGATIONS = frozenset({"없", "않"})
# A predicate that names its own object: 금연 is "less smoking".
IMPLIED_OBJECTS: Mapping[str, str] = MappingProxyType({"금연": "흡연"})
# Quantities whose "less" is "more" of the service: 배차 간격 단축 = 버스 증편.
INVERTED_NOUNS = frozenset({"간격", "배차간격", "대기", "대기시간"})
# Nouns that never name the thing asked about: places around it, times, amounts, people.
GENERIC_NOUNS = frozenset(
    (
        "시설 공간 구역 시간 운영시간 장소 곳 문제 주변 앞 옆 뒤 위 안 밖 내 근처 일대 "
        "전면 전체 차량 주민 주민들 대책 방안 것 수 등 부분 지역 횟수 밤 야간 주말 평일 "
        "운영 기간 규모 개수 면적 "
        "낮 새벽 아침 저녁 여름 겨울 날 고장 파손 노후 새 추가 더 일대 인근 입구"
    ).split()
)
# Synonyms and spacing variants, joined without spaces, to one canonical form (which may be
# two nouns: 주차비 → 주차 요금).
_SYNONYM_GROUPS: Mapping[str, str] = {
    "cctv": "방범카메라 방범용카메라 감시카메라 방범cctv 폐쇄회로카메라 폐쇄회로tv",
    "냉방기": "에어컨 냉방기기 냉방시설 냉방장치",
    "승강기": "엘리베이터",
    "과속방지턱": "방지턱 과속턱 과속방지시설",
    "흡연구역": "흡연부스 흡연실 흡연장 흡연공간 흡연시설",
    "반려견놀이터": "강아지놀이터 애견놀이터 반려동물놀이터 개놀이터",
    "급식소": "밥자리 급식대 길고양이급식소 고양이급식소",
    "운영시간": "업무시간 개방시간 이용시간 운영시간 개관시간",
    "안내판": "표지판 안내표지판 이정표 안내표지",
    "발급기": "무인민원발급기 무인발급기 민원발급기",
    "무단투기": "불법투기 쓰레기투기",
    "쓰레기통": "휴지통",
    "주차": "주정차",
    "주차 요금": "주차비 주차료 주차요금",
    "자전거도로": "자전거길 자전거전용도로",
    "휴관일": "휴무일 쉬는날",
}
SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        variant: tuple(canonical.split())
        for canonical, variants in _SYNONYM_GROUPS.items()
        for variant in [canonical.replace(" ", ""), *variants.split()]
    }
)
# Simple nouns the analyser should know as words (보도 is not 보 + 도): the lexicon's and the
# predicates' nouns of two syllables. Longer ones are compounds, which it splits and the
# synonyms join again, so a spaced and an unspaced spelling read the same.
VOCABULARY: frozenset[str] = frozenset(
    word
    for word in [*lexicon_words(), *NOUN_DIRECTIONS]
    if len(word) == 2 and all("가" <= char <= "힣" for char in word)
)
_LONGEST_SYNONYM_RUN = 3
_NUMBERED_DONG = re.compile(r"(?<![가-힣])([가-힣]{1,4}?)\d+(?:가\d*)?동")


def prepare(text: str) -> str:
    """``text`` as the analyser should see it: NFKC, and 동 names without their numbers
    (대치2동 → 대치동)."""
    return _NUMBERED_DONG.sub(r"\1동", unicodedata.normalize("NFKC", text))


# --- units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Noun:
    word: str
    place: bool = False


@dataclass(frozen=True)
class _Verb:
    stem: str


@dataclass(frozen=True)
class _Gap:
    """Particles or endings between words; ``linking`` ones tie a noun to its predicate."""

    linking: bool


_Unit = _Noun | _Verb | _Gap


def _units(analysis: Analysis) -> list[_Unit]:
    units: list[_Unit] = []
    pending_prefix = ""
    for morpheme in analysis:
        form, tag = morpheme.form.casefold(), morpheme.tag
        if tag in _NOUN_PREFIX_TAGS:
            pending_prefix += form
        elif tag in _NOUN_TAGS:
            units.append(_noun(pending_prefix + form, tag))
            pending_prefix = ""
        elif tag in _NOUN_SUFFIX_TAGS and units and isinstance(units[-1], _Noun):
            if form != _PLURAL_SUFFIX:
                units[-1] = _noun(units[-1].word + form, "NNG")
        elif tag in _VERB_TAGS:
            units.append(_Verb(form))
        elif tag not in _TRANSPARENT_TAGS:
            _add_gap(units, linking=tag in _LINKING_TAGS)
    return _canonical(units)


def _noun(word: str, tag: str) -> _Noun:
    return _Noun(word, place=tag == "NNP" and len(word) >= 3 and word.endswith(_DONG))


def _add_gap(units: list[_Unit], *, linking: bool) -> None:
    if units and isinstance(units[-1], _Gap):
        units[-1] = _Gap(units[-1].linking and linking)
    else:
        units.append(_Gap(linking))


def _canonical(units: list[_Unit]) -> list[_Unit]:
    """Adjacent nouns that together name a synonym (방범 카메라) become its canonical form."""
    result: list[_Unit] = []
    index = 0
    while index < len(units):
        size, canonical = _synonym_at(units, index)
        if canonical:
            result += [_Noun(word) for word in canonical]
            index += size
        else:
            result.append(units[index])
            index += 1
    return result


def _synonym_at(units: Sequence[_Unit], index: int) -> tuple[int, tuple[str, ...]]:
    for size in range(_LONGEST_SYNONYM_RUN, 0, -1):
        run = units[index : index + size]
        if len(run) < size or not all(isinstance(u, _Noun) and not u.place for u in run):
            continue
        words = [u.word for u in run if isinstance(u, _Noun)]
        joined = "".join(words)
        if joined in SYNONYMS:
            return size, SYNONYMS[joined]
        if size > 1 and min(map(len, words)) == 1 and is_lexicon_word(joined):
            return size, (joined,)  # the analyser split a lexicon word: 보안등 → 보안 + 등
    return 1, ()


# --- terms ----------------------------------------------------------------------------------


def text_terms(analysis: Analysis) -> dict[str, int]:
    """Topic terms of one analysed text and the 동 it names (markers of asks.py), weighted
    by occurrence."""
    return _terms_of_units(_units(analysis))


def _terms_of_units(units: Sequence[_Unit]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for unit in units:
        counts.update(_unit_terms(unit))
    return {term[:MAX_TERM_LENGTH]: count for term, count in sorted(counts.items())}


def indexed_terms(title: Analysis, problem: Analysis = ()) -> dict[str, int]:
    """What to index for a proposal (or to query with): topic terms, the title's counting
    ``TITLE_WEIGHT`` times, the 동 names, and the markers of its ask (from the title, or
    from the problem when the title asks nothing)."""
    title_units, problem_units = _units(title), _units(problem)
    weighted: Counter[str] = Counter()
    for term, count in _terms_of_units(title_units).items():
        weighted[term] += TITLE_WEIGHT * count
    weighted.update(_terms_of_units(problem_units))
    ask = _ask_of_units(title_units) or _ask_of_units(problem_units)
    if ask is not None:
        weighted.update({marker[:MAX_TERM_LENGTH]: 1 for marker in ask.markers()})
    return dict(sorted(weighted.items()))


def _unit_terms(unit: _Unit) -> list[str]:
    if isinstance(unit, _Noun):
        if unit.place:
            return [unit.word, place_marker(unit.word)]
        return _word_terms(unit.word)
    if isinstance(unit, _Verb) and unit.stem not in VERB_DIRECTIONS:
        concepts = predicate_concepts(unit.stem)
        return concepts + ([unit.stem] if _is_content(unit.stem) else [])
    return []


def _word_terms(word: str) -> list[str]:
    if not _is_content(word):
        return []
    return [word, *concepts_of(word)]


def _is_content(word: str) -> bool:
    if word in STOP_WORDS or not all(_is_letter(char) for char in word):
        return False
    return len(word) >= 2 or word in ONE_SYLLABLE_STEMS


def _is_letter(char: str) -> bool:
    """A Hangul syllable or a letter of another script; not loose jamo (ㅋㅋ), not a digit."""
    if "가" <= char <= "힣":
        return True
    return char.isalpha() and not ("\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f")


# --- the ask --------------------------------------------------------------------------------


def ask_of(analysis: Analysis) -> Ask | None:
    """What the text asks: its first predicate, composed with those right after it, and the
    head noun before it; None when it asks nothing (「공원이 너무 어두워요」)."""
    return _ask_of_units(_units(analysis))


def _ask_of_units(units: Sequence[_Unit]) -> Ask | None:
    first = next((i for i, unit in enumerate(units) if _direction(unit) is not None), None)
    if first is None:
        return None
    sign = _composed_sign(units, first)
    head = _head(units, first)
    if head is not None and head in INVERTED_NOUNS:
        sign = -sign
        head = _head(units, first, skip=head)
    first_unit = units[first]
    if isinstance(first_unit, _Noun) and first_unit.word in IMPLIED_OBJECTS:
        head = IMPLIED_OBJECTS[first_unit.word]
    return Ask(Direction.of_sign(sign), frozenset() if head is None else _head_terms(head))


def _head_terms(head: str) -> frozenset[str]:
    """The head and its concepts: a lexicon word's own (반려견놀이터 is about pets, not about
    children as its tail 놀이터 would say), any other word's through its head or tail."""
    concepts = lexicon_concepts(head) if is_lexicon_word(head) else concepts_of(head)
    return frozenset([head, *concepts])


def direction_of(word: str) -> int | None:
    """The direction a predicate noun or verb stem gives (+1, -1, 0), or None."""
    return NOUN_DIRECTIONS.get(word, VERB_DIRECTIONS.get(word))


def _direction(unit: _Unit) -> int | None:
    if isinstance(unit, _Noun):
        return NOUN_DIRECTIONS.get(unit.word)
    if isinstance(unit, _Verb):
        return VERB_DIRECTIONS.get(unit.stem)
    return None


def _composed_sign(units: Sequence[_Unit], first: int) -> int:
    """The product of the signed predicates from ``first`` on, through at most one other
    noun between two of them (개방 시간 확대) and up to a gap; 0 when none is signed."""
    signs: list[int] = []
    between = 0
    for index, unit in enumerate(units[first:]):
        direction = _direction(unit)
        if direction is not None:
            if index and isinstance(unit, _Noun) and unit.word in ENFORCING:
                direction = 1
            signs += [direction] if direction else []
            between = 0
        elif isinstance(unit, _Verb) and unit.stem in NEGATIONS:
            signs.append(-1)
        elif isinstance(unit, _Noun) and between == 0:
            between += 1
        elif not (isinstance(unit, _Gap) and unit.linking):
            break
    product = 1
    for sign in signs:
        product *= sign
    return product if signs else 0


def _head(units: Sequence[_Unit], first: int, skip: str | None = None) -> str | None:
    """The noun nearest before the predicate that names a thing (not a place, a time or a
    generic word), looking back through linking particles, and past other particles only
    while nothing has been found (「주차장을 주민에게 개방」)."""
    for unit in _backwards(units, first):
        if unit.place or unit.word in GENERIC_NOUNS or unit.word == skip:
            continue
        if _is_content(unit.word):
            return unit.word
    return None


def _backwards(units: Sequence[_Unit], first: int) -> Iterator[_Noun]:
    for unit in reversed(units[:first]):
        if isinstance(unit, _Noun):
            yield unit
        elif isinstance(unit, _Verb):
            return
