"""The kiwipiepy analyser and the domain's reading of it: spacing, synonyms, 동 forms, stems."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.asks import Direction
from bot.domain.reading import Morpheme, ask_of, indexed_terms, text_terms
from bot.domain.similarity import MAX_TERM_LENGTH
from bot.morphology import analyse, analysed


def topic(text: str) -> set[str]:
    return {term for term in text_terms(analyse(text)) if not term.startswith("@")}


def test_verbs_come_as_stems_and_irregular_tags_are_folded() -> None:
    morphemes = analyse("공원이 너무 어두워 조명을 달아 주세요")
    assert Morpheme("어둡", "VA") in morphemes
    assert Morpheme("달", "VV") in morphemes


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("주차요금 인하", "주차 요금 인하"),
        ("버스정류장 그늘막", "버스 정류장 그늘막"),
        ("방범카메라", "방범 카메라"),
        ("공원에 가로등을", "공원 가로등"),
    ],
)
def test_spacing_and_particles_do_not_change_the_topic(first: str, second: str) -> None:
    assert topic(first) == topic(second)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("방범카메라", "cctv"), ("감시 카메라", "cctv"), ("에어컨", "냉방기"),
        ("방지턱", "과속방지턱"),
    ],
)
def test_synonyms_read_as_one_word(variant: str, canonical: str) -> None:
    assert canonical in topic(variant)


@pytest.mark.parametrize("form", ["역삼1동", "역삼동", "역삼2동에서"])
def test_dong_forms_are_one_place(form: str) -> None:
    assert "@역삼동" in text_terms(analyse(f"{form} 골목"))


@pytest.mark.parametrize(
    ("title", "direction"),
    [
        ("가로등 설치해 주세요", Direction.MORE),
        ("가로등을 달아 주세요", Direction.MORE),
        ("가로등 없애 주세요", Direction.LESS),
        ("주차 요금을 내려 주세요", Direction.LESS),
        ("공원 전면 금연", Direction.LESS),
        ("흡연부스를 만들어 주세요", Direction.MORE),
        ("보도블록 바꿔주세요", Direction.MAINTAIN),
    ],
)
def test_the_predicate_of_a_real_title(title: str, direction: Direction) -> None:
    ask = ask_of(analyse(title))
    assert ask is not None and ask.direction is direction


def test_analysed_runs_off_the_event_loop_and_keeps_the_order() -> None:
    title, problem = asyncio.run(analysed("공원 가로등 설치", "밤에 어두워요"))
    assert indexed_terms(title, problem) == indexed_terms(analyse("공원 가로등 설치"),
                                                          analyse("밤에 어두워요"))


def test_text_without_content_has_no_terms() -> None:
    for text in ("", "   ", "😀🎉", "ㅋㅋㅋ", "!!!"):
        assert indexed_terms(analyse(text)) == {}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_any_text_indexes_deterministically_within_the_column(title: str, problem: str) -> None:
    terms = indexed_terms(analyse(title), analyse(problem))
    assert terms == indexed_terms(analyse(title), analyse(problem))
    assert all(0 < len(term) <= MAX_TERM_LENGTH and weight >= 1 for term, weight in terms.items())
