"""Call-backs without a database: the consent line of /offline, the contact's encryption,
and the call-back screen (contact, the Korean words to pass on, ✅)."""

from __future__ import annotations

import pytest

from bot.buttons import CallbackDone
from bot.domain.events import ProposalApproved
from bot.domain.policy import Policy
from bot.handlers.moderation import _offline_form, parse_offline_form
from bot.i18n import I18n
from bot.rendering.callbacks import callback_screen
from bot.rendering.common import help_text
from bot.rendering.notifications import NotificationRenderer
from bot.services.callbacks import CallbackPage, CallbackView
from bot.services.contact_vault import Contact, UnreadableContact, seal, unseal
from tests.conftest import START

I18N = I18n()
AREAS = ("구로1동",)
CATEGORIES = ("복지·건강",)
FORM = ("/offline 전화\n제목: 경로당 난방비 지원\n내용: 겨울마다 경로당 난방비가 부족해요.\n"
        "이름: 김민수\n연락처: 010-1234-5678\n")
KEY = "c" * 40


def form_with(extra: str):  # type: ignore[no-untyped-def]
    return _offline_form(parse_offline_form(FORM + extra), AREAS, CATEGORIES)


@pytest.mark.parametrize(("line", "consent"), [
    ("", False), ("연락 동의: 예", True), ("연락동의: 네", True), ("consent: yes", True),
    ("연락 동의: 아니오", False),
])
def test_the_form_records_whether_the_resident_agreed_to_be_called(line: str,
                                                                   consent: bool) -> None:
    form = form_with(line)
    assert form is not None and form.callback is consent


def test_an_unclear_consent_refuses_the_form() -> None:
    assert form_with("연락 동의: 글쎄요") is None


def test_the_contact_is_sealed_and_only_the_key_opens_it() -> None:
    token = seal(Contact("김민수", "010-1234-5678"), KEY)
    assert "1234" not in token and "김민수" not in token
    assert unseal(token, KEY) == Contact("김민수", "010-1234-5678")
    assert token != seal(Contact("김민수", "010-1234-5678"), KEY)  # a fresh IV every time
    with pytest.raises(UnreadableContact):
        unseal(token, "d" * 40)
    with pytest.raises(UnreadableContact):
        unseal(token[:-4] + "AAAA", KEY)


def test_the_screen_shows_the_contact_and_the_korean_words_to_pass_on() -> None:
    notice = ProposalApproved(7, "경로당 <난방비>", key="7")
    item = CallbackView(3, 7, "경로당 <난방비>", notice.kind, notice.to_params(), START,
                        Contact("김<민수>", "010-1234-5678"))
    for language in ("ko", "en"):
        shown = callback_screen(I18N.get(language), NotificationRenderer(I18N),
                                CallbackPage(item, 2), 0)
        assert "김&lt;민수&gt; · 010-1234-5678" in shown.text
        assert "경로당 &lt;난방비&gt;" in shown.text and "(1/2)" in shown.text
        assert NotificationRenderer(I18N).render(notice, "ko").text in shown.text  # Korean
        assert shown.reply_markup is not None
        buttons = [b for row in shown.reply_markup.inline_keyboard for b in row]
        assert buttons[0].callback_data == CallbackDone(3, 0).pack()
        assert any(b.text == "▶" for b in buttons) and not any(b.text == "◀" for b in buttons)


def test_an_empty_list_says_nobody_waits() -> None:
    shown = callback_screen(I18N.get("ko"), NotificationRenderer(I18N), CallbackPage(None, 0), 0)
    assert "전화" in shown.text


def test_the_help_names_the_question_command() -> None:
    assert "/ask — 운영진에게 묻기" in help_text(I18N.get("ko"), Policy())
