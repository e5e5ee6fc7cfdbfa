"""What a proposal asks: directions, their composition, heads, 동 names, and agreement.

Pure: the analysis is written out by hand as the analyser would give it (bot/morphology.py
is tested in tests/unit/test_morphology.py).
"""

from __future__ import annotations

import pytest

from bot.domain.asks import (
    OPPOSITE,
    OTHER_ASK,
    OTHER_OBJECT,
    OTHER_PLACE,
    Ask,
    Direction,
    agreement,
    ask_of_terms,
    is_marker,
)
from bot.domain.reading import (
    Morpheme,
    ask_of,
    direction_of,
    indexed_terms,
    prepare,
    text_terms,
)


def nouns(text: str) -> list[Morpheme]:
    """Space-separated nouns; ``word/TAG`` for another tag (달/VV, 를/JKO)."""
    morphemes = []
    for part in text.split():
        form, _, tag = part.partition("/")
        morphemes.append(Morpheme(form, tag or "NNG"))
    return morphemes


@pytest.mark.parametrize(
    ("word", "direction"),
    [
        ("설치", 1), ("신설", 1), ("확대", 1), ("인상", 1), ("개방", 1), ("허용", 1),
        ("늘리", 1), ("달", 1), ("만들", 1),
        ("철거", -1), ("폐지", -1), ("축소", -1), ("인하", -1), ("폐쇄", -1), ("금지", -1),
        ("금연", -1), ("단속", -1), ("없애", -1), ("줄이", -1), ("내리", -1),
        ("보수", 0), ("교체", 0), ("정비", 0), ("고치", 0), ("바꾸", 0),
        ("공원", None), ("가로등", None),
    ],
)
def test_predicates_have_a_direction(word: str, direction: int | None) -> None:
    assert direction_of(word) == direction


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("골목 cctv/SL 설치", Direction.MORE),
        ("골목 cctv/SL 철거", Direction.LESS),
        ("불법 주차 단속 강화", Direction.LESS),  # more enforcement is less parking
        ("상가 간판 규제 완화", Direction.MORE),
        ("금연 구역 지정", Direction.LESS),
        ("금연 구역 해제", Direction.MORE),
        ("버스 노선 폐지 반대", Direction.MORE),
        ("공원 금연 단속", Direction.LESS),  # 단속 after 금연 enforces it
        ("놀이터 개방 시간 확대", Direction.MORE),
        ("놀이터 개방 시간 단축", Direction.LESS),
        ("조명 필요 없/VA", Direction.LESS),
        ("마을 버스 배차 간격 단축", Direction.MORE),  # a shorter wait is more buses
        ("놀이터 바닥 보수", Direction.MAINTAIN),
    ],
)
def test_directions_compose(text: str, direction: Direction) -> None:
    ask = ask_of(nouns(text))
    assert ask is not None and ask.direction is direction


def test_a_text_without_a_predicate_asks_nothing() -> None:
    assert ask_of(nouns("공원 밤/NNG 에/JKB 어둡/VA")) is None


def test_the_head_is_the_thing_before_the_predicate_not_the_place_or_a_time() -> None:
    ask = ask_of(nouns("역삼동/NNP 공원 야간 가로등 설치"))
    assert ask is not None and ask.heads == {"가로등", "#조명"}


def test_the_head_is_found_through_particles() -> None:
    morphemes = nouns("주차장 을/JKO 주민 에게/JKB 개방")
    assert ask_of(morphemes) == Ask(Direction.MORE, frozenset({"주차장", "#주차"}))


def test_금연_names_its_own_object() -> None:
    ask = ask_of(nouns("공원 전면 금연"))
    assert ask is not None and "#흡연" in ask.heads


def test_synonyms_and_split_compounds_read_as_one_word() -> None:
    assert "cctv" in text_terms(nouns("방범 카메라"))
    assert "cctv" in text_terms(nouns("방범용 카메라"))
    assert "냉방기" in text_terms(nouns("에어컨"))
    assert {"주차", "요금"} <= text_terms(nouns("주차비")).keys()
    assert "보안등" in text_terms(nouns("보안 등/NNB"))


@pytest.mark.parametrize(
    ("text", "prepared"),
    [
        ("역삼1동 골목", "역삼동 골목"),
        ("대치2동에", "대치동에"),
        ("성수1가1동 카페거리", "성수동 카페거리"),
        ("ＣＣＴＶ 설치", "CCTV 설치"),
        ("1동 2동", "1동 2동"),
    ],
)
def test_prepare_folds_numbered_dong_names_and_width(text: str, prepared: str) -> None:
    assert prepare(text) == prepared


def test_dong_names_are_terms_and_place_markers() -> None:
    terms = text_terms(nouns("역삼동/NNP 골목 행동/NNG"))
    assert {"역삼동", "@역삼동", "골목"} <= terms.keys()
    assert "@행동" not in terms


def test_the_title_weighs_more_and_carries_the_ask() -> None:
    terms = indexed_terms(nouns("공원 가로등 설치"), nouns("가로등 고장/NNG 철거"))
    assert terms["가로등"] == 3
    assert ask_of_terms(terms) == Ask(Direction.MORE, frozenset({"가로등", "#조명"}))


def test_the_problem_gives_the_ask_when_the_title_has_none() -> None:
    terms = indexed_terms(nouns("공원 가로등"), nouns("가로등 을/JKO 철거"))
    ask = ask_of_terms(terms)
    assert ask is not None and ask.direction is Direction.LESS


def test_markers_round_trip_and_are_known_as_markers() -> None:
    ask = Ask(Direction.LESS, frozenset({"cctv", "#방범"}))
    assert ask_of_terms(ask.markers()) == ask
    assert all(is_marker(marker) for marker in ask.markers())
    assert not is_marker("cctv") and not is_marker("#방범")


def _terms(text: str) -> dict[str, int]:
    return indexed_terms(nouns(text))


def test_agreement() -> None:
    install = _terms("골목 cctv/SL 설치")
    assert agreement(install, _terms("골목 방범 카메라 달/VV")) == 1.0
    assert agreement(install, _terms("골목 cctv/SL 철거")) == OPPOSITE == 0
    assert agreement(install, _terms("골목 가로등 설치")) == OTHER_OBJECT == 0
    assert agreement(install, _terms("골목 cctv/SL 수리")) == OTHER_ASK
    assert agreement(install, _terms("골목 밤/NNG 에/JKB 무섭/VA")) == 1.0


def test_another_dong_is_another_proposal_and_no_dong_agrees_with_any() -> None:
    yeoksam = _terms("역삼동/NNP 골목 cctv/SL 설치")
    assert agreement(yeoksam, _terms("대치동/NNP 골목 cctv/SL 설치")) == OTHER_PLACE == 0
    assert agreement(yeoksam, _terms("역삼동/NNP 골목길 cctv/SL 설치")) == 1.0
    assert agreement(yeoksam, _terms("골목 cctv/SL 설치")) == 1.0
