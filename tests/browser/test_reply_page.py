"""An official answers through the reply page in a real headless Chromium; a resident hears of it.

The real runtime serves its web app on a free port; the sandbox Bot API delivers the pushes.
Everything waits through Playwright's auto-retrying `expect`; nothing sleeps.
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
from bot.domain.deadlines import official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import Translator
from bot.services.departments import assign_department, create_department
from bot.web import pages
from sandbox import SandboxClient, SandboxState
from tests.browser.conftest import DESKTOP, PHONE, SANDBOX_START, serving_web
from tests.support.databases import sqlite_copy
from tests.support.factories import follow, make_proposal, make_user
from tests.support.service_settings import review_start

if TYPE_CHECKING:
    from playwright.async_api import Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e .[test])"
).expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
RESIDENT_ID = 8101
TITLE = "어린이공원 가로등 설치"
FEASIBLE_TEXT = "현장을 확인했어요. 설치를 검토할 수 있어 주민 토론을 열겠습니다."
FINAL_TEXT = "내년 상반기에 공원 둘레길에 LED 가로등 6개를 설치하겠습니다."


@dataclass
class Served:
    runtime: Runtime
    clock: ShiftableClock
    link: str

    @property
    def t(self) -> Translator:
        return self.runtime.i18n.get("ko")


async def seed(runtime: Runtime) -> str:
    """A proposal under review by 도로과, written and followed by the sandbox resident."""
    now = runtime.clock.now()
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, RESIDENT_ID, now)
        proposal = await make_proposal(
            session, author, now, title=TITLE, status=ProposalStatus.UNDER_REVIEW,
            endorsement_count=63, area="고척1동", category="안전·방범",
            problem="어린이공원 둘레길에 가로등이 없어 해가 지면 아이들이 다니기 무서워요.\n"
                    "작년에 넘어짐 사고도 두 번 있었어요.",
            solution="둘레길을 따라 LED 가로등을 설치해 주세요.",
            effect="밤에도 아이들과 어르신이 안전하게 다닐 수 있어요.",
            review_due=official_deadline(now, 14, runtime.application.services.calendar),
        )
        await follow(session, author, proposal, now)
        department = await create_department(session, name="도로과", now=now)
        assigned = await assign_department(
            session, proposal.id, department, now=now, **review_start(runtime.settings),
            actor="test",
        )
    assert assigned.url is not None
    return assigned.url


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Served]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield Served(runtime, clock, await seed(runtime))


async def screenshots(tab: Page, directory: Path, name: str) -> None:
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        await tab.set_viewport_size(size)
        await tab.screenshot(path=directory / f"{name}-{label}.png", full_page=True)
    await tab.set_viewport_size(PHONE)


async def publish(tab: Page, t: Translator) -> None:
    heading = tab.get_by_role("heading", name=t.gettext("Check before publishing"))
    await expect(heading).to_be_visible(timeout=TIMEOUT_MS)
    await tab.get_by_role("button", name=t.gettext("Publish"), exact=True).click()
    await expect(tab.locator(".notice")).to_contain_text(
        t.gettext(pages.PUBLISHED), timeout=TIMEOUT_MS
    )


async def test_an_official_answers_and_the_resident_is_told(
    served: Served,
    page: tuple[Page, list[str]],
    residents: SandboxClient,
    screenshot_dir: Path,
) -> None:
    tab, problems = page
    t = served.t
    minji = residents.resident(RESIDENT_ID, "민지")
    await tab.goto(served.link)
    await expect(tab.get_by_role("heading", name=TITLE)).to_be_visible(timeout=TIMEOUT_MS)
    await expect(tab.locator(".dday")).to_have_text("D-14")
    await screenshots(tab, screenshot_dir, "reply-page")

    form = tab.locator("#form-feasibility")
    await form.get_by_role("radio", name=t.gettext("Can be reviewed")).check()
    await form.get_by_label(t.gettext("Review opinion or reason")).fill(FEASIBLE_TEXT)
    await form.get_by_label(t.gettext("Your name (official in charge)")).fill("김민수")
    await form.get_by_role("button", name=t.gettext("Preview")).click()
    await expect(tab.locator(".answer.preview")).to_contain_text(FEASIBLE_TEXT)
    await publish(tab, t)
    told = await minji.wait_for_message(FEASIBLE_TEXT, after=0)

    await served.clock.advance(timedelta(days=31))
    await tab.reload()
    form = tab.locator("#form-final")
    await form.get_by_role("radio", name=t.gettext("Accepted"), exact=True).check()
    await form.get_by_label(t.gettext("Answer"), exact=True).fill(FINAL_TEXT)
    await form.get_by_label(t.gettext("Expected completion date")).fill("2027-06-30")
    await form.get_by_label(t.gettext("Budget (KRW)")).fill("1,200만원")
    await form.get_by_label(t.gettext("Your name (official in charge)")).fill("이서연")
    await form.get_by_role("button", name=t.gettext("Preview")).click()
    await expect(tab.locator(".answer.preview")).to_contain_text("1,200만 원")
    await screenshots(tab, screenshot_dir, "reply-preview")
    await publish(tab, t)
    await minji.wait_for_message(FINAL_TEXT, after=told.message_id)

    await expect(tab.locator("#form-progress")).to_be_visible()
    await tab.goto(served.runtime.settings.public_base_url + "/p/1")
    await expect(tab.locator(".answer")).to_have_count(2)
    await screenshots(tab, screenshot_dir, "public-page")
    assert problems == []
