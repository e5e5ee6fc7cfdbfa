"""The plan on the reply and public pages, served by aiohttp on both databases: an official
writes it with the final answer, checks it on the preview, names the steps reached in a
progress update; residents see each step kept or late, and the whole timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import PlanProblem
from bot.i18n import I18n
from bot.web import pages
from tests.conftest import START
from tests.integration.test_reply_pages import (
    SETTINGS,
    Scene,
    confirm_data,
    make_scene,
    preview,
    serve_pages,
    status_of,
)
from tests.support.forms import page_text

ko = I18n().get("ko")
pytestmark = pytest.mark.rollback
ACCEPTED = {"decision": "accepted", "text": "내년 상반기에 가로등 4개를 설치하겠습니다.",
            "official_name": "이서연", "expected_completion": "2027-06-30", "budget": "1.2억"}
# as a browser sends a textarea: CRLF line ends, a blank line, a full-width date
PLAN = "2027-03-31 설계 완료\r\n\r\n２０２７．１．１５ 주민 설명회\r\n2027-05-31 공사 착공"


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> AsyncIterator[TestClient]:
    async with serve_pages(sessionmaker, clock, SETTINGS) as test_client:
        yield test_client


async def answered_scene(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> Scene:
    scene = await make_scene(sessionmaker, status=ProposalStatus.AWAITING_ANSWER,
                             answer_due=START + timedelta(days=20))
    status, html = await preview(client, scene, "final", ACCEPTED | {"plan": PLAN})
    assert status == 200
    published = await client.post(f"{scene.url}/publish", data=confirm_data(html, scene),
                                  allow_redirects=False)
    assert published.status == 303
    assert await status_of(sessionmaker, scene.proposal_id) is ProposalStatus.ANSWERED
    return scene



async def test_a_plan_that_cannot_be_read_is_reshown_with_what_was_typed(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    scene = await make_scene(sessionmaker, status=ProposalStatus.AWAITING_ANSWER,
                             answer_due=START + timedelta(days=20))
    for plan, problem in (("설계 먼저 하고 공사", PlanProblem.FORMAT),
                          ("2027-09-30 준공", PlanProblem.AFTER),
                          ("2026-01-05 지난 일", PlanProblem.PAST)):
        status, body = await preview(client, scene, "final", ACCEPTED | {"plan": plan})
        assert status == 422
        assert ko.gettext(pages.ERROR_MESSAGES[problem]) in body
        assert f">{plan}</textarea>" in body and 'aria-describedby="final-plan-error"' in body


async def test_the_preview_lists_the_plan_and_the_public_page_shows_it_with_the_timeline(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    scene = await make_scene(sessionmaker, status=ProposalStatus.AWAITING_ANSWER,
                             answer_due=START + timedelta(days=20))
    _, html = await preview(client, scene, "final", ACCEPTED | {"plan": PLAN})
    listed = page_text(html)
    assert listed.index("1. 주민 설명회") < listed.index("2. 설계 완료") < listed.index(
        "3. 공사 착공")
    await client.post(f"{scene.url}/publish", data=confirm_data(html, scene))
    public = page_text(await (await client.get(f"/p/{scene.proposal_id}")).text())
    assert "계획" in public and public.count("예정") >= 3
    assert "타임라인" in public and "최종 답변: 수용" in public
    assert "이서연" in public and "완료 예정" in public


async def test_a_progress_update_names_a_step_and_a_step_past_its_day_shows_late(
    client: TestClient, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    scene = await answered_scene(client, sessionmaker)
    reply = page_text(await (await client.get(scene.url)).text())
    assert "1. 주민 설명회" in reply and "계획한 단계 중 마친 단계" in reply
    status, body = await preview(client, scene, "progress", {
        "text": "주민 설명회를 열었습니다.", "percent": "10", "official_name": "이서연",
        "reached": "4"})
    assert status == 422 and ko.gettext(pages.ERROR_MESSAGES["reached_unknown"]) in body
    status, html = await preview(client, scene, "progress", {
        "text": "주민 설명회를 열었습니다.", "percent": "10", "official_name": "이서연",
        "reached": "１"})
    assert status == 200 and "1. 주민 설명회" in page_text(html)
    await client.post(f"{scene.url}/publish", data=confirm_data(html, scene))
    await clock.advance(timedelta(days=130))  # 2027-04-03: step 2 (3/31) is three days late
    public = page_text(await (await client.get(f"/p/{scene.proposal_id}")).text())
    assert "완료 " in public and "지연: 3일" in public
    assert "약속한 3월 31일(수)에서 3일 지남" in public
