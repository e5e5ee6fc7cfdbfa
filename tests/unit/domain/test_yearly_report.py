"""The yearly report's pure rules: which year, whole percents with their denominators, and
rows added up per department and per 동, the busiest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.deadlines import SEOUL
from bot.domain.yearly_report import (
    Cell,
    Figures,
    Rate,
    Row,
    build_report,
    report_year,
    year_bounds,
)

NOW = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "year"), [
    ("2026", 2026), (" 2000 ", 2000), ("2100", 2100), ("1999", None), ("2101", None),
    ("abc", None), ("", None), ("2026.0", None), ("-2026", None), ("２０２６", None),
    ("99999999999999999999", None),
])
def test_a_report_year_is_a_number_from_2000_to_2100(text: str, year: int | None) -> None:
    assert report_year(text) == year


def test_a_year_runs_from_new_year_to_new_year_in_korea() -> None:
    start, end = year_bounds(2026, SEOUL)
    assert start == datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("part", "whole", "percent"), [
    (2, 3, 67), (1, 3, 33), (1, 2, 50), (1, 8, 13), (0, 5, 0), (5, 5, 100), (0, 0, None),
    (1, 200, 1), (1, 201, 0),
])
def test_a_rate_is_a_whole_percent_rounded_half_up(
    part: int, whole: int, percent: int | None
) -> None:
    assert Rate(part, whole).percent == percent


def test_rates_keep_what_they_are_of() -> None:
    figures = Figures(received=9, answered=5, answered_on_time=3, answered_late=1, accepted=4,
                      implemented=1, overdue_answers=2, late_steps=3)
    assert figures.on_time == Rate(3, 4)  # the answer without a deadline is left out
    assert figures.acceptance == Rate(4, 5)
    assert figures.implementation == Rate(1, 4)
    assert figures.overdue == 5


def test_figures_add_up_field_by_field() -> None:
    a = Figures(received=2, online=1, offline=1, budget_promised_krw=100)
    b = Figures(received=3, online=3, district=1, budget_promised_krw=50, budget_spent_krw=50)
    assert a + b == Figures(received=5, online=4, offline=1, district=1,
                            budget_promised_krw=150, budget_spent_krw=50)


def test_rows_add_up_per_department_and_per_동_busiest_first() -> None:
    cells = [
        Cell("도로과", "구로1동", Figures(received=1, accepted=1)),
        Cell("도로과", "신도림동", Figures(received=2)),
        Cell("공원녹지과", "구로1동", Figures(received=3)),
        Cell(None, None, Figures(received=3, offline=3)),
        Cell("가로정비과", None, Figures(received=1)),
    ]
    report = build_report(2026, NOW, cells)
    assert report.overall == Figures(received=10, offline=3, accepted=1)
    assert report.departments == (
        Row("공원녹지과", Figures(received=3)),
        Row("도로과", Figures(received=3, accepted=1)),
        Row(None, Figures(received=3, offline=3)),  # none assigned: last among equals
        Row("가로정비과", Figures(received=1)),
    )
    assert [(row.name, row.figures.received) for row in report.areas] == [
        ("구로1동", 4), (None, 4), ("신도림동", 2)]
    assert not report.empty


def test_a_year_without_cells_is_empty() -> None:
    report = build_report(2030, NOW, [])
    assert report.empty and report.overall == Figures()
    assert report.overall.on_time.percent is None
