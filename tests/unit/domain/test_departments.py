"""Finding a department by number or by the name as staff type it."""

from __future__ import annotations

import pytest

from bot.domain.departments import Named, default_first, department_key, match_departments

DEPARTMENTS = [Named(1, "도로과"), Named(2, "안전총괄과"), Named(3, "교통행정과"),
               Named(4, "교통정책팀"), Named(5, "공원녹지과"), Named(6, "일자리센터")]


def names(found: list[Named]) -> list[str]:
    return [d.name for d in found]


@pytest.mark.parametrize("typed", ["도로과", "도로", "도로 과", " 도 로 과 ", "도로팀", "도로과"])
def test_spacing_width_and_the_unit_suffix_do_not_matter(typed: str) -> None:
    assert names(match_departments(typed, DEPARTMENTS)) == ["도로과"]


def test_a_number_is_the_department_number() -> None:
    assert names(match_departments("5", DEPARTMENTS)) == ["공원녹지과"]
    assert match_departments("99", DEPARTMENTS) == []


def test_a_part_of_a_name_lists_every_department_that_holds_it() -> None:
    assert names(match_departments("교통", DEPARTMENTS)) == ["교통행정과", "교통정책팀"]
    assert names(match_departments("안전 총괄", DEPARTMENTS)) == ["안전총괄과"]
    assert names(match_departments("일자리", DEPARTMENTS)) == ["일자리센터"]


def test_an_exact_name_wins_over_names_that_contain_it() -> None:
    departments = [*DEPARTMENTS, Named(7, "교통과")]
    assert names(match_departments("교통과", departments)) == ["교통과"]


def test_nothing_typed_or_nothing_like_it_finds_nothing() -> None:
    assert match_departments("", DEPARTMENTS) == []
    assert match_departments("   ", DEPARTMENTS) == []
    assert match_departments("세무과", DEPARTMENTS) == []


def test_a_short_name_keeps_its_suffix() -> None:
    assert department_key("국") == "국"
    assert department_key("총무과") == "총무"
    assert department_key("A과") == "a과"


def test_the_default_department_comes_first() -> None:
    assert names(default_first(DEPARTMENTS[:3], 2)) == ["안전총괄과", "도로과", "교통행정과"]
    assert names(default_first(DEPARTMENTS[:3], None)) == ["도로과", "안전총괄과", "교통행정과"]
