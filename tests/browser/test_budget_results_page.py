"""The public results page of a budget round in a real headless Chromium, phone first.

The real runtime serves its web app on a free port; the round is counted by the deadline
machine when the fake clock passes the close. Everything waits through Playwright's
auto-retrying `expect`; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from sandbox import SandboxState
from tests.browser.conftest import DESKTOP, PHONE, SANDBOX_START, fits_the_screen, serving_web
from tests.support.budget_rounds import CLOSES, OPENS, cast, make_project, make_round
from tests.support.databases import sqlite_copy
from tests.support.factories import make_user

if TYPE_CHECKING:
    from playwright.async_api import Page, ViewportSize

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
NAME = "2027 구로 주민참여예산"
PROJECTS = (("어린이공원 가로등 설치", 50_000_000), ("경로당 냉난방기 교체", 30_000_000),
            ("작은도서관 책 구입", 40_000_000))


@dataclass
class Served:
    runtime: Runtime
    clock: ShiftableClock
    round_id: int

    @property
    def url(self) -> str:
        return f"{self.runtime.settings.public_base_url}/budget/{self.round_id}"


async def seed(runtime: Runtime) -> int:
    """A voting round with three projects and three ballots (the lamp and the hall win)."""
    now = runtime.clock.now()
    async with runtime.sessionmaker() as session, session.begin():
        row = await make_round(session, now, name=NAME, phase="voting")
        lamp, hall, library = [(await make_project(session, row.id, title, cost, n)).id
                               for n, (title, cost) in enumerate(PROJECTS, start=1)]
        for n, choices in enumerate(([lamp, hall], [hall, library], [lamp])):
            voter = await make_user(session, 8301 + n, now)
            await cast(session, row.id, voter.id, {p: 1 for p in choices}, OPENS)
        return row.id


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Served]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield Served(runtime, clock, await seed(runtime))


async def test_the_results_page_shows_the_funded_projects_and_the_chart(
    served: Served, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    # while voting: the projects, no counts
    await tab.goto(served.url)
    await expect(tab.get_by_role("heading", name=NAME)).to_be_visible(timeout=TIMEOUT_MS)
    await expect(tab.locator(".projects li")).to_have_count(3)
    await expect(tab.locator("img")).to_have_count(0)

    await served.clock.advance(CLOSES + timedelta(minutes=1) - served.clock.now())
    await tab.reload()
    await expect(tab.get_by_role("heading", name=NAME)).to_be_visible(timeout=TIMEOUT_MS)
    funded = tab.locator("ol.projects.funded li")
    await expect(funded).to_have_count(2, timeout=TIMEOUT_MS)
    await expect(funded.first).to_contain_text("경로당 냉난방기 교체")
    await expect(tab.locator(".budget-summary")).to_contain_text("8,000만 원")
    await expect(tab.locator(".budget-summary")).to_contain_text("1억 원")
    chart = tab.locator(".chart img")
    await expect(chart).to_be_visible()
    await tab.wait_for_function(
        "() => { const img = document.querySelector('.chart img');"
        " return img !== null && img.complete && img.naturalWidth > 300; }",
        timeout=TIMEOUT_MS)
    for label, size in (("360x640", SMALL_PHONE), ("phone", PHONE), ("desktop", DESKTOP)):
        await tab.set_viewport_size(size)
        # at each width: no sideways scrolling, the chart within the screen, the sums shown
        assert await fits_the_screen(tab), label
        box = await chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        await expect(tab.locator(".budget-summary")).to_be_visible()
        await tab.screenshot(path=screenshot_dir / f"budget-results-{label}.png", full_page=True)
    assert problems == []
