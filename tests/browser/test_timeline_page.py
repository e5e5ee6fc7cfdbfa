"""A proposal's plan and timeline on its public page in a real headless Chromium, phone first:
each step kept, late or ahead, who acted, and the promises beside them, within the screen at
every width. The answers go through the services on the real runtime's database; the fake
clock moves past a step's day. Nothing sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock, fake_clock
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.lifecycle import ProposalStatus
from bot.services import answers
from bot.services.departments import assign_department, create_department
from sandbox import SandboxState
from tests.browser.conftest import SANDBOX_START, at_every_width, serving_web
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
TITLE = "어린이공원 둘레길 가로등 설치"
PLAN = ("2026-12-04 주민 설명회\n2027-01-29 둘레길 조명 설계와 주민 의견 반영 완료\n"
        "2027-04-30 가로등 6개 설치")


@dataclass
class Served:
    runtime: Runtime
    clock: ShiftableClock
    proposal_id: int

    @property
    def url(self) -> str:
        return f"{self.runtime.settings.public_base_url}/p/{self.proposal_id}"


async def answer_with_a_plan(runtime: Runtime, clock: ShiftableClock) -> int:
    """Answered today with a three-step plan; step 1 reached on 12/3, a day early."""
    settings, services = runtime.settings, runtime.application.services
    now = clock.now()
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, 8901, now)
        proposal = await make_proposal(session, author, now, title=TITLE,
                                       status=ProposalStatus.AWAITING_ANSWER,
                                       answer_due=now + timedelta(days=20))
        await follow(session, author, proposal, now)
        department = await create_department(session, name="공원녹지과", now=now)
        assigned = await assign_department(session, proposal.id, department, now=now,
                                           **review_start(settings), actor="test")
    assert assigned.token is not None
    for form, key, at in (
        (AnswerForm(AnswerKind.FINAL, "김담당",
                    "내년 4월까지 둘레길에 가로등 6개를 설치하겠습니다.", decision="accepted",
                    expected_completion="2027-04-30", budget="4,800만 원", plan=PLAN),
         "final", now),
        (AnswerForm(AnswerKind.PROGRESS, "이주무", "주민 설명회를 열어 의견을 들었어요.",
                    percent="10", reached="1"), "progress", now + timedelta(days=9)),
    ):
        async with runtime.sessionmaker() as session, session.begin():
            link = await answers.resolve_link(session, assigned.token, at, settings.secret_key)
            assert link is not None
            await answers.submit_answer(session, link, form, idempotency_key=key, now=at,
                                        policy=settings.policy, venues=settings.venues,
                                        calendar=services.calendar)
    return proposal.id


@pytest.fixture
async def served(
    sqlite_template: Path, tmp_path: Path, sandbox_state: SandboxState
) -> AsyncIterator[Served]:
    clock = fake_clock(SANDBOX_START)
    database_url = sqlite_copy(sqlite_template, tmp_path)
    async with serving_web(database_url, sandbox_state, clock) as runtime:
        yield Served(runtime, clock, await answer_with_a_plan(runtime, clock))


async def test_the_timeline_shows_promises_kept_and_late_within_a_phone_screen(
    served: Served, page: tuple[Page, list[str]], screenshot_dir: Path,
) -> None:
    tab, problems = page
    await served.clock.advance(timedelta(days=70))  # 2027-02-02: step 2 (1/29) is late
    await tab.goto(served.url)
    steps = tab.locator("ol.steps li")
    await expect(steps).to_have_count(3, timeout=TIMEOUT_MS)
    await expect(steps.nth(0)).to_contain_text("완료")
    await expect(steps.nth(1)).to_contain_text("지연: 4일")
    await expect(steps.nth(2)).to_contain_text("예정")
    entries = tab.locator("ol.timeline li")
    await expect(entries.first).to_contain_text("제안 등록, 공감 모으기 시작")
    late = entries.filter(has_text="둘레길 조명 설계")
    await expect(late).to_contain_text("❗ 약속한 1월 29일(금)에서 4일 지남")
    await expect(entries.filter(has_text="주민 설명회")).to_contain_text("✅ 약속")
    await expect(entries.filter(has_text="최종 답변")).to_contain_text("공원녹지과 · 김담당")
    await at_every_width(tab, screenshot_dir, "timeline", late)
    assert problems == []
