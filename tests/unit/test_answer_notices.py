"""The final answer's push (decision, completion date, budget: only what was filled in), the
🙂 / 🙁 buttons with the choice ticked, the 🙁 follow-up question and the moderators' alert
with the reasons, without a database or Telegram."""

from __future__ import annotations

from datetime import date

from bot.buttons import RateAnswer, RatingReason
from bot.domain.deadlines import end_of_day
from bot.domain.events import AnswerPublished, ModerationDissatisfied
from bot.domain.policy import Policy
from bot.domain.satisfaction import ReasonProblem
from bot.i18n import I18n
from bot.rendering import answers as view
from bot.rendering.notifications import NotificationRenderer
from bot.services.answers import ReasonOutcome, ReasonResult

I18N = I18n()
KO = I18N.get("ko")
RENDER = NotificationRenderer(I18N)


def final(**figures: object) -> AnswerPublished:
    return AnswerPublished(7, "공원 가로등 설치", "final", "공원녹지과", "https://gg.kr/p/7",
                           "내년 상반기에 설치하겠습니다.", decision="partial",
                           **figures)  # type: ignore[arg-type]


def test_the_final_answer_push_says_the_decision_date_and_budget_in_words() -> None:
    text = RENDER.render(final(completes_by=end_of_day(date(2027, 3, 31)),
                               budget_krw=123_450_000), "ko").text
    assert "<b>부분 수용</b>" in text
    assert "📅 완료 예정: 3월 31일(수)까지" in text  # the year shows when it is another one
    assert "💰 예산: 1억 2,345만 원" in text
    assert "https://gg.kr/p/7" in text


def test_the_push_leaves_out_what_the_department_did_not_fill_in() -> None:
    text = RENDER.render(final(), "ko").text
    assert "<b>부분 수용</b>" in text and "📅" not in text and "💰" not in text
    progress = AnswerPublished(7, "공원 가로등 설치", "progress", "공원녹지과",
                               "https://gg.kr/p/7", "공사를 시작했어요.", percent=40)
    assert "📊 진행률: 40%" in RENDER.render(progress, "ko").text


def test_the_chosen_rating_is_ticked_and_only_rating_keyboards_are_recognised() -> None:
    plain = view.rating_buttons(KO, 7)
    sad = view.rating_buttons(KO, 7, chosen=False)
    assert [b.text for b in plain.inline_keyboard[0]] == ["🙂 만족", "🙁 불만족"]
    assert [b.text for b in sad.inline_keyboard[0]] == ["🙂 만족", "✓ 🙁 불만족"]
    assert sad != plain and sad == view.rating_buttons(KO, 7, chosen=False)
    assert RateAnswer.parse(sad.inline_keyboard[0][1].callback_data) == RateAnswer(7, 0)
    assert view.shows_rating(sad, 7) and not view.shows_rating(sad, 8)
    assert not view.shows_rating(None, 7)


def test_the_why_question_offers_the_reasons_and_states_the_policy_numbers() -> None:
    question = view.why_question(KO, 7, Policy(dissatisfaction_percent=25,
                                                dissatisfaction_min_responses=12))
    assert "12명 이상" in question.text and "25%를 넘게" in question.text
    assert "재검토" in question.text
    assert question.reply_markup is not None
    buttons = [b for row in question.reply_markup.inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["답변이 늦어요", "내용이 모호해요", "제안과 맞지 않아요",
                                         "실행이 안 돼요", "✍️ 직접 쓸게요", "건너뛰기"]
    assert RatingReason.parse(buttons[-1].callback_data) == RatingReason(7, "skip")


def test_every_reason_outcome_has_its_own_korean_answer() -> None:
    results = [ReasonResult(ReasonOutcome.RECORDED), ReasonResult(ReasonOutcome.NOT_DISSATISFIED),
               *(ReasonResult(ReasonOutcome.INVALID_TEXT, p) for p in ReasonProblem)]
    texts = [view.reason_reply(KO, r) for r in results]
    assert len(set(texts)) == len(texts)


def test_the_moderators_see_how_many_gave_each_reason() -> None:
    alert = ModerationDissatisfied(7, "공원 가로등 설치", 4, 11,
                                   {"late": 2, "vague": 1, "other": 1}, ["공사 일정이 없어요"])
    text = RENDER.render(alert, "ko").text
    assert "4" in text and "11" in text
    assert "· 답변이 늦어요: 2명" in text and "· 내용이 모호해요: 1명" in text
    assert "· 기타(직접 작성): 1명" in text and "「공사 일정이 없어요」" in text
    older = ModerationDissatisfied.from_params({"proposal_id": 7, "title": "t",
                                               "dissatisfied": 4, "total": 11})
    assert "·" not in RENDER.render(older, "ko").text  # rows stored before reasons existed
