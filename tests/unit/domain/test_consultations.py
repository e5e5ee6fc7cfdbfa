"""「구가 묻습니다」 as staff write it: every setting read, and each wrong line named in Korean."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.consultations import (
    PRO_CON,
    Audience,
    ConsultationError,
    parse_consultation,
    tally,
)

TODAY = date(2026, 12, 7)
AREAS, CATEGORIES = ("구로1동", "신도림동"), ("체육", "안전·방범")
BASE = ["/consult_new 구민체육센터 야간 개방",
        "배경 체육센터는 밤 9시에 문을 닫아요. 늦게까지 열어 달라는 목소리가 있어요.",
        "질문 밤 11시까지 열까요?", "선택 찬반", "찬성 퇴근 뒤에도 운동할 수 있어요.",
        "반대 인건비가 늘어요.", "기간 2026-12-10 2026-12-24", "대상 전체", "부서 체육진흥과"]


def form(*changes: tuple[str, str | None]) -> str:
    lines = list(BASE)
    for key, line in changes:
        lines = [other for other in lines if not other.startswith(key)]
        if line is not None:
            lines.append(line)
    return "\n".join(lines)


def test_a_pro_con_question_is_read_with_its_arguments() -> None:
    read = parse_consultation(form(), AREAS, CATEGORIES, TODAY)
    assert read.options == PRO_CON and read.arguments == ("퇴근 뒤에도 운동할 수 있어요.",
                                                           "인건비가 늘어요.")
    assert (read.opens_on, read.closes_on) == (date(2026, 12, 10), date(2026, 12, 24))
    assert read.audience is Audience.EVERYONE and read.department == "체육진흥과"


def test_options_with_their_own_arguments_and_an_audience_of_one_area() -> None:
    read = parse_consultation(form(("선택", "선택 밤 10시 | 밤 11시 | 지금처럼"),
                                   ("찬성", "논거 2 직장인이 많이 쓸 수 있어요."),
                                   ("반대", None), ("대상", "대상 동 구로 1동")),
                              AREAS, CATEGORIES, TODAY)
    assert read.options == ("밤 10시", "밤 11시", "지금처럼")
    assert read.arguments == ("", "직장인이 많이 쓸 수 있어요.", "")
    assert (read.audience, read.audience_value) == (Audience.AREA, "구로1동")


@pytest.mark.parametrize(("change", "message"), [
    (("선택", "선택 하나"), "선택지는 두 개 이상"),
    (("선택", None), "「선택」 줄이 없어요"),
    (("기간", None), "「기간」 줄이 없어요"),
    (("기간", "기간 2026-12-01 2026-12-24"), "시작일이 지났어요"),
    (("기간", "기간 2026-12-24 2026-12-10"), "마감일은 시작일보다 뒤"),
    (("기간", "기간 내일부터"), "시작일과 마감일"),
    (("대상", "대상 동 달나라동"), "대상은"),
    (("질문", "질문 열까?"), "질문이 너무 짧아요"),
    (("논거", "논거 3 세 번째 보기는 없어요"), r"보기 번호\(1~2\)"),
    (("부서", "부서장 없음"), "줄을 읽지 못했어요"),
])
def test_each_wrong_line_is_named(change: tuple[str, str | None], message: str) -> None:
    with pytest.raises(ConsultationError, match=message):
        parse_consultation(form(change), AREAS, CATEGORIES, TODAY)


def test_personal_data_in_the_background_is_masked() -> None:
    read = parse_consultation(form(("배경", "배경 문의는 담당 010-1234-5678 으로 주세요. "
                                            "체육센터 운영 시간 이야기예요.")),
                              AREAS, CATEGORIES, TODAY)
    assert "5678" not in read.background


def test_votes_are_tallied_per_option() -> None:
    assert tally([0, 1, 1, 2, 7, -1], 3) == (1, 2, 1)
