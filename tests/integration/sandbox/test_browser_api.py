"""The JSON API behind the chat page: residents, sending, buttons, polls, time travel."""

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from sandbox import SandboxServer, SandboxState

START = dtm.datetime(2025, 3, 1, 9, 0, tzinfo=dtm.UTC)


class FakeControls:
    """Stands in for the bot's clock; records how far the page moved time."""

    def __init__(self) -> None:
        self.current = START

    async def advance(self, delta: dtm.timedelta) -> None:
        self.current += delta

    def now(self) -> dtm.datetime:
        return self.current


@pytest.fixture
def controls() -> FakeControls:
    return FakeControls()


@pytest.fixture
async def server(state: SandboxState, controls: FakeControls) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(state, controls) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, url: str, body: dict[str, Any] | None = None) -> Any:
    method = http.get if body is None else http.post
    async with method(url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_chat_page_is_served(server: SandboxServer, http: aiohttp.ClientSession) -> None:
    async with http.get(server.url + "/") as response:
        page = await response.text()
    async with http.get(server.url + "/static/chat.js") as script:
        source = await script.text()

    assert response.status == 200 and "공감" in page
    assert script.status == 200 and "innerHTML" not in source


async def test_added_resident_sends_text_and_sees_bot_reply(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, state: SandboxState
) -> None:
    api = server.url + "/sandbox/api"
    user = await call(http, api + "/users", {"first_name": "민지", "language_code": "ko"})
    overview = await call(http, api + "/overview")

    await call(http, api + "/send", {"user_id": user["id"], "text": "/start"})
    [update] = await bot.get_updates()
    first = await call(http, f"{api}/chats/{user['id']}/messages")
    waiting = asyncio.create_task(
        call(http, f"{api}/chats/{user['id']}/messages?since={first['version']}")
    )
    await bot.send_message(user["id"], "<i>환영</i> <script>", parse_mode=None)
    changed = await asyncio.wait_for(waiting, timeout=5)

    assert [u["first_name"] for u in overview["users"]] == ["민지"]
    assert update.message is not None and update.message.text == "/start"
    assert [m["text"] for m in first["messages"]] == ["/start"]
    assert changed["messages"][-1]["text"] == "<i>환영</i> <script>"
    assert changed["messages"][-1]["from_bot"] is True


async def test_press_returns_the_callback_answer(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, state: SandboxState
) -> None:
    state.add_user(1001, "민지")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("공감", callback_data="agree:1")]])
    sent = await bot.send_message(1001, "공감하시나요?", reply_markup=markup)

    async def answer_when_pressed() -> None:
        [update] = await bot.get_updates(timeout=5)
        assert update.callback_query is not None and update.callback_query.data == "agree:1"
        await update.callback_query.answer("공감했어요")

    answering = asyncio.create_task(answer_when_pressed())
    result = await call(
        http,
        server.url + "/sandbox/api/press",
        {"user_id": 1001, "message_id": sent.message_id, "callback_data": "agree:1"},
    )
    await answering

    assert result["answer"] == {"text": "공감했어요", "alert": False}


async def test_vote_and_contact(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, state: SandboxState
) -> None:
    state.add_user(1001, "민지")
    sent = await bot.send_poll(1001, "언제?", ["월", "화"], is_anonymous=False)
    api = server.url + "/sandbox/api"

    await call(http, api + "/vote", {"user_id": 1001, "message_id": sent.message_id,
                                     "option_ids": [0]})
    await call(http, api + "/contact", {"user_id": 1001, "phone": "010-0000-0000"})
    updates = await bot.get_updates()
    messages = await call(http, api + "/chats/1001/messages")

    assert updates[0].poll_answer is not None and updates[0].poll_answer.option_ids == (0,)
    assert updates[1].message is not None and updates[1].message.contact is not None
    assert updates[1].message.contact.phone_number == "010-0000-0000"
    assert messages["messages"][0]["poll"]["options"][0]["voter_count"] == 1


async def test_a_location_is_delivered_and_the_keyboard_that_asks_for_it_is_shown(
    server: SandboxServer, http: aiohttp.ClientSession, bot: Bot, state: SandboxState
) -> None:
    state.add_user(1001, "민지")
    ask = ReplyKeyboardMarkup([[KeyboardButton("📍 위치 보내기", request_location=True)]])
    await bot.send_message(1001, "어디인가요?", reply_markup=ask)
    api = server.url + "/sandbox/api"
    shown = await call(http, api + "/chats/1001/messages")
    await call(http, api + "/location", {"user_id": 1001, "latitude": 37.484, "longitude": 126.9})
    async with http.post(api + "/location", json={"user_id": 1001, "latitude": 91,
                                                  "longitude": 0}) as refused:
        assert refused.status == 400
    [update] = await bot.get_updates()
    messages = await call(http, api + "/chats/1001/messages")

    assert shown["reply_keyboard"] == [[
        {"text": "📍 위치 보내기", "request_contact": False, "request_location": True}]]
    assert update.message is not None and update.message.location is not None
    assert (update.message.location.latitude, update.message.location.longitude) == (
        37.484, 126.9)
    assert messages["messages"][-1]["location"] == [37.484, 126.9]


async def test_time_travel_uses_the_controls(
    server: SandboxServer, http: aiohttp.ClientSession, controls: FakeControls
) -> None:
    api = server.url + "/sandbox/api"

    before = await call(http, api + "/overview")
    moved = await call(http, api + "/time/advance", {"days": 7})

    assert before["now"] == START.isoformat()
    assert moved["now"] == (START + dtm.timedelta(days=7)).isoformat()


async def test_unknown_user_is_rejected(
    server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    async with http.post(
        server.url + "/sandbox/api/send", json={"user_id": 5, "text": "hi"}
    ) as response:
        assert response.status == 400
