"""Moderation texts without a database: the handled line, the 4096-character limit, the
restore notice, the offline form with a Telegram id, and the Korean wording."""

from __future__ import annotations

from html import unescape

from bot.domain.events import ContentHidden, ContentRestored, ModerationPending, ModerationReported
from bot.domain.lifecycle import ProposalStatus
from bot.handlers.moderation import _offline_form, parse_offline_form
from bot.i18n import I18n
from bot.rendering import moderation as view
from bot.services.browse import ProposalCard
from bot.services.work_items import WorkItemView, WorkKind
from tests.conftest import START

KO = I18n().get("ko")
EN = I18n().get("en")
AREAS = ("구로1동",)
CATEGORIES = ("복지·건강",)


def item(action: str, note: str | None = None) -> WorkItemView:
    params = {"departments": [[7, "도로과"], [9, "공원녹지과"]], "preselected": 7}
    return WorkItemView(1, WorkKind.THRESHOLD, "proposal", 3, params, START, "김모더", START,
                        action, note)


def test_the_handled_line_names_the_department_and_the_reject_reason() -> None:
    department = view.handled_detail(item("assign"), 9)
    reason = view.handled_detail(item("reject", "개인정보 포함"))
    assert department == "공원녹지과" and reason == "개인정보 포함"
    assert view.handled_detail(item("keep")) == ""
    line = view.handled_line(KO, "김모더", "assign", START, department)
    assert "공원녹지과" in line and "김모더" in line
    assert "개인정보 포함" in view.handled_line(KO, "김모더", "reject", START, reason)


def test_a_long_item_is_shortened_so_the_handled_line_fits() -> None:
    line = view.handled_line(KO, "김<모더>", "approve", START)
    body = "<b>🚩 제목</b>\n" + "가" * 5000
    plain = "🚩 제목\n" + "가" * 5000
    text = view.with_handled_line(body, plain, line)
    shown = unescape(text)
    assert len(shown.encode("utf-16-le")) // 2 <= view.TELEGRAM_TEXT_LIMIT
    assert text.endswith("\n\n" + line) and "<b>" not in text  # no tag cut in half
    assert shown.startswith("🚩 제목\n가")
    short = view.with_handled_line("<b>짧은 글</b>", "짧은 글", line)
    assert short == f"<b>짧은 글</b>\n\n{line}"


def test_the_restore_notice_shows_the_reason_only_when_given() -> None:
    template = view.MODERATION_TEMPLATES[ContentRestored]
    notice = ContentRestored("proposal", 4, 4, "가로등", reason_text="오해가 풀렸어요")
    assert "오해가 풀렸어요" in template(KO, notice)
    assert "오해가 풀렸어요" in template(EN, notice)
    plain = template(KO, notice.replace(reason_text=""))
    assert "사유" not in plain and "가로등" in plain


def test_the_offline_form_takes_a_telegram_id_instead_of_a_contact() -> None:
    head = "/offline 전화\n제목: 경로당 난방비 지원\n내용: 겨울마다 경로당 난방비가 부족해요.\n"
    form = _offline_form(parse_offline_form(head + "텔레그램: 555001"), AREAS, CATEGORIES)
    assert form is not None and form.telegram_id == 555001 and form.contact == ""
    english = _offline_form(parse_offline_form(head + "telegram: 555001"), AREAS, CATEGORIES)
    assert english is not None and english.telegram_id == 555001
    assert _offline_form(parse_offline_form(head + "텔레그램: 민수"), AREAS, CATEGORIES) is None
    assert _offline_form(parse_offline_form(head + "이름: 김민수"), AREAS, CATEGORIES) is None


def test_korean_wording_of_hiding_bans_and_roles() -> None:
    hidden = view.MODERATION_TEMPLATES[ContentHidden](
        KO, ContentHidden("proposal", 4, 4, "가로등", "spam"))
    assert "글을 숨겼어요" in hidden and "잠시" not in hidden
    banned = KO.gettext(
        "Banned. Their new posts, reports and 공감 are refused; what they wrote stays.")
    assert banned.endswith("그대로 둬요.")
    role = KO.gettext("Done: they are now {role}.").format(role="운영진")
    assert role == "완료했어요. 이제 운영진 역할이에요."


def test_work_items_quote_the_text_escaped_and_only_when_there_is_one() -> None:
    excerpt = "<b>광고</b> & 홍보\n둘째 줄"
    notices: tuple[ModerationReported | ModerationPending, ...] = (
        ModerationReported("proposal", 4, 4, "가로등", 3, {"spam": 3}, excerpt=excerpt),
        ModerationPending(4, "가로등", excerpt=excerpt))
    for notice in notices:
        text = view.MODERATION_TEMPLATES.render(KO, notice)
        assert text.endswith(
            "\n\n<blockquote>&lt;b&gt;광고&lt;/b&gt; &amp; 홍보\n둘째 줄</blockquote>")
        bare = view.MODERATION_TEMPLATES.render(KO, notice.replace(excerpt=""))
        assert "blockquote" not in bare and "가로등" in bare


def test_the_author_of_a_hidden_proposal_sees_their_text_under_the_banner() -> None:
    card = ProposalCard(5, 1, "가로<등>", "어두워요", "설치해 주세요", "안전해요", None, None,
                        ProposalStatus.COLLECTING, True, 0, None, START, None, None, None, None,
                        (), False, False)
    shown = view.hidden_own_card(KO, card)
    assert shown.text.startswith(
        "🙈 운영 원칙에 따라 숨겨졌어요. 운영진이 확인한 뒤 결과를 알려 드릴게요."
    )
    assert "가로&lt;등&gt;" in shown.text and "설치해 주세요" in shown.text
    assert shown.reply_markup is None


def test_the_report_reasons_end_with_cancel() -> None:
    shown = view.report_reasons(KO, 7)
    assert shown.reply_markup is not None
    last = shown.reply_markup.inline_keyboard[-1]
    assert [b.text for b in last] == ["취소"] and last[0].callback_data == "rr:1:7:cancel"
    assert len(shown.reply_markup.inline_keyboard) == 6  # the five reasons, then 취소
    assert view.report_cancelled(KO) == "취소했어요. 아무것도 신고하지 않았어요."


def test_a_threshold_item_offers_the_default_department_first_and_ticked() -> None:
    keyboard = view.item_keyboard(KO, WorkKind.THRESHOLD, 7,
                                  [[1, "도로과"], [2, "공원녹지과"], [3, "안전총괄과"]], 3)
    assert keyboard is not None
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    assert labels == ["✅ 안전총괄과", "도로과", "공원녹지과"]


def test_every_work_kind_opens_as_the_notice_it_was_posted_with() -> None:
    """/admin's queue rebuilds an item's message from its kind: none may be missing."""
    assert set(view.EVENT_KINDS) == set(WorkKind)
    item = WorkItemView(9, WorkKind.INTERIM_MISSING, "proposal", 4, {"proposal_id": 4},
                        START, None, None, None, None)
    assert view.notice_of(item)[0] == "moderation_interim_missing"
