"""Notices as 알림톡: the template each uses, its values masked and on one line."""

from __future__ import annotations

from bot.domain.events import AnswerPublished, BudgetResults, ProposalExpired
from bot.domain.text_messages import ANSWER, EXPIRED
from bot.i18n import I18n
from bot.rendering.text_messages import text_message

KO = I18n().get("ko")
BASE = "https://gonggam.example"


def test_an_answer_fills_the_answer_template_with_its_summary_masked() -> None:
    answer = AnswerPublished(3, "경로당 난방비 지원", "final", "복지정책과", "",
                             "담당자 010-9876-5432로\n연락 주세요.", "accepted")
    message = text_message(KO, answer.kind, answer.to_params(), BASE)
    assert message is not None and message.template is ANSWER
    assert "9876" not in message.text and "5432" not in message.values["요지"]
    assert "\n" not in message.values["요지"]
    assert message.values["링크"] == f"{BASE}/p/3"


def test_the_end_of_the_endorsement_period_names_the_count_and_the_goal() -> None:
    expired = ProposalExpired(4, "공원 가로등", 12, 50)
    message = text_message(KO, expired.kind, expired.to_params(), BASE)
    assert message is not None and message.template is EXPIRED
    assert (message.values["공감"], message.values["목표"]) == ("12", "50")


def test_a_notice_not_about_a_proposal_does_not_go_by_text() -> None:
    results = BudgetResults(1, "2027 주민참여예산", 300_000_000, 0, 10, 100, [],
                            f"{BASE}/budget/1")
    assert text_message(KO, results.kind, results.to_params(), BASE) is None
