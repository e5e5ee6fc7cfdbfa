"""The lottery's two tables as the district office keeps them (CSV), and their errors."""

from __future__ import annotations

import pytest

from bot.domain.lottery import Applicant, Comparison, LotteryError, QuotaRule
from bot.domain.lottery_tables import parse_pool, parse_rules


def test_the_pool_reads_numbers_and_features_from_an_excel_export() -> None:
    text = "\ufeffnumber,age,sex\r\n001, 40대 ,여\r\n\r\n002,60대 이상,남\r\n"
    assert parse_pool(text) == (Applicant("001", {"age": "40대", "sex": "여"}),
                                Applicant("002", {"age": "60대 이상", "sex": "남"}))


@pytest.mark.parametrize(("text", "message"), [
    ("", "첫 줄은 number"),
    ("id,age\n1,40대\n", "첫 줄은 number"),
    ("number\n1\n", "첫 줄은 number"),
    ("number,age\n1,40대\n1,50대\n", "3번째 줄: 신청 번호 1이 두 번 있어요"),
    ("number,age\n1,\n", "2번째 줄: 칸이 비었거나"),
    ("number,age,sex\n1,40대\n", "2번째 줄: 칸이 비었거나"),
])
def test_a_pool_table_that_cannot_be_read_says_where(text: str, message: str) -> None:
    with pytest.raises(LotteryError, match=message):
        parse_pool(text)


def test_the_rules_read_korean_and_english_comparisons() -> None:
    text = ("feature,categories,comparison,count,percent\n"
            "age,20대 이하| 30대 |40대,이상,,15\nsex,여,under,,60\ntong,3,이하,5,\n")
    assert parse_rules(text) == (
        QuotaRule("age", ("20대 이하", "30대", "40대"), Comparison.AT_LEAST, percent=15),
        QuotaRule("sex", ("여",), Comparison.UNDER, percent=60),
        QuotaRule("tong", ("3",), Comparison.AT_MOST, count=5),
    )


@pytest.mark.parametrize(("row", "message"), [
    ("sex,여,초과,,60", "비교는 이상, 이하, 미만"),
    ("sex,여,미만,,육십", "육십은 0 이상의 정수가 아니에요"),
    ("sex,여,미만,3,60", "인원이나 비율 중 하나만"),
    ("sex,,미만,,60", "항목과 범주"),
    ("sex,여,미만", "칸 수가 맞지 않아요"),
])
def test_a_rule_that_cannot_be_read_says_its_line(row: str, message: str) -> None:
    with pytest.raises(LotteryError, match=f"2번째 줄: .*{message}"):
        parse_rules(f"feature,categories,comparison,count,percent\n{row}\n")
