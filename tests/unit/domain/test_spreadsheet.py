"""CSV for spreadsheets: Korean survives Excel, and no resident's text runs as a formula."""

from __future__ import annotations

import csv
import io

from bot.domain.spreadsheet import excel_csv, safe_cell


def read_back(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    return list(csv.reader(io.StringIO(text[1:])))


def test_formula_like_text_is_defused_and_everything_else_kept() -> None:
    rows = read_back(excel_csv(
        ["제목", "공감"],
        [["=HYPERLINK(\"http://evil\",\"클릭\")", 3], ["+82 안내", -1], ["@mention", None],
         ["가로등 설치 - 신도림동", 0], ["-10% 절감", 7]]))
    assert rows == [
        ["제목", "공감"],
        ["'=HYPERLINK(\"http://evil\",\"클릭\")", "3"],
        ["'+82 안내", "-1"],
        ["'@mention", ""],
        ["가로등 설치 - 신도림동", "0"],
        ["'-10% 절감", "7"],
    ]


def test_tabs_and_carriage_returns_at_the_start_are_defused_too() -> None:
    assert safe_cell("\t=1+1") == "'\t=1+1"
    assert safe_cell("\r=1") == "'\r=1"
    assert safe_cell(12) == 12 and safe_cell(None) == ""
