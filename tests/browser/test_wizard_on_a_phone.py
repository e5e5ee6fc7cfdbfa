"""The proposal wizard on a 360 px phone: no button label breaks inside a word (issue #14).

Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Sandbox
from tests.browser.test_sandbox_page import TIMEOUT_MS, ChatPage

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

SMALL_PHONE: ViewportSize = {"width": 360, "height": 780}

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
