"""The public /stats page in a real headless Chromium: figures, the weekly chart, a phone width.

The real runtime serves its web app on a free port, over the dataset of the statistics tests.
Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import fake_clock
from sandbox import SandboxState
from tests.browser.conftest import PHONE, serving_web
from tests.conftest import START
from tests.integration.test_stats_services import build_dataset
from tests.support.databases import sqlite_copy

if TYPE_CHECKING:
    from playwright.async_api import Browser

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Runtime]:
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, fake_clock(START)) as runtime:
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
        await expect(figures.first).to_have_text("5", timeout=TIMEOUT_MS)  # proposals
        await expect(tab.locator("table").first).to_contain_text("교통행정과")  # by department
        await expect(tab.locator("table").nth(3)).to_contain_text("30.0%")
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
