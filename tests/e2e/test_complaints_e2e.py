"""민원 without 공감 (issue #18, point 6) through the real bot, the sandbox and the web pages:

- a resident writes in the wizard and sends it as a 민원 instead of a proposal, saying whether
  the answer may be public;
- the moderators' work item asks its kind (the 처리기간 follows) and then its department; the
  department gets a reply link, the resident the department and the deadline (the 민원처리법's
  count: days with the day of receipt, weekends and holidays skipped);
- the department answers on the reply page; the resident gets the whole answer in the chat,
  as a private 민원 has no public page; nobody else can list or open it;
- a 민원 the resident agreed to make public has its page, marked as a 민원.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.services.departments import create_department
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Group, Resident
from tests.conftest import START
from tests.e2e.test_moderation_e2e import data_of
from tests.e2e.test_proposals_e2e import reach_preview
from tests.integration.test_reply_pages import Scene, confirm_data, preview
from tests.support.forms import page_text
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS, DEPARTMENT = -100661, -100662
MOD, MINJI, YEONGSU = 6601, 6602, 6603
TITLE = "아파트 앞 불법 주차 단속 요청"
ANSWER = ("현장을 확인했고 주차 단속 카메라를 다음 달에 설치할 예정입니다. "
          "그동안 주 3회 현장 단속을 하겠습니다. " * 4)


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Runtime]:
    residents.group(MODERATORS, "공감 운영진")
    residents.group(DEPARTMENT, "교통행정과")
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=3),
                            moderator_chat_id=MODERATORS, admin_telegram_ids=frozenset({MOD}),
                            public_base_url="http://gonggam.test")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(residents.resident(MOD, "김모더"))
        async with runtime.sessionmaker() as session, session.begin():
            await create_department(session, name="교통행정과", now=START, chat_id=DEPARTMENT)
        yield runtime


async def send_as_complaint(resident: Resident, choice: str) -> int:
    preview_message = await reach_preview(resident, TITLE)
    await resident.press(preview_message, "📮 민원으로 보내기")
    consent = await resident.wait_for_message("민원으로 보내기")
    assert "토요일·공휴일 제외" in consent.text
    await resident.press(consent, choice)
    received = await resident.wait_for_message("접수됐어요")
    number = re.search(r"민원 (\d+)번", received.text)
    assert number is not None
    return int(number.group(1))


async def route(moderators: Group, moderator: Resident, kind: str) -> None:
    item = await moderators.wait_for_message("새 민원", after=0)
    assert "종류를 고르면" in item.text and "아파트 앞" in item.text  # the text's first lines
    assert kind in item.button_texts and "🚫 거절…" in item.button_texts
    await moderator.press(item, kind)
    departments = await moderators.wait_for_edit(item)
    assert "교통행정과" in departments.button_texts
    await moderator.press(departments, "교통행정과")
    handled = await moderators.wait_for_edit(departments)
    assert f"교통행정과 · {kind}" in handled.text and not handled.buttons


async def page_status(runtime: Runtime, proposal_id: int) -> tuple[int, str]:
    async with TestClient(TestServer(runtime.web_app())) as web:
        response = await web.get(f"/p/{proposal_id}")
        return response.status, await response.text()


async def test_a_private_complaint_is_routed_with_its_legal_deadline_and_answered_in_the_chat(
    bot: Runtime, residents: SandboxClient,
) -> None:
    minji, yeongsu = residents.resident(MINJI, "민지"), residents.resident(YEONGSU, "영수")
    moderator, moderators = residents.resident(MOD, "김모더"), residents.group(MODERATORS, "")
    office = residents.group(DEPARTMENT, "교통행정과")
    number = await send_as_complaint(minji, "🔒 나만 볼게요")
    await route(moderators, moderator, "고충민원")
    # received Tue 11/24 15:00 KST: 7 business days counting that day end on Wed 12/2
    routed = await minji.wait_for_message("교통행정과에서 답해요")
    assert "(고충민원)" in routed.text and "12월 2일(수)까지" in routed.text
    link = await office.wait_for_message("/r/", after=0)
    async with bot.sessionmaker() as session:
        complaint = await session.scalar(select(Proposal).where(Proposal.id == number))
    assert complaint is not None and complaint.status == ProposalStatus.AWAITING_ANSWER

    assert (await page_status(bot, number))[0] == 404
    await yeongsu.say("/proposals")
    listing = await yeongsu.wait_for_message()
    assert TITLE not in listing.text
    await yeongsu.say(f"/start p{number}")
    assert TITLE not in (await yeongsu.wait_for_message()).text

    token = re.search(r"/r/([\w-]+)", link.text)
    assert token is not None
    scene = Scene(number, token.group(1))
    final = {"decision": "accepted", "text": ANSWER, "official_name": "박주무",
             "expected_completion": "2027-01-29", "budget": "300만 원"}
    async with TestClient(TestServer(bot.web_app())) as web:
        status, html = await preview(web, scene, "final", final)
        assert status == 200
        await web.post(f"{scene.url}/publish", data=confirm_data(html, scene))
    answer = await minji.wait_for_message("최종 답변", after=routed.message_id)
    assert "주 3회 현장 단속" in answer.text and answer.text.count("카메라") == 4
    assert "/p/" not in answer.text and "전체 답변" not in answer.text


async def test_a_complaint_the_resident_made_public_has_its_page(
    bot: Runtime, residents: SandboxClient,
) -> None:
    minji = residents.resident(MINJI, "민지")
    moderator, moderators = residents.resident(MOD, "김모더"), residents.group(MODERATORS, "")
    number = await send_as_complaint(minji, "🌐 공개해도 돼요")
    assert (await page_status(bot, number))[0] == 404  # not before it is routed
    await route(moderators, moderator, "기타민원")
    routed = await minji.wait_for_message("교통행정과에서 답해요")
    # received Tue 11/24 15:00 KST: three working hours end at 18:00 the same day
    assert "(생활 불편 신고)" in routed.text and "11월 24일(화) 오후 6:00까지" in routed.text
    status, page = await page_status(bot, number)
    plain = page_text(page)
    assert status == 200 and '<span class="kicker">민원</span>' in page
    assert "📮 민원: 공감 없이 담당 부서가 답해요" in plain
    assert "민원 접수" in plain and "민원 분류, 담당 부서로 전달" in plain


async def test_a_forged_triage_button_changes_nothing(
    bot: Runtime, residents: SandboxClient,
) -> None:
    minji = residents.resident(MINJI, "민지")
    moderator, moderators = residents.resident(MOD, "김모더"), residents.group(MODERATORS, "")
    number = await send_as_complaint(minji, "🔒 나만 볼게요")
    item = await moderators.wait_for_message("새 민원", after=0)
    forged = data_of(item, ":ckind:").rsplit(":", 2)[0] + ":route:7"  # no department
    unknown = forged.replace(":route:7", ":route:99990")  # a department the item never offered
    for data in (forged, unknown):
        answer = await moderator.wait_for_callback_answer(await moderator.press_data(item, data))
        assert answer.text and answer.show_alert
    async with bot.sessionmaker() as session:
        complaint = await session.scalar(select(Proposal).where(Proposal.id == number))
    assert complaint is not None and complaint.status == ProposalStatus.PENDING_MODERATION
    await route(moderators, moderator, "건의민원")  # the item is still open to real buttons
