"""The proposal wizard on a 360 px phone: no button label breaks inside a word (issue #14);
and with a place, on a 360×640 phone and a 1280×800 desktop, down to the published card.

Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Sandbox
from tests.browser.test_sandbox_page import TIMEOUT_MS, ChatPage

if TYPE_CHECKING:
    from playwright.async_api import Browser, Dialog, Locator, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

SMALL_PHONE: ViewportSize = {"width": 360, "height": 780}
SCREENS: dict[str, ViewportSize] = {
    "360x640": {"width": 360, "height": 640}, "1280x800": {"width": 1280, "height": 800},
}
PLACE_TYPED = "37.48412345,126.89623456"  # what the 📍 button's prompt is answered with

# For each button: the places where its label goes onto a new line between two characters
# neither of which is a space, i.e. inside a word (`✏️ 제/목`). Characters are walked by code
# point so that an emoji's two halves are measured as one.
BREAKS_INSIDE_WORDS = """
(buttons) => buttons.map((button) => {
  const glyphs = [];
  const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let offset = 0;
    for (const char of node.data) {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + char.length);
      const rect = range.getClientRects()[0];
      if (rect) glyphs.push({ char, top: rect.top, height: rect.height });
      offset += char.length;
    }
  }
  const breaks = [];
  for (let i = 1; i < glyphs.length; i++) {
    const [before, after] = [glyphs[i - 1], glyphs[i]];
    const newLine = after.top > before.top + before.height / 2;
    const insideWord = before.char.trim() && after.char.trim();
    if (newLine && insideWord) breaks.push(before.char + "/" + after.char);
  }
  return { label: button.textContent, breaks };
})
"""


@pytest.fixture
async def small_phone(browser: Browser, sandbox: Sandbox) -> AsyncIterator[ChatPage]:
    context = await browser.new_context(
        viewport=SMALL_PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="ko-KR", timezone_id="Asia/Seoul",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    chat = ChatPage(page)
    page.on("pageerror", lambda error: chat.errors.append(str(error)))
    await page.goto(sandbox.url)
    await expect(page.locator("#messages")).to_contain_text("주민을 추가", timeout=TIMEOUT_MS)
    try:
        yield chat
    finally:
        await context.close()


async def words_broken(buttons: Locator) -> list[dict[str, Any]]:
    """The buttons whose label breaks inside a word, with where."""
    found = await buttons.evaluate_all(BREAKS_INSIDE_WORDS)
    return [button for button in found if button["breaks"]]


async def reach_the_preview(chat: ChatPage) -> Locator:
    answers = [
        ("1/7", "공원 산책로 가로등 설치"),
        ("2/7", "밤에 공원 산책로가 너무 어두워서 산책하기 무서워요."),
        ("3/7", "산책로를 따라 가로등을 설치해 주세요."),
        ("4/7", "밤에도 안전하게 산책할 수 있어요."),
        ("5/7", "구로 1동"),
    ]
    await chat.send("/propose")
    for question, answer in answers:
        await chat.see(question)
        await chat.send(answer)
    category = await chat.see("6/7")
    await category.get_by_role("button", name="건너뛰기 ⏭").click()
    photo = await chat.see("7/7")
    await photo.get_by_role("button", name="건너뛰기 ⏭").click()
    return await chat.see("미리 보기")


async def test_no_wizard_button_breaks_inside_a_word_at_360_px(
    small_phone: ChatPage, screenshot_dir: Path
) -> None:
    chat = small_phone
    await chat.add_resident("민지")
    preview = await reach_the_preview(chat)
    edit_title = preview.get_by_role("button", name="✏️ 제목")
    await expect(edit_title).to_be_visible()
    await edit_title.scroll_into_view_if_needed()
    await expect(chat.page.locator("#toast")).to_be_hidden(timeout=TIMEOUT_MS)
    await chat.page.screenshot(path=screenshot_dir / "wizard-preview-360.png")
    assert await words_broken(preview.get_by_role("button")) == []
    broken = await words_broken(chat.messages.locator(".keyboard button"))
    assert broken == [], [(b["label"], b["breaks"]) for b in broken]
    chat.assert_quiet()


async def test_the_check_sees_a_label_broken_inside_a_word(small_phone: ChatPage) -> None:
    """The check itself: squeezed as four a row once were, a label does break (기/대효/과)."""
    await small_phone.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', "
        "'<div id=squeezed class=keyboard><button style=\"width:52px\">✏️ 기대효과</button></div>')"
    )
    broken = await words_broken(small_phone.page.locator("#squeezed button"))
    assert broken and broken[0]["breaks"], broken


@pytest.fixture(params=list(SCREENS))
async def screen(
    request: pytest.FixtureRequest, browser: Browser, sandbox: Sandbox
) -> AsyncIterator[tuple[str, ChatPage]]:
    """The chat page at one of SCREENS; the 📍 button's prompt is answered with a place."""
    label, size = request.param, SCREENS[request.param]
    phone = size["width"] < 600
    context = await browser.new_context(
        viewport=size, device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone,
        locale="ko-KR", timezone_id="Asia/Seoul",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    chat = ChatPage(page)

    async def answer(dialog: Dialog) -> None:
        if "위치" not in dialog.message:
            chat.dialogs.append(f"{dialog.type}: {dialog.message}")
        await dialog.accept(PLACE_TYPED)

    page.on("dialog", answer)
    page.on("pageerror", lambda error: chat.errors.append(str(error)))
    await page.goto(sandbox.url)
    await expect(page.locator("#messages")).to_contain_text("주민을 추가", timeout=TIMEOUT_MS)
    try:
        yield label, chat
    finally:
        await context.close()


async def fits_sideways(chat: ChatPage) -> bool:
    """No sideways scrolling, of the page or of the chat."""
    return bool(await chat.page.evaluate(
        "[document.documentElement, document.getElementById('messages')]"
        ".every((box) => box.scrollWidth <= box.clientWidth)"))


async def reply_button(chat: ChatPage, name: str) -> Locator:
    """A reply-keyboard button, opening the keyboard first where the page keeps it folded."""
    button = chat.reply_keyboard.get_by_role("button", name=name)
    if not await button.is_visible():
        await chat.page.locator("#toggle-menu").click()
    await expect(button).to_be_visible()
    return button


async def share_a_place_and_reach_the_preview(
    chat: ChatPage, screenshot: Path | None = None
) -> Locator:
    """Through the wizard with a place sent by the 📍 button; `screenshot`: of the 동 question
    with its suggestion."""
    await chat.send("/propose")
    for question, answer in (
        ("1/7", "구로디지털단지역 앞 횡단보도 신호 연장"),
        ("2/7", "출근 시간에 사람이 많아서 신호가 짧아 건너기 어려워요."),
        ("3/7", "보행 신호를 10초 더 길게 해 주세요."),
        ("4/7", "어르신과 아이들도 안전하게 건널 수 있어요."),
    ):
        await chat.see(question)
        await chat.send(answer)
    await chat.see("5/7")
    await (await reply_button(chat, "📍 위치 보내기")).click()
    await chat.see("📍 37.4841, 126.8962")  # the resident's location message
    await chat.see("제안에 담았어요. 구로3동 근처예요")
    area = chat.rows.filter(has_text="보내신 위치는 구로3동 근처예요")
    suggested = area.get_by_role("button", name="📍 구로3동 (추천)")
    await expect(suggested).to_be_visible()
    if screenshot is not None:
        await expect(chat.page.locator("#toast")).to_be_hidden(timeout=TIMEOUT_MS)
        await area.evaluate("(row) => row.scrollIntoView({ block: 'start' })")
        await chat.page.screenshot(path=screenshot)
    assert await words_broken(area.get_by_role("button")) == []
    await suggested.click()
    await (await chat.see("6/7")).get_by_role("button", name="건너뛰기 ⏭").click()
    await (await chat.see("7/7")).get_by_role("button", name="건너뛰기 ⏭").click()
    return await chat.see("지도에서 위치 보기")


async def test_a_proposal_with_a_place_on_a_phone_and_a_desktop(
    screen: tuple[str, ChatPage], screenshot_dir: Path
) -> None:
    """Screens of the wizard's preview and of the published card, each fitting sideways,
    no label broken inside a word, the card's map link visible and pointing at the place."""
    label, chat = screen
    await chat.add_resident("민지")
    preview = await share_a_place_and_reach_the_preview(
        chat, screenshot_dir / f"wizard-place-suggested-{label}.png")
    await expect(preview).to_contain_text("📍 구로3동")
    await preview.get_by_role("button", name="✅ 게시하기").scroll_into_view_if_needed()
    await expect(chat.page.locator("#toast")).to_be_hidden(timeout=TIMEOUT_MS)
    await chat.page.screenshot(path=screenshot_dir / f"wizard-place-preview-{label}.png")
    assert await fits_sideways(chat)
    assert await words_broken(preview.get_by_role("button")) == []

    await preview.get_by_role("button", name="✅ 게시하기").click()
    published = await chat.see("게시되었어요")
    number = re.search(r"start=p(\d+)", await published.inner_text())
    assert number is not None
    await chat.send(f"/start p{number.group(1)}")
    card = await chat.see(f"신호 연장」 #{number.group(1)}")
    await chat.see("다른 제안을 둘러보고")  # the menu follows a card opened by its link
    place = card.get_by_role("link", name="🗺 지도에서 위치 보기")
    await place.scroll_into_view_if_needed()
    await expect(place).to_be_visible()
    assert re.fullmatch(r"https://map\.kakao\.com/link/map/[^,]+,37\.4841,126\.8962",
                        await place.get_attribute("href") or "")
    await expect(chat.page.locator("#toast")).to_be_hidden(timeout=TIMEOUT_MS)
    await chat.page.screenshot(path=screenshot_dir / f"proposal-card-{label}.png")
    assert await fits_sideways(chat)
    broken = await words_broken(card.locator(".keyboard button, .keyboard a"))
    assert broken == [], [(b["label"], b["breaks"]) for b in broken]
    chat.assert_quiet()
