"""A proposal's 워킹그룹 (issue #18, point 3) through the real bot, the sandbox and the public
page: a moderator attaches residents to work the department accepted; a member reports what
they saw; staff publish it from the work item (a second press changes nothing), the followers
hear it and the page and its timeline show it; a report staff keep back reaches nobody; a
non-member, a too short report and a proposal not being carried out are refused politely."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Answer, User
from bot.domain.lifecycle import ProposalStatus
from bot.services.departments import create_department
from sandbox import SandboxClient, SandboxServer
from tests.conftest import START
from tests.e2e.test_moderation_e2e import data_of
from tests.support.factories import follow, make_proposal
from tests.support.forms import page_text
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS = -100551
MOD, MINJI, YEONGSU, SUA = 5501, 5502, 5503, 5504
TITLE = "어린이공원 둘레길 가로등 설치"
REPORT = "오늘 둘레길 북쪽에 가로등 기초 공사를 시작한 것을 봤어요. 010-1234-5678로 문의 가능"


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Runtime]:
    residents.group(MODERATORS, "공감 운영진")
    settings = settings_for(database_url, sandbox, moderator_chat_id=MODERATORS,
                            admin_telegram_ids=frozenset({MOD}),
                            public_base_url="http://gonggam.test")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(residents.resident(MOD, "김모더"))
        for resident in (MINJI, YEONGSU, SUA):
            await residents.resident(resident, "주민").say("/start")
            await residents.resident(resident, "주민").wait_for_message()
        yield runtime


async def user(session: AsyncSession, telegram_id: int) -> User:
    """The resident who started the bot in the fixture."""
    found = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert found is not None
    return found


async def proposal_in(runtime: Runtime, status: ProposalStatus, decision: str) -> int:
    """민지's proposal in `status`, followed by 수아, with the department's final answer."""
    async with runtime.sessionmaker() as session, session.begin():
        author = await user(session, MINJI)
        proposal = await make_proposal(session, author, START, title=TITLE, status=status)
        await follow(session, author, proposal, START)
        await follow(session, await user(session, SUA), proposal, START)
        department = await create_department(session, name=f"공원녹지과{status}{decision}",
                                             now=START)
        proposal.department_id = department
        session.add(Answer(proposal_id=proposal.id, department_id=department, kind="final",
                           decision=decision, text="내년 봄까지 설치하겠습니다.",
                           official_name="김담당", idempotency_key=f"final-{status}-{decision}",
                           created_at=START - timedelta(days=1)))
        return proposal.id


async def test_a_member_reports_and_staff_publish_it_to_the_followers_and_the_page(
    bot: Runtime, residents: SandboxClient,
) -> None:
    moderator, moderators = residents.resident(MOD, "김모더"), residents.group(MODERATORS, "")
    yeongsu, sua = residents.resident(YEONGSU, "영수"), residents.resident(SUA, "수아")
    pid = await proposal_in(bot, ProposalStatus.IN_PROGRESS, "accepted")
    await moderator.say(f"/workgroup {pid} {YEONGSU} 99999")
    added = await moderator.wait_for_message(f"제안 {pid}번 워킹그룹")
    assert str(YEONGSU) in added.text and "찾지 못했어요" in added.text and "99999" in added.text
    joined = await yeongsu.wait_for_message("워킹그룹에 참여하게 됐어요")
    assert f"/workgroup_update {pid}" in joined.text

    await sua.say(f"/workgroup_update {pid} {REPORT}")
    await sua.wait_for_message("워킹그룹 구성원만")
    await yeongsu.say(f"/workgroup_update {pid} 좋아요")
    await yeongsu.wait_for_message("자 이상 적어 주세요")
    await yeongsu.say(f"/workgroup_update {pid} {REPORT}")
    await yeongsu.wait_for_message("운영진이 확인한 뒤")

    item = await moderators.wait_for_message("진행 소식을 보냈어요", after=0)
    assert "기초 공사" in item.text and "5678" not in item.text  # masked before staff read it
    publish = data_of(item, ":publish:")
    await moderator.press_data(item, publish)
    handled = await moderators.wait_for_edit(item)
    assert "김모더" in handled.text and not handled.buttons
    answer = await moderator.wait_for_callback_answer(await moderator.press_data(item, publish))
    assert "처리" in (answer.text or "")  # the second press is told it was handled
    news = await sua.wait_for_message("워킹그룹 소식이에요")
    assert "기초 공사" in news.text and f"http://gonggam.test/p/{pid}" in news.text
    await yeongsu.wait_for_message("게시됐어요")
    assert len([m for m in sua.history() if "워킹그룹 소식이에요" in m.text]) == 1

    async with TestClient(TestServer(bot.web_app())) as web:
        page = await (await web.get(f"/p/{pid}")).text()
    plain = page_text(page)
    assert "워킹그룹 소식" in plain and "기초 공사를 시작한 것을 봤어요" in plain
    assert "주민 워킹그룹" in plain[plain.index("타임라인"):]


async def test_a_report_kept_back_reaches_nobody_and_unfinished_work_is_needed(
    bot: Runtime, residents: SandboxClient,
) -> None:
    moderator, moderators = residents.resident(MOD, "김모더"), residents.group(MODERATORS, "")
    yeongsu, sua = residents.resident(YEONGSU, "영수"), residents.resident(SUA, "수아")
    refused = await proposal_in(bot, ProposalStatus.ANSWERED, "rejected")
    await moderator.say(f"/workgroup {refused} {YEONGSU}")
    await moderator.wait_for_message("지금 추진 중이 아니에요")
    await moderator.say("/workgroup 열두")
    await moderator.wait_for_message("사용법: /workgroup")

    pid = await proposal_in(bot, ProposalStatus.ANSWERED, "partial")
    await moderator.say(f"/workgroup {pid} {YEONGSU}")
    await yeongsu.wait_for_message("워킹그룹에 참여하게 됐어요")
    await yeongsu.say(f"/workgroup_update {pid} {REPORT}")
    item = await moderators.wait_for_message("진행 소식을 보냈어요", after=0)
    await moderator.press(item, "🙈 게시 안 함")
    await moderators.wait_for_edit(item)
    await yeongsu.wait_for_message("게시되지 않았어요")
    assert not [m for m in sua.history() if "워킹그룹 소식이에요" in m.text]

    await moderator.say(f"/workgroup_remove {pid} {YEONGSU}")
    removed = await moderator.wait_for_message(f"제안 {pid}번 워킹그룹")
    assert removed.text.endswith("—")
    await yeongsu.say(f"/workgroup_update {pid} {REPORT}")
    await yeongsu.wait_for_message("워킹그룹 구성원만")
