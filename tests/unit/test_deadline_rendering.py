"""One deadline at a time, named and explained, and the interim answer's date in its push
(Korean, as residents read them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.clock import ShiftableClock
from bot.domain.answer_clock import (
    DeadlineFacts,
    DeadlineRules,
    Extension,
    named_deadline,
)
from bot.domain.deadlines import BusinessCalendar, end_of_day
from bot.domain.events import AnswerPublished, DebateExtended
from bot.domain.lifecycle import ProposalStatus as S
from bot.i18n import I18n
from bot.rendering.deadlines import deadline_line
from bot.rendering.notifications import NotificationRenderer

NOW = datetime(2026, 12, 7, 1, tzinfo=UTC)
I18N = I18n(clock=ShiftableClock(NOW, frozen=True))
KO = I18N.get("ko")
RULES = DeadlineRules(30, BusinessCalendar())
CLOSES = end_of_day(date(2026, 12, 9))


def line(facts: DeadlineFacts, quote: bool = False) -> str:
    shown = named_deadline(facts, RULES)
    assert shown is not None
    return deadline_line(KO, shown, quote=(lambda s: s.replace("<", "&lt;")) if quote else str)


def test_each_deadline_is_named_with_why_it_is_the_one() -> None:
    review = end_of_day(date(2026, 12, 16))
    assert line(DeadlineFacts(S.UNDER_REVIEW, review, None, None)) == (
        "부서가 검토하고 있어요 · 검토 기한: 12월 16일(수)까지")
    assert line(DeadlineFacts(S.IN_DEBATE, review, CLOSES, None)) == (
        "검토가 끝나 토론이 열렸어요 · 토론 마감: 12월 9일(수)까지 · "
        "그 뒤 답변 기한: 2027년 1월 8일(금)까지")
    assert line(DeadlineFacts(S.AWAITING_ANSWER, review, CLOSES, end_of_day(date(2027, 1, 8)))) \
        == "토론이 끝나 이제 부서가 답변할 차례예요 · 답변 기한: 2027년 1월 8일(금)까지"


def test_an_extension_says_why_and_its_reason_is_escaped_for_telegram() -> None:
    facts = DeadlineFacts(S.IN_DEBATE, None, end_of_day(date(2026, 12, 16)), None,
                          extension=Extension(7, "<b>의견</b>이 많아서"))
    assert line(facts, quote=True).startswith(
        "토론이 7일 연장됐어요(사유: &lt;b>의견&lt;/b>이 많아서) · 토론 마감: 12월 16일(수)까지")


def test_the_interim_push_names_the_expected_date_and_where_it_moved_from() -> None:
    renderer = NotificationRenderer(I18N)
    first = AnswerPublished(1, "가로등", "interim", "공원녹지과", "https://gg.kr/p/1",
                            "협의 중이에요", answer_expected=end_of_day(date(2026, 12, 20)))
    assert "📅 최종 답변 예상일: 12월 20일(일)" in renderer.render(first, "ko").text
    moved = first.replace(answer_expected=end_of_day(date(2027, 1, 6)),
                          answer_expected_before=end_of_day(date(2026, 12, 20)))
    assert ("📅 예상 답변일이 12월 20일(일)에서 2027년 1월 6일(수)로 바뀌었어요."
            in renderer.render(moved, "ko").text)
    english = renderer.render(moved, "en").text
    assert "moved from Sun 20 Dec to Wed 6 Jan 2027." in english  # no Korean particle


def test_an_extension_push_names_the_answer_deadline_that_follows() -> None:
    event = DebateExtended(1, "가로등", 7, "의견이 많아서", end_of_day(date(2026, 12, 16)),
                           answer_due=end_of_day(date(2027, 1, 15)))
    text = NotificationRenderer(I18N).render(event, "ko").text
    assert "토론이 끝나면 담당 부서가 2027년 1월 15일(금)까지 답변해야 해요." in text
