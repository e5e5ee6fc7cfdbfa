"""「구가 묻습니다」 (issue #18, point 1) through the real bot, the sandbox and the web pages,
the fake clock jumping to the close:

- an admin writes a consultation in one message (a wrong line is named, in Korean);
- its audience is told; a resident reads the background with one tap, votes, changes the vote
  (a double tap changes nothing), and leaves an opinion under the choice;
- a resident outside the audience (another 동) is refused politely;
- at the close the participants get the votes per option, the page shows them, and the
  department gets a reply link; its answer reaches the participants like a proposal's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Consultation, User
from bot.services.departments import create_department
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident
from tests.conftest import START
from tests.e2e.test_answer_clock_e2e import jump_to, kst
from tests.integration.test_reply_pages import Scene, confirm_data, preview
from tests.support.forms import page_text
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MINJI, YEONGSU, SUA = 4401, 4402, 4403, 4404
DEPARTMENT = -100440
FORM = """/consult_new 구민체육센터 야간 개방
배경 체육센터는 밤 9시에 문을 닫아요. 직장인 주민들이 늦게까지 열어 달라고 해요.
배경 늘리면 인건비가 한 해 1억 원 더 들어요.
질문 구민체육센터를 밤 11시까지 열까요?
선택 찬반
찬성 퇴근 뒤에도 운동할 수 있어요.
반대 인건비가 늘고 주변이 시끄러워져요.
기간 2026-11-24 2026-12-01
대상 동 구로1동
부서 체육진흥과"""


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Runtime]:
    residents.group(DEPARTMENT, "체육진흥과")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            public_base_url="http://gonggam.test")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(residents.resident(ADMIN, "관리자"))
        for number, area in ((MINJI, "구로1동"), (YEONGSU, "구로1동"), (SUA, "신도림동")):
            await residents.resident(number, "주민").say("/start")
            await residents.resident(number, "주민").wait_for_message()
            async with runtime.sessionmaker() as session, session.begin():
                user = await session.scalar(select(User).where(User.telegram_id == number))
                assert user is not None
                user.verified_area, user.verified_at = area, START
        async with runtime.sessionmaker() as session, session.begin():
            await create_department(session, name="체육진흥과", now=START, chat_id=DEPARTMENT)
        yield runtime


async def take_part(resident: Resident, choice: str) -> None:
    asked = await resident.wait_for_message("구가 묻는 질문")
    await resident.press(asked, "📖 읽고 참여하기")
    background = await resident.wait_for_message("주요 논거", after=asked.message_id)
    assert "인건비가 한 해 1억 원" in background.text and "퇴근 뒤에도" in background.text
    await resident.wait_for_callback_answer(await resident.press(background, choice))
    voted = await resident.wait_for_edit(background)
    assert f"✅ {choice}" in voted.button_texts and "✍️ 의견 남기기" in voted.button_texts


async def test_residents_read_vote_and_comment_then_the_close_reaches_them_and_the_department(
    bot: Runtime, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    minji, yeongsu, sua = (residents.resident(n, "주민") for n in (MINJI, YEONGSU, SUA))
    office = residents.group(DEPARTMENT, "체육진흥과")
    await admin.say(FORM.replace("선택 찬반", "선택 하나만"))
    refused = await admin.wait_for_message("선택지는 두 개 이상")
    assert "/consult_new <제목>" in refused.text
    await admin.say(FORM)
    saved = await admin.wait_for_message("저장했어요")
    number = int(re.search(r"의견 수렴 (\d+)번", saved.text).group(1))  # type: ignore[union-attr]

    await take_part(minji, "찬성")
    background = await minji.wait_for_message("주요 논거")
    again = await minji.wait_for_callback_answer(await minji.press_data(
        background, background.buttons[0][0][1] or ""))
    assert "이미 고른 보기예요" in (again.text or "")
    changed = await minji.wait_for_callback_answer(await minji.press(background, "반대"))
    assert "바꿨어요" in (changed.text or "")
    await minji.press(await minji.wait_for_edit(background), "✍️ 의견 남기기")
    await minji.wait_for_message("의견을 한 번에 적어")
    await minji.say("짧아요")
    await minji.wait_for_message("10자 이상")
    await minji.say("밤에 소음이 걱정돼요. 연락처 010-9876-5432")
    await minji.wait_for_message("의견을 올렸어요")
    await take_part(yeongsu, "찬성")
    assert not [m for m in sua.history() if "구가 묻는 질문" in m.text]  # another 동
    await sua.say("/consult")
    await sua.wait_for_message("지금은 구가 묻는 질문이 없어요")

    async with TestClient(TestServer(bot.web_app())) as web:
        page = await (await web.get(f"/consultation/{number}")).text()
    plain = page_text(page)
    assert "구로1동 인증 주민" in plain and "지금까지 주민 2명 참여" in plain
    assert "밤에 소음이 걱정돼요" in plain and "9876" not in plain and "표 (" not in plain

    await jump_to(clock, kst(START.date() + timedelta(days=8)))  # after 12/1, at 10:00
    closed = await minji.wait_for_message("마감됐어요")
    assert "주민 2명이 참여했어요" in closed.text and "· 찬성: 1 (50%)" in closed.text
    link = await office.wait_for_message("/r/", after=0)
    async with bot.sessionmaker() as session:
        consultation = await session.scalar(select(Consultation).where(
            Consultation.id == number))
    assert consultation is not None and consultation.result == [1, 1]
    token = re.search(r"/r/([\w-]+)", link.text)
    assert token is not None
    scene = Scene(consultation.proposal_id, token.group(1))
    final = {"decision": "partial", "text": "주말에 한해 밤 11시까지 시범 운영하겠습니다.",
             "official_name": "이주무", "expected_completion": "2027-03-31",
             "budget": "3,000만 원"}
    async with TestClient(TestServer(bot.web_app())) as web:
        status, html = await preview(web, scene, "final", final)
        assert status == 200
        await web.post(f"{scene.url}/publish", data=confirm_data(html, scene))
        page = await (await web.get(f"/consultation/{number}")).text()
    assert "1표 (50%)" in page
    async with TestClient(TestServer(bot.web_app())) as web:
        response = await web.get(f"/p/{consultation.proposal_id}")
        timeline = page_text(await response.text())
    assert response.status == 200 and '<span class="kicker">구가 묻는 질문</span>' in (
        await response.text())
    for entry in ("구가 주민에게 물음", "의견 수렴 마감, 부서 답변 대기", "최종 답변: 부분 수용"):
        assert entry in timeline, entry
    answer = await yeongsu.wait_for_message("주말에 한해")
    assert "최종 답변" in answer.text
