"""The 협치회의 through the real bot, the sandbox and the web server: an admin appoints a
위원장 and two 위원 (one chair at a time; residents cannot appoint); a member's request for an
extraordinary meeting makes a third and reaches the admin; the admin convenes it, which
closes the request; a proposal found feasible is put on the agenda (상정) and its follower
hears; the 위원장 records attendance, a decision without quorum is refused with the number
missing; members vote once each; the item is decided once and the follower hears the
outcome; the minutes, a 권고 to the 구청장 and the office's response are published and pushed;
the public pages show members, votes by name, the minutes and the response."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from sqlalchemy import select

from bot.clock import ShiftableClock
from bot.db.models import AuditEntry
from bot.domain.lifecycle import ProposalStatus
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MINJI, YEONGSU, HANEUL, SUJIN, AUTHOR = 9700, 9701, 9702, 9703, 9704, 9705


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_governance_council_decides_and_recommends(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, minji = residents.resident(ADMIN, "관리자"), residents.resident(MINJI, "민지")
    yeongsu, haneul = residents.resident(YEONGSU, "영수"), residents.resident(HANEUL, "하늘")
    sujin = residents.resident(SUJIN, "수진")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            port=port, public_base_url=base)
    async with running_bot(settings, clock, serve_web=True) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            author = await make_user(session, AUTHOR, clock.now())
            follower = await make_user(session, SUJIN, clock.now())
            proposal = await make_proposal(session, author, clock.now(),
                                           status=ProposalStatus.IN_DEBATE)
            await make_proposal(session, author, clock.now())  # #2: still gathering 공감
            await follow(session, follower, proposal, clock.now())
        for person in (minji, yeongsu, haneul):
            await person.say("/start")
            await person.wait_for_message()

        # members: appointed by an admin only, one chair at a time
        await minji.say("/hyeopchi_member 9701 위원장 김민지")
        assert "✅" not in (await minji.wait_for_message()).text
        await admin.say("/hyeopchi_member 9701 위원장 김민지")
        assert "김민지 님을 위촉했어요(역할: 위원장)" in (await admin.wait_for_message("✅")).text
        await admin.say("/hyeopchi_member 9702 위원 이영수")
        await admin.wait_for_message("✅")
        await admin.say("/hyeopchi_member 9703 위원 박하늘")
        await admin.wait_for_message("✅")
        await admin.say("/hyeopchi_member 9702 위원장 이영수")
        assert "지금 위원장은 김민지 님이에요" in (await admin.wait_for_message()).text
        await admin.say("/hyeopchi_member 1234 위원 아무개")
        assert "/start" in (await admin.wait_for_message()).text
        told = await minji.wait_for_message("🤝", after=0)
        assert "협치회의 위원으로 위촉되었어요(역할: 위원장)" in told.text

        # an extraordinary meeting asked for by a third of the members (1 of 3)
        await sujin.say("/hyeopchi_request 급해요")
        assert "협치회의 위원만" in (await sujin.wait_for_message()).text
        await yeongsu.say("/hyeopchi_request 가로등 예산을 빨리 논의해야 해요")
        asked = (await yeongsu.wait_for_message("✅")).text
        assert "관리자에게 임시회의 소집을 알렸어요" in asked
        reached = await admin.wait_for_message("📣", after=0)
        assert "재적 위원 3명 중 1명이 협치회의 임시회의 소집을 요구했어요" in reached.text
        assert "가로등 예산을 빨리 논의해야 해요" in reached.text
        await admin.say("/hyeopchi_meeting 임시 2026-11-27 14:00 구청 3층 회의실")
        convened = (await admin.wait_for_message("✅")).text
        assert convened.startswith("✅ 1번 회의(임시회의)를 소집했어요")
        assert "위원 3명에게 알렸어요" in convened and "소집 요구 1건" in convened
        notice = await haneul.wait_for_message("📅", after=0)
        assert "협치회의 임시회의 소집: 11월 27일(금) 오후 2:00, 구청 3층 회의실" in notice.text
        await admin.say("/hyeopchi_meeting 정기 2026-11-01 14:00 구청")
        assert "이미 지난 시각이에요" in (await admin.wait_for_message()).text

        # 상정: only a proposal found feasible; its follower hears
        await admin.say("/hyeopchi_agenda 1 2")
        assert "제안 2번은 지금 상정할 수 없어요" in (await admin.wait_for_message()).text
        await admin.say("/hyeopchi_agenda 1 1")
        placed = (await admin.wait_for_message("✅")).text
        assert "1번 회의의 1번 안건으로 상정했어요. 지켜보는 주민 1명에게 알렸어요." in placed
        heard = await sujin.wait_for_message("🤝", after=0)
        assert "「공원 가로등 설치」 제안이 협치회의에 상정되었어요" in heard.text

        # attendance and the quorum (2 of 3), recorded by the 위원장
        await yeongsu.say("/hyeopchi_attend 1 9702")
        assert "위원장이나 관리자만" in (await yeongsu.wait_for_message()).text
        await minji.say("/hyeopchi_attend 1 9701")
        assert "1명이 더 출석해야 해요" in (await minji.wait_for_message("✅")).text
        await minji.say("/hyeopchi_decide 1 1")
        refused = (await minji.wait_for_message()).text
        assert refused.startswith("의결하지 못했어요") and "1명이 더 출석해야 해요" in refused
        await minji.say("/hyeopchi_attend 1 9702 9703 9704")
        attended = (await minji.wait_for_message("✅")).text
        assert "위원이 아닌 ID: 9704" in attended and "의결 정족수를 채웠어요" in attended

        # one vote each
        await minji.say("/hyeopchi_vote 1 1 찬성")
        assert "표결: 찬성" in (await minji.wait_for_message("✅")).text
        await yeongsu.say("/hyeopchi_vote 1 1 찬성")
        await yeongsu.wait_for_message("✅")
        await yeongsu.say("/hyeopchi_vote 1 1 반대")
        assert "이미 표결하셨어요(찬성)" in (await yeongsu.wait_for_message()).text
        await haneul.say("/hyeopchi_vote 1 1 기권")
        await haneul.wait_for_message("✅")

        # decided once, by the 위원장; the follower hears
        await yeongsu.say("/hyeopchi_decide 1 1")
        assert "위원장이나 관리자만" in (await yeongsu.wait_for_message()).text
        await minji.say("/hyeopchi_decide 1 1")
        decided = (await minji.wait_for_message("✅")).text
        assert ("1번 안건 「공원 가로등 설치」: 가결 (출석 3명 중 찬성 2, 반대 0, 기권 1)"
                in decided)
        await minji.say("/hyeopchi_decide 1 1")
        assert "다시 의결할 수 없어요" in (await minji.wait_for_message()).text
        outcome = await sujin.wait_for_message("의결했어요", after=0)
        assert "가결" in outcome.text

        # minutes, the 권고 and the office's response
        await admin.say("/hyeopchi_minutes 1\n위원장이 개회했어요.\n"
                        "가로등 설치 안건을 가결했어요.")
        assert "1번 회의록을 공개했어요" in (await admin.wait_for_message("✅")).text
        await admin.say("/hyeopchi_recommend 1 1 내년 예산에 가로등 설치비를 반영해 주세요.")
        made = (await admin.wait_for_message("✅")).text
        assert "구청장에게 1번 권고를 보냈어요" in made and "운영진에게 알렸어요" in made
        recommended = await sujin.wait_for_message("📨", after=0)
        assert "내년 예산에 가로등 설치비를 반영해 주세요." in recommended.text
        await admin.say("/hyeopchi_response 1 2027년 본예산에 반영하겠습니다.")
        assert "1번 권고의 회신을 공개" in (await admin.wait_for_message("✅")).text
        answered = await sujin.wait_for_message("📬", after=0)
        assert "2027년 본예산에 반영하겠습니다." in answered.text

        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/hyeopchi") as page:
                overview = await page.text()
            async with http.get(f"{base}/hyeopchi/1") as page:
                meeting = await page.text()
            async with http.get(f"{base}/hyeopchi/9") as missing:
                assert missing.status == 404
        assert "김민지" in overview and "박하늘, 이영수" in overview  # by name
        assert "2027년 본예산에 반영하겠습니다." in overview
        assert "박하늘: 기권" in meeting and "가로등 설치 안건을 가결했어요" in meeting
        assert "가결" in meeting and "재적 3명 중 3명" in meeting

        async with runtime.sessionmaker() as session:
            history = set(await session.scalars(select(AuditEntry.action).where(
                AuditEntry.subject == "proposal:1")))
        assert {"governance_placed", "governance_decided", "governance_recommended",
                "governance_response"} <= history
