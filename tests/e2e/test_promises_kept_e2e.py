"""Promises kept after an accepting answer (issue #18, points 3 and 4) through the real bot,
the sandbox and the web pages, the fake clock jumping through the plan:

- the official writes a plan with the final answer; followers are told its steps;
- the department's chat is reminded before a step, with a fresh reply link that opens;
- a step whose day passed unreached is late on the public page, and the followers and the
  department are told, once;
- a progress update names the step reached, and followers are told which;
- a department quiet for the configured days is asked for an update;
- the public page's timeline shows every step with who acted and the promises kept or not.
"""

from __future__ import annotations

from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import ShiftableClock
from sandbox import SandboxClient, SandboxServer
from tests.e2e.test_answer_clock_e2e import (
    AUTHOR,
    DEPARTMENT,
    YEONGSU,
    awaiting_answer,
    jump_to,
    kst,
    public_page,
    publish,
    staff_settings,
)
from tests.integration.test_reply_pages import Scene
from tests.support.forms import page_text
from tests.support.harness import running_bot

pytestmark = pytest.mark.usefixtures("no_failed_updates")

FINAL = {"decision": "accepted", "text": "내년 3월까지 산책로 전 구간에 설치하겠습니다.",
         "official_name": "김담당", "expected_completion": "2027-03-31",
         "budget": "1억 2천만 원",
         "plan": "2026-12-04 주민 설명회\n2027-01-29 설계 완료\n2027-03-31 설치 완료"}



async def test_a_plan_is_reminded_flagged_when_late_reached_and_shown_on_the_timeline(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    author, yeongsu = residents.resident(AUTHOR, "민지"), residents.resident(YEONGSU, "영수")
    office = residents.group(DEPARTMENT, "공원녹지과")
    async with running_bot(staff_settings(database_url, sandbox), clock) as runtime, \
            TestClient(TestServer(runtime.web_app())) as web:
        pid, token = await awaiting_answer(runtime)
        scene = Scene(pid, token)
        assert await publish(web, scene, "final", FINAL | {"plan": "설계 후 공사"}) == 422
        assert await publish(web, scene, "final", FINAL) == 200
        answered = await yeongsu.wait_for_message("최종 답변")
        assert "🗓 추진 계획:" in answered.text
        assert "· 12월 4일(금) 주민 설명회" in answered.text
        assert "· 2027년 1월 29일(금) 설계 완료" in answered.text

        await jump_to(clock, kst(date(2026, 11, 27)))  # a week before step 1 (12/4 Fri)
        reminder = await office.wait_for_message("계획한 1단계")
        assert "「주민 설명회」" in reminder.text and "12월 4일(금)까지" in reminder.text
        link = reminder.text.rsplit("\n", 1)[1]
        assert link.startswith("http://gonggam.test/r/")
        opened = await web.get(link.removeprefix("http://gonggam.test"))
        assert opened.status == 200 and "1. 주민 설명회" in page_text(await opened.text())

        await jump_to(clock, kst(date(2026, 12, 5)))  # step 1's day has passed
        late = await yeongsu.wait_for_message("늦어지고 있어요", after=answered.message_id)
        assert "「주민 설명회」" in late.text and late.buttons
        await office.wait_for_message("「지연」으로 표시돼요")
        assert "지연: 1일" in page_text(await public_page(runtime, pid))
        await jump_to(clock, kst(date(2026, 12, 6)))
        assert len([m for m in yeongsu.history() if "늦어지고" in m.text]) == 1

        progress = {"text": "주민 설명회를 열어 의견을 들었어요.", "official_name": "이주무",
                    "percent": "15", "reached": "1"}
        assert await publish(web, scene, "progress", progress) == 200
        reached = await yeongsu.wait_for_message("✅ 마친 단계", after=late.message_id)
        assert "· 주민 설명회" in reached.text and "15%" in reached.text

        await jump_to(clock, kst(date(2027, 1, 6)))  # 30 days after the last update
        asked = await office.wait_for_message("진행 상황이 올라오지 않았어요")
        assert f"제안 {pid}번" in asked.text and "12월 6일(일) 이후" in asked.text

        page = page_text(await public_page(runtime, pid))
        timeline = page[page.index("타임라인"):]
        for line in ("제안 등록, 공감 모으기 시작", "최종 답변: 수용", "김담당",
                     "계획 단계: 「주민 설명회」", "⚠️ 약속한 2026년 12월 4일(금)보다 2일 늦음",
                     "계획 단계: 「설계 완료」", "약속: 1월 29일(금)까지", "완료 예정"):
            assert line in timeline, line
        assert timeline.index("주민 설명회") < timeline.index("설계 완료")
        assert "🗓 추진 계획:" in (await author.wait_for_message("최종 답변")).text
