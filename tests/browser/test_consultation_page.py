"""A 「구가 묻습니다」 consultation's public page in a real headless Chromium, phone first: the
background, the arguments and the opinions while it is open (no votes shown), then the votes
per option after the close, within the screen at every width. Nothing sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from bot.domain.consultations import parse_consultation
from bot.domain.deadlines import SEOUL
from bot.services import consultations
from bot.services.departments import create_department
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


@dataclass
class Served:
    runtime: Runtime
    clock: ShiftableClock
    consultation_id: int

    @property
    def url(self) -> str:
        return f"{self.runtime.settings.public_base_url}/consultation/{self.consultation_id}"


async def ask(runtime: Runtime, clock: ShiftableClock) -> int:
    """A consultation open from today for a week, two votes and an opinion."""
    today = clock.now().astimezone(SEOUL).date()
    form = parse_consultation(
        f"/consult_new 구민체육센터 야간 개방\n"
        "배경 체육센터는 밤 9시에 문을 닫아요. 퇴근이 늦은 주민들이 늦게까지 열어 달라고 "
        "해요. 늘리면 인건비가 한 해 1억 원쯤 더 들어요.\n질문 구민체육센터를 밤 11시까지 "
        "열까요?\n선택 밤 10시까지 | 밤 11시까지 | 지금처럼 밤 9시까지\n"
        "논거 2 직장인도 퇴근 뒤에 운동할 수 있어요.\n논거 3 인건비와 소음이 걱정돼요.\n"
        f"기간 {today} {today + timedelta(days=7)}\n대상 전체\n부서 체육진흥과",
        (), (), today)
    now = clock.now()
    async with runtime.sessionmaker() as session, session.begin():
        staff = await make_user(session, 8700, now)
        await create_department(session, name="체육진흥과", now=now)
        voters = [await make_user(session, 8701 + n, now) for n in range(2)]
        made = await consultations.create(session, form, author_id=staff.id, actor="admin",
                                          now=now, policy=runtime.settings.policy,
                                          venues=runtime.settings.venues)
        for voter, choice in zip(voters, (1, 2), strict=True):
            await consultations.vote(session, made.consultation_id, voter.id, choice, now)
        await consultations.add_opinion(session, made.consultation_id, voters[0].id,
                                        "퇴근하면 9시가 넘어서 지금은 쓸 수가 없어요.", now)
    return made.consultation_id


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Served]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield Served(runtime, clock, await ask(runtime, clock))


async def test_the_consultation_page_before_and_after_its_close_within_a_phone_screen(
    served: Served, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    await tab.goto(served.url)
    main = tab.locator("main")
    await expect(main).to_contain_text("지금까지 주민 2명 참여", timeout=TIMEOUT_MS)
    await expect(main).to_contain_text("직장인도 퇴근 뒤에 운동할 수 있어요")
    await expect(main).to_contain_text("퇴근하면 9시가 넘어서")
    await expect(tab.locator("progress")).to_have_count(0)  # no votes while it is open
    await tab.screenshot(path=screenshot_dir / "consultation-open-390.png", full_page=True)

    await served.clock.advance(timedelta(days=9))  # the jump runs the deadline machine
    await tab.reload()
    results = tab.locator("ol.results li")
    await expect(results).to_have_count(3, timeout=TIMEOUT_MS)
    await expect(results.nth(1)).to_contain_text("1표 (50%)")
    await at_every_width(tab, screenshot_dir, "consultation", results.first)
    assert problems == []
