"""The lottery's inputs as the district office keeps them: two CSV tables, read with errors
that name the line.

The pool (completers of the 주민자치학교), one row each: the applicant number first, then one
column per feature the rules need; nothing else (no name, no contact)::

    number,age,sex
    001,40대,여

The rules, one row each; ``categories`` are joined by ``|``, the comparison is 이상 (at
least), 이하 (at most) or 미만 (under), the bound a count of seats or a percent of them::

    feature,categories,comparison,count,percent
    age,20대 이하|30대|40대,이상,,15
    sex,여,미만,,60
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.domain.korean import with_josa
from bot.domain.lottery import Applicant, Comparison, LotteryError, QuotaRule

COMPARISONS = {"이상": Comparison.AT_LEAST, "이하": Comparison.AT_MOST, "미만": Comparison.UNDER,
               **{c.value: c for c in Comparison}}
RULE_COLUMNS = ("feature", "categories", "comparison", "count", "percent")
NUMBER_COLUMN = "number"
MAX_APPLICANTS = 100_000


def parse_pool(text: str) -> tuple[Applicant, ...]:
    """The completers; a number twice, a blank number or feature, or no feature column at all
    is refused with its line."""
    rows = _rows(text)
    header = next(rows, None)
    if header is None or not header[1] or header[1][0] != NUMBER_COLUMN or len(header[1]) < 2:
        raise LotteryError("신청자 표의 첫 줄은 number와 항목 이름들이어야 해요.")
    names = header[1][1:]
    pool: list[Applicant] = []
    seen: set[str] = set()
    for line, cells in rows:
        if len(cells) != len(names) + 1 or not all(cells):
            raise LotteryError(f"신청자 표 {line}번째 줄: 칸이 비었거나 수가 맞지 않아요.")
        if cells[0] in seen:
            number = with_josa(cells[0], "이/가")
            raise LotteryError(f"신청자 표 {line}번째 줄: 신청 번호 {number} 두 번 있어요.")
        seen.add(cells[0])
        pool.append(Applicant(cells[0], dict(zip(names, cells[1:], strict=True))))
        if len(pool) > MAX_APPLICANTS:
            raise LotteryError(f"신청자는 {MAX_APPLICANTS:,}명까지 받을 수 있어요.")
    return tuple(pool)


def parse_rules(text: str) -> tuple[QuotaRule, ...]:
    """The composition rules; an unknown comparison or a bound that is not a whole number
    is refused with its line."""
    rows = _rows(text)
    header = next(rows, None)
    if header is None or tuple(header[1]) != RULE_COLUMNS:
        raise LotteryError(f"규칙 표의 첫 줄은 {','.join(RULE_COLUMNS)}여야 해요.")
    return tuple(_rule(line, cells) for line, cells in rows)


def rule_row(rule: QuotaRule) -> tuple[str, str, str, str, str]:
    """A rule as a row of the rules table (what `parse_rules` reads back)."""
    word = next(w for w, c in COMPARISONS.items() if c is rule.comparison)  # the Korean one
    return (rule.feature, "|".join(rule.categories), word,
            "" if rule.count is None else str(rule.count),
            "" if rule.percent is None else str(rule.percent))


def _rule(line: int, cells: list[str]) -> QuotaRule:
    if len(cells) != len(RULE_COLUMNS):
        raise LotteryError(f"규칙 표 {line}번째 줄: 칸 수가 맞지 않아요.")
    feature, categories, comparison, count, percent = cells
    if comparison not in COMPARISONS:
        raise LotteryError(f"규칙 표 {line}번째 줄: 비교는 이상, 이하, 미만 중 하나여야 해요.")
    try:
        return QuotaRule(feature, tuple(c.strip() for c in categories.split("|") if c.strip()),
                         COMPARISONS[comparison], _whole(count), _whole(percent))
    except ValueError as error:
        raise LotteryError(f"규칙 표 {line}번째 줄: {error}") from None


def _whole(cell: str) -> int | None:
    if not cell:
        return None
    if not cell.isdecimal():
        raise LotteryError(f"{with_josa(cell, '은/는')} 0 이상의 정수가 아니에요.")
    return int(cell)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers, cells stripped (a BOM from Excel dropped)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    for cells in reader:
        stripped = [cell.strip() for cell in cells]
        if any(stripped):
            yield reader.line_num, stripped
