"""Index terms of Korean text, and how well a proposal matches a query.

Proposals are indexed from a morphological analysis (bot/domain/reading.py, fed by
kiwipiepy outside the domain), which tells stems, predicates and compounds apart; what they
ask is compared by bot/domain/asks.py. This module keeps what both ways of reading share:
the civic concept lexicon, the stop words, and the score. It also keeps a reading by plain
rules, ``terms_of``, for places that need keywords without the analyser (the debate's
keyword summary); it is pure, deterministic and instantaneous:

1. Split NFKC, case-folded text into runs of Hangul syllables, of Latin letters and of
   other letters; digits, jamo (ㅋㅋ), emoji and punctuation separate runs and are dropped.
2. Strip one particle or verbal ending from a Hangul run (가로등을 → 가로등, 필요해요 → 필요,
   아이들이 → 아이), never from a lexicon word (도로, 어린이). Stop words and one-syllable
   stems go, except a few meaningful ones (밤, 길, 숲 …).
3. A stem of three or more syllables also yields its character bigrams, so compounds and
   imperfect stripping still meet (불법주차 ~ 주차, 어두운 ~ 어두워 through 어두).
4. Lexicon words and predicate prefixes add a shared concept term (``#조명`` for 가로등,
   조명, 어두워, 밝게 …), which is what lets 「공원 가로등 설치」 meet 「공원이 밤에 너무
   어두워 조명이 필요해요」.

Weights are integer term frequencies, a title occurrence counting ``TITLE_WEIGHT`` times.
``score`` is the lnc.ltc cosine of the SMART notation over the topic terms: log-scaled term
frequency on both sides, inverse document frequency on the query side only. It needs no
statistics about the document's other terms, only the document frequencies of the query's
terms, and it lies in [0, 1]. It is then multiplied by ``asks.agreement`` (0 when the two
ask opposite or different things, or name different 동), so a fixed threshold can tell "asks
the same" from "shares a word".
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bot.domain.asks import agreement, is_marker

MAX_TERM_LENGTH = 64  # proposal_terms.term is VARCHAR(64)
TITLE_WEIGHT = 2
CONCEPT_PREFIX = "#"


@dataclass(frozen=True)
class Concept:
    """A civic topic: nouns that name it (matched as a whole stem, its head or its tail) and
    predicate prefixes that describe it (matched at the start of a word: 어두워 → 어두)."""

    name: str
    words: tuple[str, ...]
    prefixes: tuple[str, ...] = ()

    @property
    def term(self) -> str:
        return CONCEPT_PREFIX + self.name


def _c(name: str, words: str, prefixes: str = "") -> Concept:
    return Concept(name, tuple(words.split()), tuple(prefixes.split()))


# The civic concept lexicon. A word may belong to two concepts (어린이보호구역 is both about
# children and about traffic safety); Latin words are matched case-folded and whole.
CONCEPTS: tuple[Concept, ...] = (
    _c(
        "조명",
        "가로등 보안등 조명 전등 전구 불빛 조도 야간조명 경관조명 투광등 램프 led",
        "어두 어둡 어둑 깜깜 캄캄 컴컴 밝 환하 환해 환히",
    ),
    _c("주차", "주차 주차장 불법주차 견인 공영주차장 거주자우선주차 주정차 불법주정차 주차난"),
    _c(
        "쓰레기",
        "쓰레기 쓰레기통 분리수거 무단투기 투기 재활용 종량제 폐기물 음식물쓰레기 대형폐기물 "
        "수거함 클린하우스",
    ),
    _c("보행", "횡단보도 신호등 보행 보행자 보도 인도 건널목 보행로 보도블록 보행신호"),
    _c(
        "교통안전",
        "과속 과속방지턱 방지턱 단속카메라 과속카메라 속도 스쿨존 어린이보호구역 교통사고 "
        "사고 교통안전 교차로 회전교차로 역주행",
    ),
    _c("소음", "소음 층간소음 공사소음 소란 확성기 고성방가", "시끄럽 시끄러 떠들 쿵쾅"),
    _c("어린이", "놀이터 어린이 아이 유아 키즈 어린이집 유치원 초등학생 아동 돌봄 보육"),
    _c("버스", "버스 정류장 정류소 노선 배차 배차간격 마을버스 환승 버스정류장 시내버스"),
    _c("지하철", "지하철 전철 역사 지하철역 출구 경전철 환승역"),
    _c("자전거", "자전거 따릉이 자전거도로 자전거길 자전거보관소 거치대"),
    _c("킥보드", "킥보드 전동킥보드 퀵보드 개인형이동장치 공유킥보드"),
    _c(
        "공원",
        "공원 녹지 산책로 둘레길 근린공원 어린이공원 소공원 수목원 광장 숲길 산책",
    ),
    _c("녹지", "나무 가로수 화단 꽃 꽃길 정원 잔디 조경 녹화 숲 텃밭"),
    _c(
        "방범",
        "cctv 방범 방범용 비상벨 치안 범죄 순찰 안심 귀갓길 귀가 여성안심",
        "무섭 무서 두렵",
    ),
    _c("어르신", "경로당 어르신 노인 노인정 실버 고령 고령자 시니어 노약자 치매"),
    _c(
        "도로",
        "도로 포장 포트홀 파손 균열 싱크홀 차도 골목길 이면도로 노면",
        "울퉁불퉁 패인 파인",
    ),
    _c(
        "침수",
        "침수 배수 하수구 빗물받이 배수구 물웅덩이 장마 폭우 홍수 빗물 배수로",
        "잠기 잠겨",
    ),
    _c("하천", "하천 천변 개천 수변 하천변 실개천 생태하천 물길 징검다리"),
    _c("악취", "악취 냄새 하수구냄새 매캐", "냄새나 역겹 구리"),
    _c("흡연", "흡연 담배 금연 금연구역 꽁초 담배꽁초 간접흡연 흡연구역 흡연부스"),
    _c("반려동물", "반려견 반려동물 강아지 애견 배변 목줄 유기견 고양이 길고양이 펫 반려견놀이터"),
    _c("도서관", "도서관 작은도서관 독서 책 열람실 스터디카페 북카페 공부방"),
    _c("체육", "체육 운동 운동기구 체육관 수영장 운동장 축구장 농구장 테니스장 헬스장 배드민턴"),
    _c("그늘", "벤치 의자 쉼터 그늘막 그늘 정자 파고라 쿨링포그 폭염 무더위 더위", "더워 덥 더운"),
    _c("화장실", "화장실 공중화장실 개방화장실 간이화장실"),
    _c(
        "접근성",
        "장애인 휠체어 경사로 엘리베이터 승강기 무장애 점자블록 유모차 배리어프리 계단",
    ),
    _c("시장", "시장 전통시장 상가 상인 소상공인 상권 골목상권 상점가 가게"),
    _c("문화", "축제 공연 문화 행사 전시 버스킹 영화 음악회 문화센터"),
    _c("와이파이", "와이파이 wifi 공공와이파이 인터넷 키오스크 무선인터넷"),
    _c("제설", "제설 빙판 결빙 염화칼슘 열선 제설함 빙판길 눈길", "미끄럽 미끄러"),
    _c("미세먼지", "미세먼지 먼지 공기 대기오염 매연 공기질 황사"),
    _c("통학", "학교 초등학교 중학교 고등학교 통학로 등하교 등굣길 하굣길 학생 학부모"),
    _c("청년", "청년 일자리 취업 창업 구직 청년센터"),
)

# Particles (조사) and verbal endings, longest first within a run of stripping. A suffix of
# one syllable needs at least two syllables to remain; the few listed in
# ``_SHORT_STEM_PARTICLES`` may also leave one (밤에 → 밤), the others would eat nouns
# (마을 → 마, 도로 → 도, 휴가 → 휴).
_PARTICLES = (
    "에서부터 으로부터 에게서는 에서는 에서도 에서의 으로는 으로도 으로의 에게는 에게도 "
    "에게서 한테서 이라도 이라고 이라는 까지도 부터는 처럼 보다 부터 까지 에서 에게 한테 "
    "으로 이나 이랑 께서 마저 조차 라도 라는 라고 이다 이고 이며 에는 에도 와는 과는 "
    "로는 로도 만큼 마다 이랑 은 는 이 가 을 를 에 의 도 만 와 과 로 랑 나"
)
_ENDINGS = (
    "하겠습니다 해주십시오 해주시면 해줬으면 해주시기 해주세요 했습니다 겠습니다 었습니다 "
    "았습니다 였습니다 스럽습니다 합니다 됩니다 입니다 습니다 십니다 주세요 하세요 했어요 "
    "겠어요 었어요 았어요 거든요 는데요 해요 돼요 워요 어요 아요 여요 에요 예요 네요 "
    "군요 지요 세요 해서 하고 하게 하여 해야 하면 하는 하지 했던 했고 하기 하다 되어 "
    "되는 되고 되면 되지 되다 스러운 스럽고 스러워 지만 는데 어서 아서 니까 도록 려고 "
    "으면 으며 어도 아도 면서 한 할 해 된 될 요"
)
_SHORT_STEM_PARTICLES = frozenset("에 를 는 은".split())
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(set(_PARTICLES.split()) | set(_ENDINGS.split()), key=lambda s: (-len(s), s))
)
_PLURAL = "들"

# Stems that carry no topic: adverbs, fillers, request formulas, generic verbs.
STOP_WORDS: frozenset[str] = frozenset(
    (
        "너무 정말 매우 아주 진짜 좀 조금 많이 자주 항상 계속 그리고 하지만 그래서 또한 특히 "
        "및 등 것 수 더 잘 또 이 그 저 이런 그런 저런 여기 거기 저기 우리 저희 제가 저는 "
        "같아요 같습니다 같은 생각 있으면 좋겠습니다 좋겠어요 좋겠 좋겠다 바랍니다 원합니다 "
        "요청 건의 제안 필요 부탁 부탁드립니다 있습니다 있어요 있는 있고 있어 있 없어 없어요 "
        "없습니다 없는 없고 없 하는 하고 합니다 해요 해 한 할 때문 때문에 가장 다시 모든 "
        "어떤 지금 현재 요즘 최근 앞 옆 뒤 위 안 밖 중 날 듯 거 게 걸 때 곳 분 번 개 명 "
        "층 호 년 월 일 시 주 동안 경우 정도 부분 문제 해결 개선 관련 대한 대해 위해 통해 "
        "주민 주민들 많은 많아 많습니다 자꾸 매일 늘 하루 항상 여러 그냥 제발 꼭 빨리 주세요 "
        "해주세요 바람 희망 요구 합시다 하면 되면 된다 한다 했다 하다 되다 이다 입니다"
    ).split()
)
# One-syllable stems worth keeping (most one-syllable leftovers are noise).
ONE_SYLLABLE_STEMS: frozenset[str] = frozenset(
    "밤 길 물 빛 눈 비 숲 꽃 개 차 역 벽 턱 쥐 벌 불 책 산 강 뱀".split()
)


def _concept_index(attribute: str) -> Mapping[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for concept in CONCEPTS:
        for word in getattr(concept, attribute):
            index.setdefault(word, []).append(concept.term)
    return MappingProxyType({word: tuple(terms) for word, terms in index.items()})


_CONCEPT_WORDS = _concept_index("words")
_CONCEPT_PREFIXES = _concept_index("prefixes")
_LONGEST_PREFIX = max(len(prefix) for prefix in _CONCEPT_PREFIXES)
_HANGUL, _LATIN, _OTHER = "hangul", "latin", "other"


def terms_of(text: str) -> dict[str, int]:
    """Weighted index terms of ``text``: stems, bigrams of long stems, concept terms."""
    counts: Counter[str] = Counter()
    for kind, token in _tokens(text):
        counts.update(_token_terms(kind, token))
    return {term[:MAX_TERM_LENGTH]: count for term, count in sorted(counts.items())}


def _tokens(text: str) -> Iterable[tuple[str, str]]:
    """Maximal runs of one kind of letter, case-folded; everything else separates them."""
    run: list[str] = []
    run_kind: str | None = None
    for char in unicodedata.normalize("NFKC", text).casefold():
        kind = _kind_of(char)
        if kind != run_kind and run and run_kind is not None:
            yield run_kind, "".join(run)
            run = []
        run_kind = kind
        if kind is not None:
            run.append(char)
    if run and run_kind is not None:
        yield run_kind, "".join(run)


def _kind_of(char: str) -> str | None:
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3:
        return _HANGUL
    if char.isascii():
        return _LATIN if char.isalpha() else None
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return None  # loose jamo: ㅋㅋ, ㅠㅠ
    return _OTHER if unicodedata.category(char).startswith("L") else None


def _token_terms(kind: str, token: str) -> list[str]:
    if kind != _HANGUL:
        terms = [token] if len(token) >= 2 else []
        return terms + list(_CONCEPT_WORDS.get(token, ()))
    stem = stem_of(token)
    terms = predicate_concepts(token)
    if not _is_content_stem(stem):
        return terms
    terms += concepts_of(stem)
    terms.append(stem)
    if len(stem) >= 3:
        terms += [stem[i : i + 2] for i in range(len(stem) - 1)]
    return terms


def stem_of(token: str) -> str:
    """``token`` without one particle or verbal ending and without a plural 들."""
    stem = _strip_suffix(token)
    if len(stem) >= 3 and stem.endswith(_PLURAL) and stem not in _CONCEPT_WORDS:
        stem = stem[: -len(_PLURAL)]
    return stem


def _strip_suffix(token: str) -> str:
    if token in _CONCEPT_WORDS:
        return token
    for suffix in _SUFFIXES:
        if not token.endswith(suffix) or len(token) == len(suffix):
            continue
        stem = token[: -len(suffix)]
        if len(suffix) > 1 or len(stem) >= 2 or suffix in _SHORT_STEM_PARTICLES:
            return stem
    return token


def _is_content_stem(stem: str) -> bool:
    if stem in STOP_WORDS:
        return False
    return len(stem) >= 2 or stem in ONE_SYLLABLE_STEMS


def concepts_of(stem: str) -> list[str]:
    """Concepts of lexicon words that are the stem, its head or its tail (불법주차 → 주차)."""
    found: list[str] = []
    for size in range(len(stem), 0, -1):
        for part in {stem[:size], stem[-size:]}:
            found += [term for term in _CONCEPT_WORDS.get(part, ()) if term not in found]
    return found


def is_lexicon_word(word: str) -> bool:
    return word in _CONCEPT_WORDS


def lexicon_words() -> tuple[str, ...]:
    return tuple(_CONCEPT_WORDS)


def lexicon_concepts(word: str) -> tuple[str, ...]:
    """The concepts of a lexicon word itself, not of its parts."""
    return _CONCEPT_WORDS.get(word, ())


def predicate_concepts(token: str) -> list[str]:
    """Concepts whose predicate prefixes start ``token`` (어두워, 어둡 → ``#조명``)."""
    found: list[str] = []
    for size in range(1, min(len(token), _LONGEST_PREFIX) + 1):
        found += [t for t in _CONCEPT_PREFIXES.get(token[:size], ()) if t not in found]
    return found


def inverse_document_frequency(document_frequency: int, total_docs: int) -> float:
    """A smoothed idf that stays positive for any counts (even df > N from a stale N)."""
    return math.log1p(max(total_docs, 0) / (max(document_frequency, 0) + 1))


def score(
    query_terms: Mapping[str, int],
    doc_terms: Mapping[str, int],
    document_frequency: Mapping[str, int],
    total_docs: int,
) -> float:
    """lnc.ltc cosine in [0, 1]; a query term missing from ``document_frequency`` has df 0."""
    return score_many(query_terms, [doc_terms], document_frequency, total_docs)[0]


def score_many(
    query_terms: Mapping[str, int],
    docs: Sequence[Mapping[str, int]],
    document_frequency: Mapping[str, int],
    total_docs: int,
) -> list[float]:
    """``score`` of each document, weighing the query once."""
    query = {
        term: _log_tf(tf)
        * inverse_document_frequency(document_frequency.get(term, 0), total_docs)
        for term, tf in query_terms.items()
        if tf > 0 and not is_marker(term)
    }
    query_norm = math.sqrt(sum(weight * weight for weight in query.values()))
    return [_cosine(query, query_norm, doc) * agreement(query_terms, doc) for doc in docs]


def _cosine(query: Mapping[str, float], query_norm: float, doc: Mapping[str, int]) -> float:
    doc_norm = math.sqrt(
        sum(_log_tf(tf) ** 2 for term, tf in doc.items() if tf > 0 and not is_marker(term))
    )
    if query_norm == 0 or doc_norm == 0:
        return 0.0
    dot = sum(weight * _log_tf(doc.get(term, 0)) for term, weight in query.items())
    return min(dot / (query_norm * doc_norm), 1.0)


def _log_tf(tf: int) -> float:
    return 1.0 + math.log(tf) if tf > 0 else 0.0


def is_concept(term: str) -> bool:
    return term.startswith(CONCEPT_PREFIX)
