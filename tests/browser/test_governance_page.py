"""The 협치회의's public pages in a real headless Chromium, phone first: the overview and a
meeting's page (agenda, votes by name, the 권고 and the minutes) fit a 360 px screen and wider
ones without sideways scrolling, with long names and a long place that must wrap.

The council is built through the services on the real runtime's database; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.governance import Choice, Convening, MeetingKind, Role
from bot.domain.lifecycle import ProposalStatus
from bot.services import governance
from bot.services.governance import Clockwork
from sandbox import SandboxState
from tests.browser.conftest import SANDBOX_START, SMALL_PHONE, at_every_width, serving_web
from tests.support.databases import sqlite_copy
from tests.support.factories import make_proposal, make_user

if TYPE_CHECKING:
    from playwright.async_api import Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
PLACE = "구로구청 본관 3층 대회의실(구로동로 어린이공원 맞은편, 주차는 지하 2층을 이용해 주세요)"
NAMES = ("김민지", "이영수", "박하늘", "최다온누리별빛", "정서연")


async def hold_council(runtime: Runtime, clock: ShiftableClock) -> int:
    """Five members, a meeting with one passed item, its 권고 and minutes."""
    now, venues = clock.now(), runtime.settings.venues
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, 8900, now)
        await make_proposal(session, author, now, status=ProposalStatus.ANSWERED,
                            title="구로동로 어린이공원 가로등을 더 밝은 LED 가로등으로 "
                                  "바꿔 주세요")
        for index, name in enumerate(NAMES):
            await make_user(session, 8901 + index, now)
            await governance.appoint(session, telegram_id=8901 + index,
                                     word=Role.CHAIR if index == 0 else Role.MEMBER,
                                     name=name, venues=venues, actor="admin", now=now)
        meeting = await governance.convene(
            session, Convening(MeetingKind.REGULAR, now + timedelta(days=2), PLACE),
            venues=venues, actor="admin", now=now)
        meeting_id = meeting.meeting.id
        await governance.place_on_agenda(session, meeting_id=meeting_id, proposal_id=1,
                                         venues=venues, actor="admin", now=now)
        users = await governance.members(session)
        await governance.record_attendance(
            session, meeting_id=meeting_id, telegram_ids=list(range(8901, 8906)),
            by_user=users[0].user_id, is_admin=True, actor="admin", now=now)
        for member, choice in zip(users, (Choice.YES, Choice.YES, Choice.YES, Choice.NO,
                                          Choice.ABSTAIN), strict=True):
            await governance.vote(session, meeting_id=meeting_id, number=1,
                                  user_id=member.user_id, choice=choice, now=now)
        await governance.decide(session, meeting_id=meeting_id, number=1, by_user=0,
                                is_admin=True, venues=venues, actor="admin", now=now)
        await governance.recommend(
            session, meeting_id=meeting_id, number=1,
            text="내년 본예산에 어린이공원 가로등 교체 비용을 반영하고 공사 일정을 주민에게 "
                 "알려 주세요.", clockwork=Clockwork(30, BusinessCalendar(), SEOUL),
            venues=venues, actor="admin", now=now)
        await governance.write_minutes(
            session, meeting_id=meeting_id, actor="admin", now=now,
            text="1. 개회\n2. 안건 1 가로등 교체: 찬성 3, 반대 1, 기권 1로 가결\n3. 폐회")
    return meeting_id


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[tuple[Runtime, int]]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield runtime, await hold_council(runtime, clock)


async def test_the_council_pages_fit_a_phone_screen(
    served: tuple[Runtime, int], page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    runtime, meeting_id = served
    tab, problems = page
    base = runtime.settings.public_base_url
    await tab.set_viewport_size(SMALL_PHONE)
    await tab.goto(f"{base}/hyeopchi")
    await expect(tab.get_by_role("heading", name="협치회의")).to_be_visible(timeout=TIMEOUT_MS)
    await expect(tab.locator("main")).to_contain_text("최다온누리별빛")
    await expect(tab.locator("main")).to_contain_text("회신 기한")
    await tab.goto(f"{base}/hyeopchi/{meeting_id}")
    await expect(tab.locator("ol.gov-items > li")).to_have_count(1, timeout=TIMEOUT_MS)
    await expect(tab.locator("ul.gov-votes li")).to_have_count(5)
    await expect(tab.locator("main")).to_contain_text("가결")
    await expect(tab.locator("main")).to_contain_text("찬성 3, 반대 1, 기권 1로 가결")
    for path, name in (("/hyeopchi", "overview"), (f"/hyeopchi/{meeting_id}", "meeting")):
        await tab.goto(f"{base}{path}")
        await at_every_width(tab, screenshot_dir, f"governance-{name}")
    assert problems == []
