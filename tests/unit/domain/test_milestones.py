"""The plan an accepting answer promises: reading it, the steps reached, and the machine's
instants (reminders on business mornings, the overdue flag at the end of a step's day)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.answers import AnswerForm, AnswerKind, validate_answer
from bot.domain.deadlines import BusinessCalendar
from bot.domain.milestones import (
    MAX_MILESTONES,
    PlannedStep,
    PlanProblem,
    StepState,
    days_late,
    next_progress_request,
    overdue_at,
    read_plan,
    read_reached,
    reminder_at,
    step_state,
)

TODAY = date(2026, 12, 7)
CALENDAR = BusinessCalendar()


def test_a_plan_is_read_in_date_order_from_the_ways_officials_write_dates() -> None:
    text = ("2027년 6월 30일 공사 착공\n\n２０２７．３．３１ 설계 완료\n"
            "2027/02/1: 주민 설명회\n2027-0\u200b4-15 - 업체 선정")
    plan = read_plan(text, TODAY)
    assert plan.problem is None
    assert plan.steps == (PlannedStep(date(2027, 2, 1), "주민 설명회"),
                          PlannedStep(date(2027, 3, 31), "설계 완료"),
                          PlannedStep(date(2027, 4, 15), "업체 선정"),
                          PlannedStep(date(2027, 6, 30), "공사 착공"))


def test_an_empty_plan_is_no_plan() -> None:
    assert read_plan("  \n \u200b\n", TODAY) == read_plan("", TODAY)
    assert read_plan("", TODAY).steps == () and read_plan("", TODAY).problem is None


@pytest.mark.parametrize(("text", "problem", "line"), [
    ("2027-03-31 설계 완료\n설계 다음에 공사", PlanProblem.FORMAT, 2),
    ("2027-02-30 없는 날", PlanProblem.FORMAT, 1),
    ("2027-03-31", PlanProblem.TITLE, 1),
    ("2027-03-31 !!", PlanProblem.TITLE, 1),
    ("2027-03-31 " + "가" * 201, PlanProblem.TITLE, 1),
    ("2026-12-06 어제 한 일", PlanProblem.PAST, 1),
    ("2027-03-31 설계\n2027-08-01 준공", PlanProblem.AFTER, 2),
    ("\n".join(f"2027-01-{n:02} 단계 {n}" for n in range(1, MAX_MILESTONES + 2)),
     PlanProblem.TOO_MANY, MAX_MILESTONES + 1),
])
def test_a_plan_that_cannot_be_kept_as_written_says_what_and_where(
    text: str, problem: PlanProblem, line: int,
) -> None:
    plan = read_plan(text, TODAY, completion=date(2027, 6, 30))
    assert (plan.problem, plan.line, plan.steps) == (problem, line, ())


def test_today_and_the_completion_day_itself_are_allowed() -> None:
    plan = read_plan("2026-12-07 오늘 착수\n2027-06-30 준공", TODAY, date(2027, 6, 30))
    assert plan.problem is None and len(plan.steps) == 2


def test_personal_data_in_a_step_is_masked() -> None:
    (step,) = read_plan("2027-03-31 담당 010-1234-5678 로 문의", TODAY).steps
    assert "1234" not in step.title and "5678" not in step.title


@pytest.mark.parametrize(("text", "reached"), [
    ("", frozenset()), ("1", {1}), ("1, 3", {1, 3}), ("１번 ２번", {1, 2}), ("2/3", {2, 3}),
    (" 1，2 ", {1, 2}),
])
def test_the_steps_reached_are_numbers(text: str, reached: set[int]) -> None:
    assert read_reached(text) == frozenset(reached)


@pytest.mark.parametrize("text", ["설계", "1단계", "-1", "1.5"])
def test_anything_else_where_step_numbers_go_is_refused(text: str) -> None:
    assert read_reached(text) is None


def test_a_final_answer_checks_its_plan_only_when_it_accepts() -> None:
    base = AnswerForm(AnswerKind.FINAL, "김담당", "내년에 설치하겠습니다.", decision="accepted",
                      expected_completion="2027-06-30", budget="1,200만원", plan="2027-09-01 준공")
    assert validate_answer(base, TODAY) == {"plan": "plan_after"}
    refused = AnswerForm(AnswerKind.FINAL, "김담당", "예산이 없어 어렵습니다.",
                         decision="rejected", plan="아무거나")
    assert validate_answer(refused, TODAY) == {}


def test_a_progress_update_may_name_only_steps_not_reached_yet() -> None:
    form = AnswerForm(AnswerKind.PROGRESS, "김담당", "설계를 마쳤습니다.", percent="40",
                      reached="1, 2")
    assert validate_answer(form, TODAY, open_steps={1, 2, 3}) == {}
    assert validate_answer(form, TODAY, open_steps={2, 3}) == {"reached": "reached_unknown"}
    typo = AnswerForm(AnswerKind.PROGRESS, "김담당", "설계를 마쳤습니다.", percent="40",
                      reached="설계")
    assert validate_answer(typo, TODAY, open_steps={1}) == {"reached": "reached_format"}


def test_the_reminder_comes_on_a_business_morning_before_the_step() -> None:
    now = datetime(2026, 12, 7, 1, tzinfo=UTC)
    # 2027-03-08 (Mon) minus 7 days is Monday 3/1, 삼일절: the Friday before, 09:00 KST
    assert reminder_at(date(2027, 3, 8), 7, now, CALENDAR) == datetime(2027, 2, 26, 0,
                                                                       tzinfo=UTC)
    # a step four days away: the next business morning (12/8 Tue, 09:00 KST)
    assert reminder_at(date(2026, 12, 11), 7, now, CALENDAR) == datetime(2026, 12, 8, 0,
                                                                         tzinfo=UTC)
    # a step due tomorrow, asked after 09:00 today: no morning is left before it
    assert reminder_at(date(2026, 12, 8), 7, now, CALENDAR) is None


def test_a_step_is_late_after_its_whole_day() -> None:
    assert overdue_at(date(2027, 3, 31)) == datetime(2027, 3, 31, 15, tzinfo=UTC)


def test_progress_is_asked_for_on_a_business_morning_after_the_quiet_days() -> None:
    since = datetime(2026, 12, 24, 5, tzinfo=UTC)  # 30 days later is 1/23, a Saturday
    assert next_progress_request(since, 30, CALENDAR) == datetime(2027, 1, 25, 0, tzinfo=UTC)


@pytest.mark.parametrize(("reached", "today", "state", "late"), [
    (None, date(2027, 3, 31), StepState.PLANNED, 0),
    (None, date(2027, 4, 3), StepState.OVERDUE, 3),
    (date(2027, 3, 31), date(2027, 4, 3), StepState.REACHED, 0),
    (date(2027, 4, 2), date(2027, 5, 1), StepState.REACHED_LATE, 2),
])
def test_a_step_against_its_day(
    reached: date | None, today: date, state: StepState, late: int,
) -> None:
    due = date(2027, 3, 31)
    assert step_state(due, reached, today) is state
    assert days_late(due, reached, today) == late
