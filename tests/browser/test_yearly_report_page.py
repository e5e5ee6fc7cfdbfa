"""The yearly 이행상황 report page in a real headless Chromium: its figures and charts within
the screen at 360, 390 and 1280 pixels (wide tables scroll inside their own box), and the
printed page without the navigation chrome. The real runtime serves its web app over the
dataset of the report's service tests; the fake clock stands still. Nothing sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import fake_clock
from sandbox import SandboxState
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, serving_web
from tests.conftest import START
from tests.integration.test_yearly_report_services import build_year
from tests.support.databases import sqlite_copy

if TYPE_CHECKING:
    from playwright.async_api import Page, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
SIZES = (("360x640", SMALL_PHONE), ("390x844", PHONE), ("1280x800", DESKTOP))


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Runtime]:
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, fake_clock(START)) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            await build_year(session)
        yield runtime


async def charts_loaded(tab: Page) -> bool:
    return bool(await tab.evaluate(
        "[...document.querySelectorAll('img.chart')]"
        ".every(img => img.complete && img.naturalWidth > 0)"))


async def test_the_report_fits_every_screen_and_its_tables_scroll_in_their_box(
    served: Runtime, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    await tab.goto(served.settings.public_base_url + "/report/2026")
    await expect(tab.locator("#received dd").first).to_have_text("6", timeout=TIMEOUT_MS)
    await expect(tab.locator("img.chart")).to_have_count(3)
    await expect(tab.locator("table#departments tbody tr")).to_have_count(3)
    for label, size in SIZES:
        await tab.set_viewport_size(size)
        assert await fits_the_screen(tab), label
        await expect(tab.locator("table#areas")).to_be_visible()
        assert await charts_loaded(tab), label
        await tab.screenshot(path=screenshot_dir / f"yearly-report-{label}.png", full_page=True)
    await tab.set_viewport_size(SMALL_PHONE)
    box_scrolls = await tab.locator(".table-wrap").first.evaluate(
        "box => box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX == 'auto'")
    assert box_scrolls, "the wide table should scroll inside its own box on a small phone"
    assert problems == []


async def test_the_printed_report_has_no_chrome_and_whole_tables(
    served: Runtime, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    await tab.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    await tab.goto(served.settings.public_base_url + "/report/2026")
    await expect(tab.locator("#received dd").first).to_have_text("6", timeout=TIMEOUT_MS)
    await tab.emulate_media(media="print")
    await expect(tab.locator("header.top")).to_be_hidden()
    await expect(tab.locator("nav.years")).to_be_hidden()
    for table in ("departments", "areas"):
        whole = await tab.locator(f"#{table}").evaluate(
            "t => getComputedStyle(t).breakInside == 'avoid'"
            " && t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        assert whole, table
    assert await charts_loaded(tab)
    await tab.screenshot(path=screenshot_dir / "yearly-report-print.png", full_page=True)
    assert problems == []


async def test_a_year_without_proposals_is_a_polite_page(
    served: Runtime, page: tuple[Page, list[str]],
) -> None:
    tab, problems = page
    await tab.goto(served.settings.public_base_url + "/report/2031")
    await expect(tab.locator(".card.empty")).to_be_visible(timeout=TIMEOUT_MS)
    assert await fits_the_screen(tab)
    assert problems == []
