"""The sandbox page as it is demonstrated: an admin's multi-line forms, the bot's photos and
a conversation that fills most of a phone. A real headless Chromium and the real bot.

Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.clock import ShiftableClock
from bot.serving import SandboxTimeTravel
from sandbox import SandboxServer, SandboxState
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SANDBOX_START,
    Sandbox,
    fits_the_screen,
)
from tests.support.databases import sqlite_copy
from tests.support.harness import running_bot, settings_for

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
FIRST_RESIDENT_ID = 1001  # the page numbers residents from 1001
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
PHONE_SHARE = 0.65
ROUND_FORM = ["/round_new", "이름: 2027 구로 주민참여예산", "예산: 1억", "시작: 2026-11-25 09:00",
              "마감: 2026-11-27", "방식: 예산", "집계: greedy"]


@pytest.fixture
async def admin_sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The sandbox as `gonggam sandbox` runs it, with the page's first resident an admin."""
    clock = ShiftableClock(SANDBOX_START)
    state = SandboxState(clock=lambda: clock.now().timestamp())
    async with SandboxServer(state, SandboxTimeTravel(clock)) as server:
        settings = settings_for(sqlite_copy(sqlite_template, tmp_path), server,
                                admin_telegram_ids=frozenset({FIRST_RESIDENT_ID}))
        async with running_bot(settings, clock) as runtime:
            yield Sandbox(server, clock, runtime)


async def open_page(browser: Browser, sandbox: Sandbox, viewport: ViewportSize) -> Page:
    phone = viewport["width"] < 600
    context = await browser.new_context(
        viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
        has_touch=phone, locale="ko-KR", timezone_id="Asia/Seoul",
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    await tab.goto(sandbox.url)
    await expect(tab.locator("#messages")).to_contain_text("주민을 추가")
    return tab


async def add_resident(tab: Page, name: str) -> None:
    await tab.get_by_label("새 주민 이름").fill(name)
    await tab.locator("#add-user").get_by_role("button", name="추가").click()
    await expect(tab.locator("#user-select option:checked")).to_contain_text(name)


async def send_by_enter(tab: Page, lines: list[str]) -> None:
    """Types the lines as a person does: Shift+Enter between them, Enter to send."""
    box = tab.get_by_label("보낼 메시지")
    await box.click()
    for index, line in enumerate(lines):
        if index:
            await box.press("Shift+Enter")
        await box.type(line)
    await box.press("Enter")
    await expect(box).to_have_value("")


def tiny_png(width: int = 40, height: int = 30) -> bytes:
    """A real (decodable) PNG in the page's blue."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x1f\x6f\xb2" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


async def conversation_share(tab: Page) -> float:
    return float(await tab.evaluate(
        "document.getElementById('messages').getBoundingClientRect().height / innerHeight"))


async def test_an_admin_sends_a_multiline_round_form_from_the_page(
    browser: Browser, admin_sandbox: Sandbox, screenshot_dir: Path
) -> None:
    tab = await open_page(browser, admin_sandbox, PHONE)
    await add_resident(tab, "관리자")
    box = tab.get_by_label("보낼 메시지")
    one_line = (await box.bounding_box() or {"height": 0})["height"]

    await box.click()
    await box.type(ROUND_FORM[0])
    await box.press("Shift+Enter")
    await box.type(ROUND_FORM[1])
    assert await box.input_value() == "\n".join(ROUND_FORM[:2])
    grown = (await box.bounding_box() or {"height": 0})["height"]
    assert grown > one_line, "the message box grows with a second line"
    await box.fill("")
    await send_by_enter(tab, ROUND_FORM)

    sent = tab.locator(".row.user .bubble").last
    assert await sent.inner_text() == "\n".join(ROUND_FORM)
    created = tab.locator(".row.bot").filter(has_text="✅")
    await expect(created).to_contain_text("/project_add 1")
    await expect(created).to_contain_text("2027 구로 주민참여예산")
    assert (await box.bounding_box() or {"height": 0})["height"] == one_line

    await send_by_enter(tab, ["/project_add 1", "제목: 어린이공원 가로등", "비용: 5,000만"])
    await expect(tab.locator(".row.bot").last).to_contain_text("어린이공원 가로등")
    await tab.screenshot(path=screenshot_dir / "sandbox-multiline-phone.png")


async def test_a_photo_the_bot_sends_is_shown_as_an_image(
    browser: Browser, admin_sandbox: Sandbox, screenshot_dir: Path
) -> None:
    tab = await open_page(browser, admin_sandbox, PHONE)
    await add_resident(tab, "관리자")

    await send_by_enter(tab, ["/stats"])

    image = tab.locator(".row.bot img")
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert await fits_the_screen(tab)
    await expect(tab.locator(".row.bot").last).to_be_in_viewport()
    await tab.screenshot(path=screenshot_dir / "sandbox-photo-phone.png")


async def test_a_resident_sends_a_photo_with_a_caption_from_the_page(
    browser: Browser, admin_sandbox: Sandbox
) -> None:
    tab = await open_page(browser, admin_sandbox, PHONE)
    await add_resident(tab, "민지")
    box = tab.get_by_label("보낼 메시지")
    await box.fill("어두운 골목")

    await tab.get_by_label("사진 첨부").set_input_files(
        {"name": "골목.png", "mimeType": "image/png", "buffer": tiny_png()})

    mine = tab.locator(".row.user").last
    await expect(mine).to_contain_text("어두운 골목")
    await expect(mine.locator("img")).to_be_visible()
    assert await mine.locator("img").evaluate("img => img.complete && img.naturalWidth === 40")
    await expect(box).to_have_value("")
    [message] = admin_sandbox.server.state.chat(FIRST_RESIDENT_ID).messages[:1]
    assert message.file is not None and message.caption == "어두운 골목"


@pytest.mark.parametrize(("label", "viewport", "share"), [
    ("small-phone", SMALL_PHONE, PHONE_SHARE), ("phone", PHONE, PHONE_SHARE),
    ("desktop", DESKTOP, 0.6),
])
async def test_the_conversation_gets_most_of_the_screen(
    browser: Browser, admin_sandbox: Sandbox, screenshot_dir: Path,
    label: str, viewport: ViewportSize, share: float,
) -> None:
    tab = await open_page(browser, admin_sandbox, viewport)
    await add_resident(tab, "민지")
    await send_by_enter(tab, ["/start"])
    await expect(tab.locator(".row.bot").first).to_contain_text("환영해요")
    await expect(tab.locator("#reply-keyboard button")).to_have_count(6)

    measured = await conversation_share(tab)
    print(f"{label}: the conversation takes {measured:.0%} of {viewport}")
    assert measured >= share, f"{label}: the conversation takes only {measured:.0%}"
    assert await fits_the_screen(tab)
    await expect(tab.locator("#toast")).to_be_hidden()
    await tab.screenshot(path=screenshot_dir / f"sandbox-layout-{label}.png")

    menu = tab.get_by_role("button", name="메뉴")
    settings_button = tab.get_by_role("button", name="⚙️ 알림 설정")
    if not await settings_button.is_visible():
        await menu.click()
    await expect(settings_button).to_be_visible()
    await menu.click()
    await expect(settings_button).to_be_hidden()
    await menu.click()
    await settings_button.click()
    await expect(tab.locator(".row.bot").last).to_contain_text("알림이 켜져 있어요")
    assert await conversation_share(tab) >= share - 0.1

    await tab.get_by_role("button", name="날짜 넘기기").click()
    await tab.get_by_role("button", name="+7일").click()
    await expect(tab.locator("#now")).to_contain_text("12월 1일")
    await tab.get_by_role("button", name="주민 추가").click()
    await expect(tab.get_by_label("새 주민 이름")).to_be_visible()
    assert await fits_the_screen(tab)
