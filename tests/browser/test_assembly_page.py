"""The public page of a 주민총회 in a real headless Chromium, phone first: the agenda with no
numbers while people vote, then every item with each channel's numbers, within the screen at
every width (the results table scrolls inside its own box on a small phone).

The assembly is held through the services on the real runtime's database; the fake clock
moves from the online vote to the on-site day to the count. Nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from bot.domain.assembly import parse_agenda
from bot.domain.deadlines import SEOUL
from bot.services import assembly
from sandbox import SandboxState
from tests.browser.conftest import SANDBOX_START, at_every_width, serving_web
from tests.support.databases import sqlite_copy
from tests.support.factories import make_user

if TYPE_CHECKING:
    from playwright.async_api import Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
TITLE = "2027 신도림동 주민총회"


@dataclass
class Served:
    runtime: Runtime
    clock: ShiftableClock
    assembly_id: int

    @property
    def url(self) -> str:
        return f"{self.runtime.settings.public_base_url}/assembly/{self.assembly_id}"


async def hold_assembly(runtime: Runtime, clock: ShiftableClock) -> int:
    """Created today with online voting until tomorrow, the on-site day tomorrow at three
    places (a wide table), and one online vote."""
    today = clock.now().astimezone(SEOUL).date()
    tomorrow = today + timedelta(days=1)
    agenda = parse_agenda(
        f"/assembly_new 신도림동 {TITLE}\n온라인 {today} {tomorrow}\n"
        f"현장 {tomorrow} 신도림동주민센터, 신도림초등학교, 신도림역 광장\n선택 2\n"
        "비율 주민 50 위원회 50\n안건 자치계획 골목 화단 가꾸기\n"
        "안건 자치계획 어르신 쉼터 운영 시간 늘리기\n안건 자치계획 밤길 조명 밝히기",
        ("신도림동",), today)
    async with runtime.sessionmaker() as session, session.begin():
        made = await assembly.create(session, agenda, tz=SEOUL, actor="admin", now=clock.now())
        assert made.assembly is not None
        voter = await make_user(session, 8801, clock.now(), verified_area="신도림동")
        await assembly.vote_online(session, assembly_id=made.assembly.id, user_id=voter.id,
                                   chosen=[1, 3], now=clock.now())
    return made.assembly.id


async def count_it(runtime: Runtime, clock: ShiftableClock, assembly_id: int) -> None:
    await clock.advance(timedelta(days=1))
    key, tz = runtime.settings.secret_key, SEOUL
    async with runtime.sessionmaker() as session, session.begin():
        for place, phone in enumerate(("010-1000-0001", "010-1000-0002", "010-1000-0003")):
            await assembly.check_in(session, assembly_id=assembly_id, place=place, typed=phone,
                                    secret_key=key, tz=tz, actor="desk", now=clock.now())
            await assembly.enter_paper(session, assembly_id=assembly_id, place=place,
                                       totals={1: 1, 2: 1, 3: 0}, photo_file_id="sheet",
                                       actor="desk", now=clock.now())
        await assembly.enter_committee(session, assembly_id=assembly_id,
                                       scores={1: Decimal(70), 2: Decimal("82.5"),
                                               3: Decimal(40)}, actor="admin", now=clock.now())
    await clock.advance(timedelta(days=1))
    async with runtime.sessionmaker() as session, session.begin():
        counted = await assembly.count_assembly(session, assembly_id=assembly_id, tz=tz,
                                                page_url="", actor="admin", now=clock.now())
    assert counted.outcome is assembly.CountOutcome.COUNTED


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Served]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield Served(runtime, clock, await hold_assembly(runtime, clock))


async def test_the_assembly_page_shows_every_channel_within_a_phone_screen(
    served: Served, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    await tab.goto(served.url)
    await expect(tab.get_by_role("heading", name=TITLE)).to_be_visible(timeout=TIMEOUT_MS)
    await expect(tab.locator("ol.projects li")).to_have_count(3)
    await expect(tab.locator("table")).to_have_count(0)  # no number while people vote
    how = "주민 투표(온라인 1표 1점, 현장 1표 1점) 50%, 위원회 점수 50%"
    await expect(tab.locator("main")).to_contain_text(how)

    await count_it(served.runtime, served.clock, served.assembly_id)
    await tab.reload()
    rows = tab.locator("table tbody tr")
    await expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
    # residents 4, 3, 1 of 8 votes (50 %, 37.5 %, 12.5 %); committee 70, 82.5, 40 of 192.5
    await expect(rows.first).to_contain_text("골목 화단 가꾸기")
    await expect(rows.first).to_contain_text("43.18")  # (50 + 36.36) / 2
    await expect(rows.nth(1)).to_contain_text("40.18")  # (37.5 + 42.86) / 2
    await expect(tab.locator("table thead")).to_contain_text("신도림역 광장")
    await at_every_width(tab, screenshot_dir, "assembly", rows.first)
    assert problems == []
