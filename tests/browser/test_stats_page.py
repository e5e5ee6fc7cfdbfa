"""The public /stats page in a real headless Chromium: figures, the weekly chart, a phone width.

The real runtime serves its web app on a free port, over the dataset of the statistics tests.
Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import fake_clock
from bot.sandbox import SandboxServer, SandboxState
from tests.conftest import START
from tests.support.databases import sqlite_copy
from tests.support.harness import running_bot, settings_for
from tests.test_stats_services import build_dataset

if TYPE_CHECKING:
    from playwright.async_api import Browser, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
PHONE: ViewportSize = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Runtime]:
    async with SandboxServer(sandbox_state) as server:
        port = free_port()
        settings = settings_for(sqlite_copy(sqlite_template, tmp_path), server, port=port,
                                public_base_url=f"http://127.0.0.1:{port}")
        async with running_bot(settings, fake_clock(START), serve_web=True) as runtime:
            async with runtime.sessionmaker() as session, session.begin():
                await build_dataset(session)
            yield runtime


async def test_the_stats_page_shows_figures_and_the_weekly_chart(
    served: Runtime, browser: Browser, screenshot_dir: Path,
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="ko-KR")
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        await tab.goto(served.settings.public_base_url + "/stats")
        figures = tab.locator(".figure dd")
        await expect(figures.first).to_have_text("4", timeout=TIMEOUT_MS)  # proposals
        await expect(tab.locator("table").nth(2)).to_contain_text("30.0%")
        chart = tab.locator("img.chart")
        await expect(chart).to_be_visible()
        loaded = await chart.evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, "the weekly chart did not load"
        overflow = await tab.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth")
        assert not overflow, "the page is wider than a phone"
        await tab.screenshot(path=screenshot_dir / "stats-page-phone.png", full_page=True)
        await tab.get_by_role("link", name="/data").or_(tab.locator("a[href='/data']")).click()
        await expect(tab.locator("a[href='/data/proposals.csv']")).to_be_visible()
    finally:
        await context.close()
    assert problems == []
