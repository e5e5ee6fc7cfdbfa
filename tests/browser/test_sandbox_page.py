"""The sandbox chat page in a real headless Chromium, talking to the real bot.

Everything waits through Playwright's auto-retrying `expect` and locators; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import DESKTOP, PHONE, SANDBOX_START, Sandbox

if TYPE_CHECKING:
    from playwright.async_api import Browser, Dialog, Locator, Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
MENU_LABELS = ["✍️ 제안하기", "🔎 제안 둘러보기", "🙋 내 활동", "💰 주민참여예산", "⚙️ 알림 설정",
               "❓ 도움말"]
GREETING = "안녕하세요, {name}님! 공감에 오신 것을 환영해요."


@dataclass
class ChatPage:
    """The page as a resident uses it; records any dialog or script error it raises."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def messages(self) -> Locator:
        return self.page.locator("#messages")

    @property
    def rows(self) -> Locator:
        return self.messages.locator(".row")

    @property
    def bot_rows(self) -> Locator:
        return self.messages.locator(".row.bot")

    def row_with(self, text: str) -> Locator:
        return self.rows.filter(has_text=text)

    @property
    def reply_keyboard(self) -> Locator:
        return self.page.locator("#reply-keyboard")

    async def add_resident(self, name: str) -> str:
        """Adds a resident through the form; returns their user id as the page shows it."""
        form = self.page.locator("#add-user")
        if not await form.is_visible():
            await self.page.get_by_role("button", name="주민 추가").click()
        await self.page.get_by_label("새 주민 이름").fill(name)
        await form.get_by_role("button", name="추가").click()
        chosen = self.page.locator("#user-select option:checked")
        await expect(chosen).to_contain_text(name, timeout=TIMEOUT_MS)
        user_id = await chosen.get_attribute("value")
        assert user_id
        return user_id

    async def switch_to(self, user_id: str) -> None:
        await self.page.get_by_label("지금 대화하는 주민").select_option(user_id)

    async def send(self, text: str) -> None:
        box = self.page.get_by_label("보낼 메시지")
        await box.fill(text)
        await self.page.get_by_role("button", name="보내기", exact=True).click()
        await expect(box).to_have_value("", timeout=TIMEOUT_MS)

    async def see(self, text: str) -> Locator:
        row = self.row_with(text)
        await expect(row).to_be_visible(timeout=TIMEOUT_MS)
        return row

    def assert_quiet(self) -> None:
        assert self.dialogs == [], f"the page opened dialogs: {self.dialogs}"
        assert self.errors == [], f"the page raised script errors: {self.errors}"


@pytest.fixture
async def chat(browser: Browser, sandbox: Sandbox) -> AsyncIterator[ChatPage]:
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
        timezone_id="Asia/Seoul",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    chat_page = ChatPage(page)

    def on_dialog(dialog: Dialog) -> None:
        chat_page.dialogs.append(f"{dialog.type}: {dialog.message}")
        asyncio.ensure_future(dialog.dismiss())

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: chat_page.errors.append(str(error)))
    await page.goto(sandbox.url)
    await expect(page.locator("#messages")).to_contain_text("주민을 추가", timeout=TIMEOUT_MS)
    try:
        yield chat_page
    finally:
        await context.close()


async def test_resident_starts_and_turns_notifications_off(
    chat: ChatPage, screenshot_dir: Path
) -> None:
    await chat.add_resident("민지")
    await chat.send("/start")

    await chat.see(GREETING.format(name="민지"))
    await expect(chat.reply_keyboard.get_by_role("button")).to_have_text(
        MENU_LABELS, timeout=TIMEOUT_MS
    )

    await chat.reply_keyboard.get_by_role("button", name="⚙️ 알림 설정").click()
    card = await chat.see("알림이 켜져 있어요")
    card_id = await card.get_attribute("data-message-id")
    assert card_id
    bot_messages = await chat.bot_rows.count()

    await card.get_by_role("button", name="🔕 알림 끄기").click()

    edited = chat.messages.locator(f'.row[data-message-id="{card_id}"]')
    await expect(edited).to_contain_text("알림이 꺼져 있어요", timeout=TIMEOUT_MS)
    await expect(edited).to_contain_text("수정됨", timeout=TIMEOUT_MS)
    await expect(edited.get_by_role("button", name="🔔 알림 켜기")).to_be_visible()
    await expect(chat.row_with("알림이 켜져 있어요")).to_have_count(0)
    await expect(chat.bot_rows).to_have_count(bot_messages)

    await expect(chat.page.locator("#add-user")).to_be_hidden()
    await expect(chat.page.locator("#toast")).to_be_hidden(timeout=TIMEOUT_MS)
    await chat.page.screenshot(path=screenshot_dir / "sandbox-phone.png")
    await chat.page.set_viewport_size(DESKTOP)
    await expect(edited).to_be_in_viewport()
    await chat.page.screenshot(path=screenshot_dir / "sandbox-desktop.png")
    chat.assert_quiet()


async def test_each_resident_sees_only_their_own_chat(chat: ChatPage) -> None:
    minji = await chat.add_resident("민지")
    await chat.send("/start")
    await chat.see(GREETING.format(name="민지"))

    youngsu = await chat.add_resident("영수")
    await expect(chat.rows).to_have_count(0)
    await chat.send("/start")
    await chat.see(GREETING.format(name="영수"))
    await expect(chat.row_with("민지")).to_have_count(0)

    await chat.switch_to(minji)
    await chat.see(GREETING.format(name="민지"))
    await expect(chat.row_with("영수")).to_have_count(0)
    await expect(chat.row_with("/start")).to_have_count(1)

    await chat.switch_to(youngsu)
    await chat.see(GREETING.format(name="영수"))
    await expect(chat.row_with("민지")).to_have_count(0)
    chat.assert_quiet()


async def test_time_travel_moves_the_sandbox_date(chat: ChatPage, sandbox: Sandbox) -> None:
    shown = chat.page.locator("#now")
    await expect(shown).to_contain_text("2026년 11월 24일", timeout=TIMEOUT_MS)

    await chat.page.get_by_role("button", name="날짜 넘기기").click()
    await chat.page.get_by_role("button", name="+30일").click()

    await expect(shown).to_contain_text("2026년 12월 24일", timeout=TIMEOUT_MS)
    assert sandbox.clock.now() >= SANDBOX_START + timedelta(days=30)
    chat.assert_quiet()


async def test_html_typed_as_a_message_is_shown_as_text(chat: ChatPage) -> None:
    await chat.add_resident("민지")
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'

    await chat.send(payload)

    mine = chat.messages.locator(".row.user .bubble")
    await expect(mine).to_have_text(payload, timeout=TIMEOUT_MS)
    # The bot answers whatever it did not understand; its reply must arrive and be inert too.
    await expect(chat.rows.last).to_have_class(re.compile(r"\bbot\b"), timeout=TIMEOUT_MS)
    await expect(chat.messages.locator("img, script")).to_have_count(0)
    assert await chat.page.evaluate("window.__pwned") is None
    chat.assert_quiet()
