"""The admin's round and project forms: Korean and English keys, defaults, and every problem
named with its line."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.pb.ballot import BallotType, Eligibility
from bot.domain.pb.rounds import (
    Parsed,
    Problem,
    RoundSpec,
    parse_moment,
    parse_project_form,
    parse_round_form,
)
from bot.domain.pb.rules import Rule, TieBreak

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
AREAS = ("구로1동", "고척2동")
BASE = "이름: 2027 주민참여예산\n예산: 3억\n시작: 2026-12-01 09:00\n마감: 2026-12-14\n"


def parse(text: str) -> Parsed[RoundSpec]:
    return parse_round_form(text, now=NOW, tz=SEOUL, areas=AREAS)


def problems(text: str) -> list[tuple[Problem, int | None]]:
    return [(p.problem, p.line) for p in parse(text).problems]


def test_a_full_korean_form_is_read_with_kst_times() -> None:
    spec = parse(BASE + "방식: 선택\n선택 수: 3\n자격: 인증\n동: 구로1동\n집계: mes-add1\n"
                        "동점: 번호순\n최소 지지율: 30%\n변경 가능: 아니오").spec
    assert spec is not None
    assert (spec.name, spec.budget_krw) == ("2027 주민참여예산", 300_000_000)
    assert spec.opens_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 KST
    assert spec.closes_at == datetime(2026, 12, 14, 15, 0, tzinfo=UTC)  # 24:00 KST
    assert (spec.ballot, spec.max_choices, spec.eligibility, spec.area) == (
        BallotType.CHOOSE_K, 3, Eligibility.VERIFIED, "구로1동")
    assert (spec.rule, spec.tie_break, spec.min_support_percent, spec.changeable) == (
        Rule.MES_ADD1, TieBreak.ID, 30, False)


def test_english_keys_and_defaults() -> None:
    spec = parse("name: PB 2027\nbudget: 1억 2,000만\nopens: 2026-12-01\n"
                 "closes: 2026-12-02 18:30\nballot: approval").spec
    assert spec is not None
    assert spec.budget_krw == 120_000_000
    assert spec.opens_at == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert spec.closes_at == datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    assert (spec.ballot, spec.eligibility, spec.rule, spec.tie_break) == (
        BallotType.APPROVAL_BUDGET, Eligibility.EVERYONE, Rule.GREEDY, TieBreak.CHEAPEST)
    assert spec.changeable and spec.min_support_percent is None


def test_a_cumulative_ballot_counts_points_by_default_and_caps_per_project() -> None:
    spec = parse(BASE + "방식: 점수\n총점: 10").spec
    assert spec is not None
    assert (spec.points_total, spec.points_per_project, spec.rule) == (10, 10, Rule.GREEDY_POINTS)
    assert problems(BASE + "방식: 점수\n총점: 5\n사업당 최대: 6") == [
        (Problem.PER_PROJECT_TOO_BIG, 7)]


@pytest.mark.parametrize(("extra", "expected"), [
    ("방식: 선택", [(Problem.NEEDS_K, None)]),
    ("방식: 점수", [(Problem.NEEDS_POINTS, None)]),
    ("방식: 선택\n선택 수: 영", [(Problem.BAD_NUMBER, 6)]),
    ("방식: 투표", [(Problem.BAD_BALLOT, 5)]),
    ("방식: 예산\n자격: 주민", [(Problem.BAD_ELIGIBILITY, 6)]),
    ("방식: 예산\n동: 구로1동", [(Problem.AREA_NEEDS_VERIFIED, 6)]),
    ("방식: 예산\n자격: 인증\n동: 강남동", [(Problem.BAD_AREA, 7)]),
    ("방식: 예산\n집계: random", [(Problem.BAD_RULE, 6)]),
    ("방식: 예산\n동점: 추첨", [(Problem.BAD_TIE_BREAK, 6)]),
    ("방식: 예산\n최소 지지율: 120", [(Problem.BAD_PERCENT, 6)]),
    ("방식: 예산\n변경 가능: 글쎄요", [(Problem.BAD_YES_NO, 6)]),
    ("방식: 예산\n색깔: 파랑", [(Problem.UNKNOWN_KEY, 6)]),
    ("방식: 예산\n예산 3억", [(Problem.NO_COLON, 6)]),
    ("방식: 예산\n이름: 또", [(Problem.DUPLICATE, 6)]),
])
def test_each_problem_names_its_line(
    extra: str, expected: list[tuple[Problem, int | None]]
) -> None:
    assert problems(BASE + extra) == expected


def test_budget_window_and_missing_keys() -> None:
    bad = "이름: 가\n예산: 0\n시작: 2026-12-05\n마감: 2026-12-01\n방식: 예산"
    assert problems(bad) == [(Problem.ZERO_AMOUNT, 2), (Problem.CLOSE_BEFORE_OPEN, 4)]
    assert problems("이름: 가\n예산: 많이\n시작: 2026-11-01\n마감: 내일\n방식: 예산") == [
        (Problem.BAD_AMOUNT, 2), (Problem.OPENS_IN_PAST, 3), (Problem.BAD_DATE, 4)]
    missing = parse("이름: 가").problems
    assert {p.key for p in missing} == {"budget", "opens", "closes", "ballot"}
    assert all(p.problem is Problem.MISSING and p.line is None for p in missing)


def test_a_day_opens_at_midnight_and_closes_at_the_next_midnight() -> None:
    start = parse_moment("2026.12.01", SEOUL, end_of_day=False)
    end = parse_moment("2026년 12월 1일", SEOUL, end_of_day=True)
    afternoon = parse_moment("2026-12-01 오후 3:00", SEOUL, end_of_day=True)
    assert start == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert afternoon == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert parse_moment("2026-02-30", SEOUL, end_of_day=False) is None


def test_a_project_form_with_a_description_over_several_lines() -> None:
    parsed = parse_project_form(
        "제목: 어린이공원 가로등\n설명: 둘레길에 LED 6개\n밤길이 밝아져요\n비용: 3,000만 원\n"
        "동: 구로1동\n분야: 안전·방범", areas=AREAS)
    assert parsed.spec is not None
    assert parsed.spec.description == "둘레길에 LED 6개\n밤길이 밝아져요"
    assert (parsed.spec.cost_krw, parsed.spec.area, parsed.spec.category) == (
        30_000_000, "구로1동", "안전·방범")
    wrong = parse_project_form("제목: 가\n비용: 0\n동: 서초동", areas=AREAS).problems
    assert [(p.problem, p.line) for p in wrong] == [
        (Problem.ZERO_AMOUNT, 2), (Problem.BAD_AREA, 3)]
    assert [p.key for p in parse_project_form("설명: 만", areas=AREAS).problems] == [
        "title", "cost"]
