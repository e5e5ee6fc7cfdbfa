"""The 협치회의's public pages, served by aiohttp on both databases: the overview (members by
role, meetings, 권고 and their status), a meeting's page (agenda, attendance and quorum, each
member's vote by name, the outcome, the 권고, the minutes with personal data masked), and a
404 for a meeting that does not exist."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.domain.deadlines import BusinessCalendar
from bot.domain.governance import Choice
from bot.i18n import I18n
from bot.services import governance
from bot.settings import Settings
from bot.web.app import secure_application
from bot.web.governance_pages import add_governance_routes
from bot.web.pages import PageDeps, add_page_routes
from tests.integration.test_governance_services import (
    NOW,
    board,
    cast,
    convene,
    recommended,
    seated,
)

Maker = async_sessionmaker[AsyncSession]
SETTINGS = Settings(secret_key="k" * 64, public_base_url="http://gonggam.test")
MINUTES = "위원장이 개회했어요.\n문의: 간사 010-1234-5678"


@pytest.fixture
async def client(sessionmaker: Maker, clock: ShiftableClock) -> AsyncIterator[TestClient]:
    await board(sessionmaker)
    await recommended(sessionmaker, None)  # meeting 1: item 1 passed 3 of 5, a 권고
    meeting_id = await seated(sessionmaker, range(7001, 7004))  # meeting 2: no quorum
    await cast(sessionmaker, meeting_id, 7002, Choice.NO)
    await convene(sessionmaker)  # meeting 3: nothing on it yet
    async with sessionmaker() as session, session.begin():
        await governance.write_minutes(session, meeting_id=1, text=MINUTES, actor="admin",
                                       now=NOW)
    await clock.advance(NOW - clock.now())
    app = secure_application(SETTINGS)
    deps = PageDeps(sessionmaker, SETTINGS, clock, I18n(), BusinessCalendar(),
                    lambda *targets: None)
    add_page_routes(app, deps)
    add_governance_routes(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def text_of(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path, allow_redirects=False)
    assert response.status == status, path
    return await response.text()


async def test_the_overview_lists_members_meetings_and_recommendations(
    client: TestClient,
) -> None:
    page = await text_of(client, "/hyeopchi")
    chair = page.split("위원장</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert chair == "위원1"
    assert "위원 (9명)" in page and "위원2, 위원3" in page
    assert page.count('href="/hyeopchi/') == 4  # three meetings and the 권고's meeting
    assert "1번 권고" in page and "내년 예산에 반영해 주세요." in page
    assert "회신 기한: 12월 21일(월)까지" in page


async def test_a_meeting_page_shows_votes_by_name_the_outcome_and_masked_minutes(
    client: TestClient,
) -> None:
    page = await text_of(client, "/hyeopchi/1")
    assert "재적 9명 중 5명 (의결 정족수 5명)" in page and "정족수 충족" in page
    assert "가결" in page and "출석 5명 중 찬성 3, 반대 0, 기권 0" in page
    assert "위원1: 찬성" in page and 'href="/p/1"' in page
    assert "구청장에게 보낸 1번 권고" in page
    assert "위원장이 개회했어요." in page and "1234-5678" not in page
    waiting = await text_of(client, "/hyeopchi/2")
    assert "재적 9명 중 3명" in waiting and "정족수 충족" not in waiting
    assert "아직 의결하지 않았어요. 지금까지 1표" in waiting and "위원2: 반대" in waiting
    assert "아직 상정된 안건이 없어요." in await text_of(client, "/hyeopchi/3")
    await text_of(client, "/hyeopchi/4", 404)
