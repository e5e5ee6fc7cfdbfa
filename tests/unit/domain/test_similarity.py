"""Index terms of Korean text and the similarity score (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.similarity import (
    CONCEPTS,
    MAX_TERM_LENGTH,
    TITLE_WEIGHT,
    inverse_document_frequency,
    score,
    stem_of,
    terms_of,
)

PARAPHRASE = "공원이 밤에 너무 어두워 조명이 필요해요"
CORPUS = {
    "lights": ("공원 가로등 설치", "밤에 공원이 너무 어두워요."),
    "parking": ("불법주차 단속 강화", "골목길에 불법주차 차량이 많아 소방차가 못 들어가요."),
    "bins": ("공원 쓰레기통 추가 설치", "주말마다 공원에 쓰레기가 넘쳐요."),
    "crossing": ("초등학교 앞 횡단보도 신호 연장", "아이들이 건너기에 보행신호가 너무 짧아요."),
    "bus": ("버스 배차 간격 단축", "마을버스가 30분에 한 대라 출근길이 힘들어요."),
    "seniors": ("경로당 냉방기 교체", "어르신들이 여름에 더위로 고생하세요."),
}


def _frequencies(docs: dict[str, dict[str, int]]) -> dict[str, int]:
    frequencies: dict[str, int] = {}
    for terms in docs.values():
        for term in terms:
            frequencies[term] = frequencies.get(term, 0) + 1
    return frequencies


def proposal_terms(title: str, problem: str) -> dict[str, int]:
    """How the rules of ``terms_of`` would index a proposal: the title counts more."""
    weighted = {term: TITLE_WEIGHT * count for term, count in terms_of(title).items()}
    for term, count in terms_of(problem).items():
        weighted[term] = weighted.get(term, 0) + count
    return weighted


def _rank(query: str, corpus: dict[str, tuple[str, str]]) -> list[tuple[str, float]]:
    docs = {key: proposal_terms(title, problem) for key, (title, problem) in corpus.items()}
    frequencies = _frequencies(docs)
    query_terms = terms_of(query)
    scores = {
        key: score(query_terms, terms, frequencies, len(docs)) for key, terms in docs.items()
    }
    return sorted(scores.items(), key=lambda item: -item[1])


# --- terms ----------------------------------------------------------------------------------


def test_the_paraphrase_pair_shares_place_and_lighting() -> None:
    title, paraphrase = terms_of("공원 가로등 설치"), terms_of(PARAPHRASE)
    assert {"공원", "#공원", "#조명"} <= title.keys() & paraphrase.keys()


def test_the_paraphrase_ranks_its_proposal_first_and_unrelated_ones_at_zero() -> None:
    ranking = _rank(PARAPHRASE, CORPUS)
    assert ranking[0][0] == "lights"
    assert ranking[0][1] > 2 * ranking[1][1]
    scores = dict(ranking)
    assert scores["parking"] == scores["bus"] == scores["seniors"] == 0


def test_titles_alone_still_match_the_paraphrase() -> None:
    titles_only = {key: (title, "") for key, (title, _) in CORPUS.items()}
    assert _rank(PARAPHRASE, titles_only)[0][0] == "lights"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("주차 문제가 심각해요", "parking"),
        ("아이들 등굣길 신호등이 위험해요", "crossing"),
        ("노인분들 쉼터가 너무 더워요", "seniors"),
        ("분리수거가 안 되고 무단투기가 많아요", "bins"),
        ("정류장에 버스가 너무 늦게 와요", "bus"),
    ],
)
def test_other_paraphrases_find_their_topic(query: str, expected: str) -> None:
    assert _rank(query, CORPUS)[0][0] == expected


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("가로등을", "가로등"),
        ("가로등이", "가로등"),
        ("가로등에서", "가로등"),
        ("가로등으로는", "가로등"),
        ("공원의", "공원"),
        ("공원과", "공원"),
        ("공원도", "공원"),
        ("공원만", "공원"),
        ("주차장에서는", "주차장"),
        ("밤에", "밤"),
        ("필요해요", "필요"),
        ("위험합니다", "위험"),
        ("설치해주세요", "설치"),
        ("아이들이", "아이"),
        ("어린이가", "어린이"),
    ],
)
def test_particles_and_endings_are_stripped(word: str, stem: str) -> None:
    assert stem_of(word) == stem


@pytest.mark.parametrize("word", ["도로", "어린이", "마을", "가을", "휴가", "놀이", "공원"])
def test_nouns_that_end_like_particles_are_kept(word: str) -> None:
    assert stem_of(word) == word


def test_a_particle_does_not_change_the_terms() -> None:
    assert terms_of("가로등을") == terms_of("가로등") == terms_of("가로등이")


def test_long_stems_yield_bigrams_and_compounds_their_concept() -> None:
    terms = terms_of("불법주차")
    assert {"불법주차", "불법", "법주", "주차", "#주차"} <= terms.keys()


def test_predicates_map_to_concepts() -> None:
    for text in ("어두워요", "너무 어둡다", "밝게 해 주세요", "깜깜해요"):
        assert "#조명" in terms_of(text), text
    assert "#소음" in terms_of("밤마다 시끄러워요")


def test_latin_words_are_case_folded_and_digits_dropped() -> None:
    terms = terms_of("CCTV가 3대 필요해요")
    assert "cctv" in terms and "#방범" in terms
    assert not any(char.isdigit() for term in terms for char in term)


def test_fullwidth_and_case_do_not_matter() -> None:
    assert terms_of("ＣＣＴＶ 설치") == terms_of("cctv 설치") == terms_of("Cctv 설치")


@pytest.mark.parametrize(
    "text", ["", "   ", "😀🎉👍", "ㅋㅋㅋㅋ ㅠㅠ", "!!! ... ???", "12345", "너무 정말 좀"]
)
def test_text_without_content_has_no_terms(text: str) -> None:
    assert terms_of(text) == {}


def test_weights_count_occurrences() -> None:
    assert terms_of("공원 공원 공원")["공원"] == 3


def test_the_lexicon_has_unique_names_and_no_empty_words() -> None:
    names = [concept.name for concept in CONCEPTS]
    assert len(names) == len(set(names)) >= 30
    assert all(word and word == word.casefold() for c in CONCEPTS for word in c.words)


@given(st.text(max_size=300))
def test_terms_of_never_raises_and_is_deterministic(text: str) -> None:
    terms = terms_of(text)
    assert terms == terms_of(text)
    assert all(0 < len(term) <= MAX_TERM_LENGTH and weight >= 1 for term, weight in terms.items())


@given(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=200))
def test_terms_of_handles_any_hangul(text: str) -> None:
    assert terms_of(text) == terms_of(text)


def test_very_long_words_are_cut_to_the_column_size() -> None:
    terms = terms_of("가" * 200 + " " + "a" * 200)
    assert max(len(term) for term in terms) == MAX_TERM_LENGTH


# --- score ----------------------------------------------------------------------------------


def test_score_is_one_for_the_same_text_and_zero_without_overlap() -> None:
    terms = terms_of(PARAPHRASE)
    assert score(terms, terms, {}, 10) == pytest.approx(1.0)
    assert score(terms, terms_of("버스 노선"), {}, 10) == 0.0
    assert score({}, terms, {}, 10) == 0.0
    assert score(terms, {}, {}, 10) == 0.0


def test_rare_terms_weigh_more_than_common_ones() -> None:
    query = {"가로등": 1, "설치": 1}
    frequencies = {"가로등": 2, "설치": 900}
    rare = score(query, {"가로등": 1}, frequencies, 1000)
    common = score(query, {"설치": 1}, frequencies, 1000)
    assert rare > common > 0


def test_idf_stays_positive_for_any_counts() -> None:
    for frequency, total in ((0, 0), (5, 1), (1000, 1000), (0, 10**6)):
        assert inverse_document_frequency(frequency, total) >= 0


@given(
    st.dictionaries(st.sampled_from("가나다라마바사"), st.integers(1, 5), max_size=7),
    st.dictionaries(st.sampled_from("가나다라마바사"), st.integers(1, 5), max_size=7),
    st.integers(0, 100),
)
def test_score_stays_between_zero_and_one(
    query: dict[str, int], doc: dict[str, int], total: int
) -> None:
    assert 0.0 <= score(query, doc, {term: 1 for term in query}, total) <= 1.0
