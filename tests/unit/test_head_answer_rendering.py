"""The head's answer tier on screen: the card's 「구청장 답변」 line and its late 공감 button,
the pushes, and the admin's reply when the office is added."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.deadlines import resident_deadline
from bot.domain.events import HeadAnswerPublished, HeadAnswerRequested, ModerationHeadOffice
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import I18n
from bot.rendering import answers as answer_view
from bot.rendering.notifications import NotificationRenderer
from bot.rendering.proposals import card as render_card
from bot.services.browse import ProposalCard
from tests.conftest import START

I18N = I18n()
KO = I18N.get("ko")
CARD = ProposalCard(5, 1, "통학로 신호 연장", "짧아요", "늘려 주세요", "안전해요", None, None,
                    ProposalStatus.IN_DEBATE, False, 120, None, START, START + timedelta(days=30),
                    None, START + timedelta(days=20), None, (), False, False)


def shown(card: ProposalCard, viewer: int = 2) -> tuple[str, list[str]]:
    rendered = render_card(KO, card, viewer, 50, START, "gonggam_bot")
    assert rendered.reply_markup is not None
    data = [str(b.callback_data) for row in rendered.reply_markup.inline_keyboard for b in row]
    return rendered.text, data


def test_the_card_shows_the_heads_deadline_then_its_decision() -> None:
    routed = replace(CARD, head_answer_due=resident_deadline(START, 30))
    assert "🏛 구청장 답변 기한: 12월 24일(목)까지" in shown(routed)[0]
    answered = replace(routed, head_answered=True, head_decision="accepted")
    assert "🏛 구청장 답변: 수용" in shown(answered)[0]
    assert "구청장" not in shown(CARD)[0]


def test_late_공감_is_offered_once_and_never_taken_back() -> None:
    late = replace(CARD, late_endorse_until=resident_deadline(START, 30))
    assert "e:1:5" in shown(late)[1]
    assert "공감 기간: 12월 24일(목)까지" in shown(late)[0]
    assert "공감 기간" not in shown(CARD)[0]
    assert "e:1:5" not in shown(replace(late, viewer_endorsed=True))[1]
    assert not any(d.startswith("u:") for d in shown(replace(late, viewer_endorsed=True))[1])
    assert "e:1:5" not in shown(CARD)[1]  # no higher tier: 공감 ended at the threshold
    assert "e:1:5" not in shown(late, viewer=1)[1]  # the author


def test_the_pushes_say_who_answers_and_escape_the_command() -> None:
    render = NotificationRenderer(I18N)
    published = HeadAnswerPublished(5, "신호 <연장>", "구청장실", "https://g.kr/p/5",
                                    "추진하겠습니다", "partial")
    text = render(published.kind, published.to_params(), "ko").text
    assert text.startswith("🏛 「신호 &lt;연장&gt;」에 구청장 답변이 올라왔어요: <b>부분 수용</b>")
    asked = ModerationHeadOffice(5, "신호", 1200)
    text = render(asked.kind, asked.to_params(), "ko").text
    assert "공감이 1,200개" in text and "/department_add &lt;이름&gt; office=head" in text
    request = HeadAnswerRequested(5, "신호", "https://g.kr/r/t", "구청장실", 1000,
                                  resident_deadline(START, 30))
    text = render(request.kind, request.to_params(), "ko").text
    assert "12월 24일(목)까지" in text and "https://g.kr/r/t" in text


def test_adding_the_office_says_how_many_links_went_out() -> None:
    assert "답변 링크" not in answer_view.department_added(KO, 3, "구청장실")
    assert answer_view.department_added(KO, 3, "구청장실", 2).endswith(
        "🏛 구청장 답변을 기다리던 제안 2건에 답변 링크를 보냈어요.")
