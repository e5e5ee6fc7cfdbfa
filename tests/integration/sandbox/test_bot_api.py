"""The sandbox speaks the Bot API well enough for the real PTB `Bot`."""

import asyncio
import datetime as dtm
import warnings

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from sandbox import SandboxClient, SandboxServer, SandboxState

RESIDENT_ID = 1001


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in labels_and_data]
    )


async def test_get_me_describes_the_sandbox_bot(bot: Bot, state: SandboxState) -> None:
    me = await bot.get_me()

    assert me.id == state.bot.id
    assert me.username == "gonggam_sandbox_bot"
    assert me.first_name == "공감"
    assert me.is_bot


async def test_sent_message_is_visible_to_the_resident(
    bot: Bot, client: SandboxClient
) -> None:
    minji = client.resident(RESIDENT_ID, "민지")

    sent = await bot.send_message(
        RESIDENT_ID,
        "<b>환영합니다</b>, 민지님",
        parse_mode="HTML",
        reply_markup=keyboard(("제안하기", "propose")),
    )

    assert sent.text == "환영합니다, 민지님"
    assert sent.entities[0].type == "bold"
    assert sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot
    [seen] = minji.inbox()
    assert seen.message_id == sent.message_id
    assert seen.text == "환영합니다, 민지님"
    assert seen.raw_text == "<b>환영합니다</b>, 민지님"
    assert seen.buttons == ((("제안하기", "propose"),),)


async def test_reply_keyboard_is_kept_as_sent(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)
    markup = ReplyKeyboardMarkup([[KeyboardButton("연락처 공유", request_contact=True)]])

    await bot.send_message(RESIDENT_ID, "전화번호를 알려 주세요", reply_markup=markup)

    assert minji.last_message().reply_keyboard == (("연락처 공유",),)


async def test_get_updates_long_poll_returns_as_soon_as_a_resident_speaks(
    bot: Bot, client: SandboxClient, state: SandboxState
) -> None:
    minji = client.resident(RESIDENT_ID, "민지")
    polling = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
    assert await state.wait_until(lambda: bool(state.calls_to("getUpdates")), timeout=5)

    await minji.say("/start")
    updates = await asyncio.wait_for(polling, timeout=5)

    [update] = updates
    assert update.message is not None
    assert update.message.text == "/start"
    assert update.message.from_user is not None and update.message.from_user.id == RESIDENT_ID
    assert update.message.entities[0].type == "bot_command"


async def test_offset_confirms_older_updates(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)
    await minji.say("하나")
    await minji.say("둘")

    first = await bot.get_updates()
    after_confirming = await bot.get_updates(offset=first[0].update_id + 1)
    nothing_left = await bot.get_updates(offset=after_confirming[-1].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["하나", "둘"]
    assert [u.message.text for u in after_confirming if u.message] == ["둘"]
    assert nothing_left == ()


async def test_allowed_updates_filters_update_types(
    bot: Bot, client: SandboxClient, state: SandboxState
) -> None:
    minji = client.resident(RESIDENT_ID)
    sent = await bot.send_message(RESIDENT_ID, "골라 주세요", reply_markup=keyboard(("예", "y")))
    await minji.say("안녕")
    await minji.press(minji.message(sent.message_id), "예")

    updates = await bot.get_updates(allowed_updates=["callback_query"])

    assert [u.callback_query.data for u in updates if u.callback_query] == ["y"]
    assert all(u.message is None for u in updates)


async def test_errors_surface_as_ptb_exceptions(
    bot: Bot, client: SandboxClient, state: SandboxState
) -> None:
    blocked = client.resident(RESIDENT_ID)
    blocked.block_bot()

    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "누구세요")
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(RESIDENT_ID, "안녕하세요")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(RESIDENT_ID, "")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(RESIDENT_ID, "가" * 4097)


async def test_too_long_callback_data_is_rejected(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID)

    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(RESIDENT_ID, "x", reply_markup=keyboard(("긴 버튼", "x" * 65)))


async def test_malformed_html_is_rejected_like_telegram(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID)

    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(RESIDENT_ID, "<b>닫히지 않은 태그", parse_mode="HTML")


async def test_injected_flood_error_becomes_retry_after(
    bot: Bot, client: SandboxClient, state: SandboxState
) -> None:
    client.resident(RESIDENT_ID)
    state.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7",
        retry_after=7,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns that retry_after will become a timedelta
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(RESIDENT_ID, "첫 시도")
        retry_after = raised.value.retry_after
    second_try = await bot.send_message(RESIDENT_ID, "두 번째 시도")
    if isinstance(retry_after, dtm.timedelta):
        retry_after = int(retry_after.total_seconds())
    assert retry_after == 7
    assert second_try.text == "두 번째 시도"


async def test_wrong_token_and_unknown_method(server: SandboxServer, state: SandboxState) -> None:
    stranger = Bot("999:WRONG", base_url=server.base_url)
    with pytest.raises(InvalidToken):
        async with stranger:
            pass
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.base_url}{state.token}/noSuchMethod") as response,
    ):
        body = await response.json()
    assert response.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(
    server: SandboxServer, state: SandboxState
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.base_url}{state.token}/GETME") as response,
    ):
        body = await response.json()

    assert body["ok"] is True
    assert body["result"]["username"] == state.bot.username
    assert state.calls[-1].method == "getMe"


async def test_multipart_send_photo_and_document(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)

    photo = await bot.send_photo(
        RESIDENT_ID, InputFile(b"\x89PNG fake", filename="map.png"), caption="위치"
    )
    document = await bot.send_document(RESIDENT_ID, b"%PDF-1.4 fake", filename="minutes.pdf")
    resent = await bot.send_photo(RESIDENT_ID, photo.photo[-1].file_id)

    assert photo.caption == "위치"
    assert photo.photo[-1].file_size == len(b"\x89PNG fake")
    assert document.document is not None and document.document.file_name == "minutes.pdf"
    assert resent.photo[-1].file_id == photo.photo[-1].file_id
    kinds = [(m.file_kind, m.file_name, m.text) for m in minji.inbox()]
    assert kinds == [
        ("photo", "map.png", "위치"),
        ("document", "minutes.pdf", None),
        ("photo", "map.png", None),
    ]


async def test_edit_message_text_and_not_modified(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)
    sent = await bot.send_message(RESIDENT_ID, "찬성 0", reply_markup=keyboard(("찬성", "up")))
    before = minji.last_message()

    edited = await bot.edit_message_text(
        "찬성 1", RESIDENT_ID, sent.message_id, reply_markup=keyboard(("찬성", "up"))
    )
    seen = await minji.wait_for_edit(before, timeout=1)

    assert isinstance(edited, type(sent)) and edited.text == "찬성 1"
    assert seen.text == "찬성 1" and seen.edited
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "찬성 1", RESIDENT_ID, sent.message_id, reply_markup=keyboard(("찬성", "up"))
        )
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("없음", RESIDENT_ID, 999)


async def test_edit_reply_markup_and_delete(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)
    sent = await bot.send_message(RESIDENT_ID, "투표", reply_markup=keyboard(("예", "y")))

    await bot.edit_message_reply_markup(RESIDENT_ID, sent.message_id, reply_markup=None)
    assert minji.last_message().buttons == ()
    assert await bot.delete_message(RESIDENT_ID, sent.message_id)

    assert minji.inbox() == []
    assert minji.message(sent.message_id).deleted


async def test_callback_query_round_trip(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID)
    await bot.send_message(
        RESIDENT_ID, "공감하시나요?", reply_markup=keyboard(("공감", "agree:7"))
    )

    query_id = await minji.press(minji.last_message(), "공감")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    await update.callback_query.answer("공감했어요", show_alert=True)

    assert update.callback_query.id == query_id
    assert update.callback_query.data == "agree:7"
    assert update.callback_query.message is not None
    answer = minji.callback_answer(query_id)
    assert answer is not None and answer.text == "공감했어요" and answer.show_alert
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await bot.answer_callback_query("no-such-query")


async def test_poll_answer_reaches_the_bot(bot: Bot, client: SandboxClient) -> None:
    minji = client.resident(RESIDENT_ID, "민지")

    sent = await bot.send_poll(
        RESIDENT_ID, "어느 날이 좋을까요?", ["토요일", "일요일"], is_anonymous=False
    )
    await minji.answer_poll(minji.last_message(), [1])
    [update] = await bot.get_updates()
    stopped = await bot.stop_poll(RESIDENT_ID, sent.message_id)

    assert sent.poll is not None and sent.poll.options[0].text == "토요일"
    assert update.poll_answer is not None
    assert update.poll_answer.poll_id == sent.poll.id
    assert update.poll_answer.option_ids == (1,)
    assert update.poll_answer.user is not None and update.poll_answer.user.id == RESIDENT_ID
    assert stopped.is_closed and stopped.options[1].voter_count == 1
    poll_view = minji.last_message().poll
    assert poll_view is not None and poll_view.is_closed


async def test_forum_topics(bot: Bot, client: SandboxClient) -> None:
    forum = client.group(-100123, "OO동 주민 포럼", is_forum=True)
    minji = client.resident(RESIDENT_ID)

    topic = await bot.create_forum_topic(-100123, "놀이터 보수")
    posted = await bot.send_message(
        -100123, "새 제안이 올라왔어요", message_thread_id=topic.message_thread_id
    )
    await minji.say_in(forum, "좋아요", message_thread_id=topic.message_thread_id)
    assert await bot.close_forum_topic(-100123, topic.message_thread_id)

    assert topic.name == "놀이터 보수"
    assert posted.message_thread_id == topic.message_thread_id and posted.is_topic_message
    assert forum.topic_ids() == {"놀이터 보수": topic.message_thread_id}
    assert forum.is_topic_closed(topic.message_thread_id)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.message_thread_id == topic.message_thread_id
    with pytest.raises(BadRequest, match="(?i)TOPIC_CLOSED"):
        await bot.send_message(-100123, "닫힌 토픽", message_thread_id=topic.message_thread_id)


async def test_get_chat_returns_full_info(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID, "민지")
    client.group(-100555, "OO동", is_forum=True)

    private = await bot.get_chat(RESIDENT_ID)
    forum = await bot.get_chat(-100555)

    assert private.first_name == "민지" and private.type == "private"
    assert forum.title == "OO동" and forum.is_forum and forum.type == "supergroup"


async def test_commands_are_stored_per_scope_and_language(
    bot: Bot, client: SandboxClient, state: SandboxState
) -> None:
    client.resident(RESIDENT_ID)
    await bot.set_my_commands([BotCommand("start", "시작")], language_code="ko")
    await bot.set_my_commands(
        [BotCommand("review", "검토")], scope=BotCommandScopeChat(RESIDENT_ID)
    )

    korean = await bot.get_my_commands(language_code="ko")
    default = await bot.get_my_commands()
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(RESIDENT_ID))
    await bot.delete_my_commands(language_code="ko")

    assert [c.command for c in korean] == ["start"]
    assert default == ()
    assert [c.command for c in scoped] == ["review"]
    assert await bot.get_my_commands(language_code="ko") == ()
    assert state.calls_to("setMyCommands")[0].params["commands"] == [
        {"command": "start", "description": "시작"}
    ]


async def test_send_chat_action(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID)

    assert await bot.send_chat_action(RESIDENT_ID, "typing")


# ----- refusals, with Telegram's own texts ------------------------------------------------

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


async def raw_call(server: SandboxServer, method: str, **params: object) -> tuple[int, dict]:
    """One Bot API call as JSON, returning the HTTP status and the decoded body."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.base_url}{server.state.token}/{method}", json=params) as response,
    ):
        return response.status, await response.json()


def refusal(description: str) -> dict:
    return {"ok": False, "error_code": 400, "description": description}


async def test_a_second_answer_to_one_callback_query_is_refused(
    server: SandboxServer, client: SandboxClient
) -> None:
    minji = client.resident(RESIDENT_ID)
    status, sent = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text="공감하시나요?",
                                  reply_markup={"inline_keyboard": [[
                                      {"text": "공감", "callback_data": "e:1:7"}]]})
    assert status == 200 and sent["ok"]
    query_id = await minji.press(minji.last_message(), "공감")

    first = await raw_call(server, "answerCallbackQuery", callback_query_id=query_id,
                           text="공감했어요")
    second = await raw_call(server, "answerCallbackQuery", callback_query_id=query_id,
                            text="다시 한 번")

    assert first == (200, {"ok": True, "result": True})
    assert second == (400, refusal(QUERY_TOO_OLD))
    answer = minji.callback_answer(query_id)
    assert answer is not None and answer.text == "공감했어요"


async def test_an_answer_longer_than_200_characters_is_refused(
    server: SandboxServer, client: SandboxClient
) -> None:
    minji = client.resident(RESIDENT_ID)
    await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text="골라 주세요",
                   reply_markup={"inline_keyboard": [[{"text": "예", "callback_data": "y"}]]})
    query_id = await minji.press(minji.last_message(), "예")

    too_long = await raw_call(server, "answerCallbackQuery", callback_query_id=query_id,
                              text="가" * 201, show_alert=True)
    at_limit = await raw_call(server, "answerCallbackQuery", callback_query_id=query_id,
                              text="가" * 200, show_alert=True)

    assert too_long == (400, refusal("Bad Request: MESSAGE_TOO_LONG"))
    assert at_limit == (200, {"ok": True, "result": True})


async def test_edits_that_change_nothing_are_refused(
    server: SandboxServer, client: SandboxClient, bot: Bot
) -> None:
    client.resident(RESIDENT_ID)
    markup = {"inline_keyboard": [[{"text": "찬성", "callback_data": "up"}]]}
    _, sent = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID,
                             text="<b>찬성</b> 1", parse_mode="HTML", reply_markup=markup)
    message_id = sent["result"]["message_id"]
    photo = await bot.send_photo(RESIDENT_ID, InputFile(b"png", filename="p.png"),
                                 caption="<i>위치</i>", parse_mode="HTML")

    same_text = await raw_call(server, "editMessageText", chat_id=RESIDENT_ID,
                               message_id=message_id, text="<strong>찬성</strong> 1 \n",
                               parse_mode="HTML", reply_markup=markup)
    same_markup = await raw_call(server, "editMessageReplyMarkup", chat_id=RESIDENT_ID,
                                 message_id=message_id, reply_markup=markup)
    same_caption = await raw_call(server, "editMessageCaption", chat_id=RESIDENT_ID,
                                  message_id=photo.message_id, caption="<em>위치</em>",
                                  parse_mode="HTML")
    new_caption = await raw_call(server, "editMessageCaption", chat_id=RESIDENT_ID,
                                 message_id=photo.message_id, caption="새 위치")
    markup_only = await raw_call(server, "editMessageText", chat_id=RESIDENT_ID,
                                 message_id=message_id, text="<b>찬성</b> 1", parse_mode="HTML")

    assert same_text == (400, refusal(NOT_MODIFIED))
    assert same_markup == (400, refusal(NOT_MODIFIED))
    assert same_caption == (400, refusal(NOT_MODIFIED))
    assert new_caption[0] == 200 and new_caption[1]["result"]["caption"] == "새 위치"
    assert markup_only[0] == 200 and "reply_markup" not in markup_only[1]["result"]


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("사용법: /assign <제안 번호> <부서 번호>",
         'Unsupported start tag "제안" at byte offset 19'),
        ("<foo>bar</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>굵게", 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("점수 <", "Unclosed start tag at byte offset 7"),
        ("<b>굵게</i>", 'Unmatched end tag at byte offset 9, expected "</b>", found "</i>"'),
        ("닫기만</b>", "Unexpected end tag at byte offset 9"),
        ("<br>줄", 'Unsupported start tag "br" at byte offset 0'),
        ("<span>가림</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href=a_b>링크</a>', "Unexpected end of name token at byte offset 8"),
    ],
)
async def test_html_telegram_cannot_parse_is_refused(
    server: SandboxServer, client: SandboxClient, text: str, description: str
) -> None:
    minji = client.resident(RESIDENT_ID)

    result = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text=text,
                            parse_mode="HTML")

    assert result == (400, refusal(f"Bad Request: can't parse entities: {description}"))
    assert minji.inbox() == []


async def test_the_refusal_reaches_ptb_as_bad_request(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID)

    with pytest.raises(BadRequest) as raised:
        await bot.send_message(RESIDENT_ID, "사용법: /assign <제안 번호> <부서 번호>",
                               parse_mode="HTML")

    assert raised.value.message == (
        'Can\'t parse entities: unsupported start tag "제안" at byte offset 19')


async def test_telegrams_html_subset_is_accepted_with_its_entities(
    bot: Bot, client: SandboxClient
) -> None:
    client.resident(RESIDENT_ID)
    text = (
        '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>'
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>t</tg-spoiler>'
        '<a href="https://example.org/?a=1&amp;b=2">a</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote>'
        "<blockquote expandable>x</blockquote> &lt;제안 번호&gt; &amp; &quot; &#39; &#x27; &nbsp;"
    )

    sent = await bot.send_message(RESIDENT_ID, text, parse_mode="HTML")

    assert sent.text == "bsieunskdpta👍cx = 1qx <제안 번호> & \" ' ' &nbsp;"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [
        ("bold", 0, 1), ("bold", 1, 1), ("italic", 2, 1), ("italic", 3, 1),
        ("underline", 4, 1), ("underline", 5, 1), ("strikethrough", 6, 1),
        ("strikethrough", 7, 1), ("strikethrough", 8, 1), ("spoiler", 9, 1), ("spoiler", 10, 1),
        ("text_link", 11, 1), ("custom_emoji", 12, 2), ("code", 14, 1), ("pre", 15, 5),
        ("blockquote", 20, 1), ("expandable_blockquote", 21, 1),
    ]
    assert sent.entities[11].url == "https://example.org/?a=1&b=2"
    assert sent.entities[14].language == "python"


async def test_text_length_counts_utf16_units_after_parsing(
    server: SandboxServer, client: SandboxClient
) -> None:
    client.resident(RESIDENT_ID)

    emoji_at_limit = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text="😀" * 2048)
    one_unit_more = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID,
                                   text="😀" * 2048 + "a")
    markup_not_counted = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID,
                                        text="<b>" + "가" * 4096 + "</b>", parse_mode="HTML")

    assert emoji_at_limit[0] == 200
    assert one_unit_more == (400, refusal("Bad Request: message is too long"))
    assert markup_not_counted[0] == 200


async def test_an_edit_over_the_limit_is_refused(
    server: SandboxServer, client: SandboxClient
) -> None:
    client.resident(RESIDENT_ID)
    _, sent = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text="짧은 글")

    result = await raw_call(server, "editMessageText", chat_id=RESIDENT_ID,
                            message_id=sent["result"]["message_id"], text="가" * 4097)

    assert result == (400, refusal("Bad Request: message is too long"))


async def test_a_caption_over_1024_is_refused(bot: Bot, client: SandboxClient) -> None:
    client.resident(RESIDENT_ID)

    at_limit = await bot.send_photo(RESIDENT_ID, InputFile(b"png", filename="a.png"),
                                    caption="가" * 1024)
    with pytest.raises(BadRequest) as raised:
        await bot.send_photo(RESIDENT_ID, InputFile(b"png", filename="b.png"),
                             caption="<b>" + "가" * 1025 + "</b>", parse_mode="HTML")

    assert at_limit.caption == "가" * 1024
    assert raised.value.message == "Message caption is too long"


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>", "<i></i>"])
async def test_an_empty_text_is_refused(
    server: SandboxServer, client: SandboxClient, text: str
) -> None:
    client.resident(RESIDENT_ID)

    result = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text=text,
                            parse_mode="HTML")

    assert result == (400, refusal("Bad Request: message text is empty"))


@pytest.mark.parametrize(("data", "accepted"),
                         [("x" * 64, True), ("x" * 65, False), ("가" * 22, False)])
async def test_callback_data_over_64_bytes_is_refused(
    server: SandboxServer, client: SandboxClient, data: str, accepted: bool
) -> None:
    client.resident(RESIDENT_ID)

    status, body = await raw_call(server, "sendMessage", chat_id=RESIDENT_ID, text="버튼",
                                  reply_markup={"inline_keyboard": [[
                                      {"text": "긴 버튼", "callback_data": data}]]})

    if accepted:
        assert status == 200 and body["ok"]
    else:
        assert (status, body) == (400, refusal("Bad Request: BUTTON_DATA_INVALID"))
