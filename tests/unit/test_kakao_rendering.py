"""The Kakao renderer keeps Kakao's limits whatever the Telegram message was; skill requests
of another shape are refused with a reason that quotes nothing; the channel's settings."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.domain.kakao import (
    KAKAO_ID_BASE,
    TELEGRAM_MAX_ID,
    is_kakao_chat,
    split_text,
    synthetic_update_id,
)
from bot.kakao.capture import Capture, CapturingRequest, Toast, View
from bot.kakao.payload import MalformedSkillRequest, parse_skill_request
from bot.kakao.render import kakao_text, rest_page, turn_page
from bot.settings import SettingsError, load_settings, with_sandbox_kakao
from tests.support.kakao import BLOCK_ID, MORE, assert_within_kakao_limits, skill_payload


def keyboard(*labels: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": label, "callback_data": f"x:1:{n}"}]
                                for n, label in enumerate(labels)]}


def test_links_stay_readable_and_markup_goes() -> None:
    html = '<b>공원</b> &amp; <a href="https://gonggam.kr/p/1">공개 페이지</a> ' \
           '<a href="https://gonggam.kr">https://gonggam.kr</a>'
    assert kakao_text(html) == "공원 & 공개 페이지 (https://gonggam.kr/p/1) https://gonggam.kr"


def test_telegram_links_to_a_proposal_become_its_public_page_and_others_go() -> None:
    base = "https://gonggam.guro.go.kr"
    share = ("https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fgonggam_bot%3Fstart%3Dp12"
             "&text=%EA%B0%80%EB%A1%9C%EB%93%B1")
    markup = {"inline_keyboard": [[{"text": "📤 공유하기", "url": share}],
                                  [{"text": "텔레그램 채널", "url": "https://t.me/guro_news"}],
                                  [{"text": "지도", "url": "https://map.kakao.com/?q=1"}]]}
    html = "🎉 제안 12번이 게시됐어요! 이 링크를 나눠 주세요:\nhttps://t.me/gonggam_bot?start=p12"
    page = turn_page([1], {1: View(html, markup)}, block_id=BLOCK_ID, more_label=MORE,
                     public_base_url=base)
    (card,) = page.response["template"]["outputs"]
    assert f"{base}/p/12" in card["textCard"]["description"]
    assert "t.me" not in str(page.response)
    assert [(b["label"], b["webLinkUrl"]) for b in card["textCard"]["buttons"]] == [
        ("📤 공유하기", f"{base}/p/12"), ("지도", "https://map.kakao.com/?q=1")]


def test_a_long_message_many_buttons_and_a_toast_keep_every_limit_and_page_on() -> None:
    long_text = "\n".join(f"{n}번째 줄: " + "가" * 90 for n in range(40))  # ~4,000 characters
    views = {1: View(long_text, keyboard(*(f"버튼 {n} 아주 긴 이름의 단추" for n in range(14))))}
    first = turn_page([Toast("알림"), 1], views, block_id=BLOCK_ID, more_label=MORE)
    assert_within_kakao_limits(first.response)
    assert first.response["template"]["quickReplies"][-1]["extra"] == {"more": 1}
    pages, rest = [first], first.rest
    while rest is not None:
        pages.append(rest_page(rest, block_id=BLOCK_ID, more_label=MORE))
        assert_within_kakao_limits(pages[-1].response)
        rest = pages[-1].rest
    shown = "".join(output["simpleText"]["text"] for page in pages
                    for output in page.response["template"]["outputs"])
    assert "39번째 줄" in shown and "0번째 줄" in shown
    presses = [reply for page in pages for reply in page.replies if reply.callback]
    assert len(presses) == 14 and all(len(reply.label) <= 14 for reply in presses)


def test_url_buttons_become_a_text_card_and_a_menu_sends_its_labels() -> None:
    views = {1: View("답변이 올라왔어요.", {"inline_keyboard": [[
        {"text": "공개 페이지에서 보기", "url": "https://gonggam.kr/p/1"}]]}),
             2: View("메뉴", {"keyboard": [[{"text": "🔎 제안 둘러보기"}]]})}
    page = turn_page([1, 2], views, block_id=None, more_label=MORE)
    assert_within_kakao_limits(page.response)
    card = page.response["template"]["outputs"][0]["textCard"]
    assert card["buttons"][0]["webLinkUrl"] == "https://gonggam.kr/p/1"
    assert page.response["template"]["quickReplies"] == [
        {"label": "🔎 제안 둘러보기", "action": "message", "messageText": "🔎 제안 둘러보기"}]


def test_a_capture_answers_only_its_own_chat_and_press() -> None:
    capture = Capture({"id": KAKAO_ID_BASE, "type": "private"}, {"id": 1, "is_bot": True},
                      0, 5, query_id="kakao-1-1")
    assert capture.claims("sendMessage", {"chat_id": KAKAO_ID_BASE})
    assert not capture.claims("sendMessage", {"chat_id": 1234})
    assert capture.claims("answerCallbackQuery", {"callback_query_id": "kakao-1-1"})
    sent = capture.answer("sendMessage", {"chat_id": KAKAO_ID_BASE, "text": "<b>안녕</b>",
                                          "parse_mode": "HTML"})
    assert isinstance(sent, dict) and sent["message_id"] == 5 and sent["text"] == "안녕"
    capture.answer("editMessageText", {"chat_id": KAKAO_ID_BASE, "message_id": 5,
                                       "text": "바뀜"})
    assert capture.shown == [5] and capture.views[5].html == "바뀜"


def test_kakao_ids_lie_where_telegram_never_reaches_and_updates_never_meet_its_own() -> None:
    assert KAKAO_ID_BASE > TELEGRAM_MAX_ID and is_kakao_chat(KAKAO_ID_BASE)
    assert not is_kakao_chat(TELEGRAM_MAX_ID - 1)
    assert synthetic_update_id(1, 1) < 0
    assert synthetic_update_id(1, 2) != synthetic_update_id(2, 1)
    assert split_text("가" * 2500) == ["가" * 1000, "가" * 1000, "가" * 500]


@pytest.mark.parametrize("broken", [
    "not an object", {"userRequest": {}}, {"bot": {"id": "b"}, "userRequest": {"user": {}}},
    {"bot": {"id": "b"}, "userRequest": {"user": {"id": "u"}, "utterance": 3}},
    {"bot": {"id": "b"}, "userRequest": {"user": {"id": "u"}, "utterance": "hi",
                                         "callbackUrl": "file:///etc/passwd"}},
])
def test_a_body_of_another_shape_is_refused_without_quoting_it(broken: object) -> None:
    with pytest.raises(MalformedSkillRequest) as refused:
        parse_skill_request(broken)
    assert "passwd" not in str(refused.value) and "hi" not in str(refused.value).split()


def test_kakaos_documented_payload_is_read() -> None:
    request = parse_skill_request(skill_payload("key-1", "안녕", extra={"cb": "e:1:3", "m": 7}))
    assert (request.user_key, request.utterance) == ("key-1", "안녕")
    assert request.press is not None and request.press.message_id == 7
    forged = parse_skill_request(skill_payload("key-1", "안녕", extra={"cb": "x" * 65}))
    assert forged.press is None


def test_the_channel_needs_a_bot_id_and_stays_within_kakaos_five_seconds() -> None:
    on = load_settings({"KAKAO_SKILL_SECRET": "s" * 20, "KAKAO_BOT_ID": "bot"}, env_file=None)
    assert on.kakao.enabled and on.kakao.reply_within_seconds == 3.5
    assert not load_settings({}, env_file=None).kakao.enabled
    with pytest.raises(SettingsError, match="KAKAO_BOT_ID"):
        load_settings({"KAKAO_SKILL_SECRET": "s" * 20}, env_file=None)
    with pytest.raises(SettingsError, match="KAKAO_REPLY_WITHIN"):
        load_settings({"KAKAO_SKILL_SECRET": "s" * 20, "KAKAO_BOT_ID": "b",
                       "KAKAO_REPLY_WITHIN": "5"}, env_file=None)
    sandbox = with_sandbox_kakao(load_settings({}, env_file=None))
    assert sandbox.kakao.enabled and sandbox.kakao.bot_id


class RecordingRequest(BaseRequest):
    """The real request's stand-in: records what would have reached Telegram."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.urls.append(url)
        return 200, b'{"ok": true, "result": true}'


async def test_a_kakao_chat_never_reaches_telegram_even_outside_its_turn() -> None:
    inner = RecordingRequest()
    request = CapturingRequest(inner)
    kakao = RequestData([RequestParameter.from_input("chat_id", KAKAO_ID_BASE + 1),
                         RequestParameter.from_input("text", "투표가 열렸어요")])
    telegram = RequestData([RequestParameter.from_input("chat_id", 4242),
                            RequestParameter.from_input("text", "안녕")])
    assert (await request.do_request("https://api/bot1:x/sendPoll", "POST", kakao))[0] == 400
    assert (await request.do_request("https://api/bot1:x/sendMessage", "POST", telegram))[0] \
        == 200
    assert inner.urls == ["https://api/bot1:x/sendMessage"]
