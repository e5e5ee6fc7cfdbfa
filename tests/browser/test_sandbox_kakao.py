"""The sandbox page plays KakaoTalk, in a real headless Chromium: the page posts Kakao's skill
request (through the sandbox server, with the secret header) to the real bot's `/kakao/skill`
and draws the response; a slow turn's `useCallback` answer arrives later through the sandbox
server's callback URL.

Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import TypeHandler

from bot.clock import ShiftableClock
from bot.db.models import KakaoAccount
from bot.domain.events import StatusChanged
from bot.domain.kakao import SECRET_HEADER
from bot.i18n import I18n
from bot.rendering.common import delayed_but_kept, not_understood
from bot.services.outbox import enqueue_for_users
from bot.services.wakes import Wake
from bot.serving import SandboxTimeTravel, show_texts
from bot.settings import with_sandbox_texts
from bot.web.kakao import KAKAO_SKILL_PATH
from sandbox import SandboxServer, SandboxState
from tests.browser.conftest import SANDBOX_START, Sandbox, at_every_width, free_port
from tests.e2e.test_kakao_e2e import SlowTurn, published_proposal
from tests.support.databases import sqlite_copy
from tests.support.harness import running_bot
from tests.support.kakao import BOT_ID, SECRET, kakao_settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
KO = I18n().get("ko")


@pytest.fixture
async def kakao_sandbox(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The sandbox with the bot's web app on a port of its own and the KakaoTalk channel on,
    connected as `bot.serving.sandbox` connects it."""
    clock = ShiftableClock(SANDBOX_START)
    state = SandboxState(clock=lambda: clock.now().timestamp())
    async with SandboxServer(state, SandboxTimeTravel(clock)) as server:
        port = free_port()
        settings = with_sandbox_texts(replace(
            kakao_settings(sqlite_copy(sqlite_template, tmp_path), server, port=port),
            contact_key="c" * 64))
        async with running_bot(settings, clock, serve_web=True) as runtime:
            assert runtime.kakao is not None
            runtime.kakao.deadline = asyncio.Event().wait  # no quick answer unless a test says
            server.connect_kakao(skill_url=f"http://127.0.0.1:{port}{KAKAO_SKILL_PATH}",
                                 header=SECRET_HEADER, secret=SECRET, bot_id=BOT_ID)
            show_texts(server, runtime)
            yield Sandbox(server, clock, runtime)


@pytest.fixture
async def tab(browser: Browser) -> AsyncIterator[tuple[Page, list[str]]]:
    """A small phone's Korean tab, and its script errors (the browser's own favicon request
    aside)."""
    context = await browser.new_context(viewport={"width": 360, "height": 640}, locale="ko-KR")
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "favicon" not in str(m.location) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield page, problems
    finally:
        await context.close()


async def resident_in_kakao(page: Page, name: str) -> None:
    await page.get_by_label("새 주민 이름").fill(name)
    await page.locator("#add-user").get_by_role("button", name="추가").click()
    switch = page.locator("#toggle-kakao")
    await expect(switch).to_be_visible(timeout=TIMEOUT_MS)
    await switch.click()
    await expect(switch).to_have_attribute("aria-pressed", "true")


async def say(page: Page, text: str) -> None:
    box = page.get_by_label("보낼 메시지")
    await box.fill(text)
    await page.get_by_role("button", name="보내기", exact=True).click()


def chip(page: Page, label: str) -> Locator:
    return page.locator("#quick-replies .chip", has_text=label)


async def test_a_resident_talks_in_kakaotalk_taps_quick_replies_and_sees_a_card(
    kakao_sandbox: Sandbox, tab: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    page, problems = tab
    await published_proposal(kakao_sandbox.runtime)
    await page.goto(kakao_sandbox.url)
    await resident_in_kakao(page, "민지")
    await say(page, "안녕하세요")
    messages = page.locator("#messages")
    await expect(messages.locator(".row.user .bubble").first).to_have_text(
        "안녕하세요", timeout=TIMEOUT_MS)
    greeted = messages.locator(".row.bot", has_text="안녕하세요, 이웃님!")  # first words
    await expect(greeted).to_be_visible(timeout=TIMEOUT_MS)
    await say(page, "안녕하세요")
    await expect(messages.locator(".row.bot", has_text=not_understood(KO))).to_be_visible(
        timeout=TIMEOUT_MS)
    await expect(page.locator("#reply-keyboard")).to_be_hidden()  # Telegram's menu is not here

    await chip(page, "🔎 제안 둘러보기").click()  # a block quick reply: its clientExtra goes back
    await expect(messages).to_contain_text("공원 산책로 가로등 설치", timeout=TIMEOUT_MS)
    await chip(page, "1").first.click()
    card = messages.locator(".card").last
    await expect(card).to_contain_text("현황·문제점", timeout=TIMEOUT_MS)
    share = card.locator("a.card-button").first  # a URL button: a textCard's webLink
    await expect(share).to_have_attribute("href", re.compile(r"^https?://[^/]+/p/\d+$"))
    await expect(chip(page, "👍 공감")).to_be_visible()
    await at_every_width(page, screenshot_dir, "sandbox-kakao-card", card)
    await chip(page, "👍 공감").click()
    await expect(messages).to_contain_text("1/50", timeout=TIMEOUT_MS)
    assert problems == []


async def test_a_slow_turn_answers_through_the_callback_and_the_page_picks_it_up(
    kakao_sandbox: Sandbox, tab: tuple[Page, list[str]],
) -> None:
    page, problems = tab
    runtime = kakao_sandbox.runtime
    slow = SlowTurn()
    runtime.application.add_handler(TypeHandler(Update, slow), group=-2)
    assert runtime.kakao is not None
    runtime.kakao.deadline = slow.entered.wait
    await page.goto(kakao_sandbox.url)
    await resident_in_kakao(page, "영수")
    runtime.kakao.deadline = asyncio.Event().wait
    await say(page, "안녕하세요")  # first contact: the greeting
    await expect(page.locator("#messages .row.bot", has_text="안녕하세요, 이웃님!")).to_be_visible(
        timeout=TIMEOUT_MS)
    runtime.kakao.deadline = slow.entered.wait
    await say(page, "천천히")
    waiting = page.locator("#messages .row.bot.waiting")
    await expect(waiting).to_have_text(delayed_but_kept(KO), timeout=TIMEOUT_MS)
    runtime.kakao.deadline = asyncio.Event().wait
    slow.release.set()
    late = page.locator("#messages .row.bot", has_text=not_understood(KO))
    await expect(late).to_be_visible(timeout=TIMEOUT_MS)
    await expect(chip(page, "❓ 도움말")).to_be_visible()

    await page.locator("#toggle-kakao").click()  # back to Telegram: the Kakao chat is not there
    await expect(page.locator("#toggle-kakao")).to_have_attribute("aria-pressed", "false")
    await expect(page.locator("#messages")).not_to_contain_text("천천히")
    await page.locator("#toggle-kakao").click()  # and KakaoTalk again: it is kept
    await expect(page.locator("#messages")).to_contain_text("천천히", timeout=TIMEOUT_MS)
    assert problems == []


async def test_the_texts_a_kakao_resident_would_get_show_in_the_sandbox_texts_box(
    kakao_sandbox: Sandbox, tab: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    page, problems = tab
    runtime = kakao_sandbox.runtime
    await page.goto(kakao_sandbox.url)
    await resident_in_kakao(page, "영수")
    messages = page.locator("#messages")
    await say(page, "안녕하세요")
    await expect(messages).to_contain_text("「알림톡」이라고 보내 주세요", timeout=TIMEOUT_MS)
    await say(page, "알림톡 010-1234-5678")
    await expect(messages).to_contain_text("010-****-5678", timeout=TIMEOUT_MS)
    box = page.locator("#toggle-texts")
    await expect(box).to_be_visible(timeout=TIMEOUT_MS)
    await expect(page.locator("#texts-count")).to_have_text("0")
    async with runtime.sessionmaker() as session, session.begin():
        account = (await session.scalars(select(KakaoAccount))).one()
        notice = StatusChanged(1, "공원 산책로 가로등 설치", "under_review", key="sandbox")
        await enqueue_for_users(session, [account.user_id], notice, runtime.clock.now())
    runtime.application.services.wake(Wake.TELEGRAM_OUTBOX)
    await expect(page.locator("#texts-count")).to_have_text("1", timeout=TIMEOUT_MS)
    await box.click()
    texts = page.locator("#texts")
    await expect(texts).to_be_visible()
    await expect(texts.locator(".text-item")).to_contain_text("010-****-5678")
    await expect(texts.locator(".text-item")).to_contain_text("공원 산책로 가로등 설치")
    await expect(texts.locator(".text-item")).to_contain_text("알림톡")
    await at_every_width(page, screenshot_dir, "sandbox-texts-box", texts)
    assert problems == []
