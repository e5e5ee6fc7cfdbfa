"""A 주민총회 counted over three channels through the real bot, the sandbox and the web
server: an admin creates it; a verified resident votes online (and cannot vote twice, or
choose more than allowed, or forge a ballot); the polling places check people in by phone
number or verification code (an online voter is turned away, a paper voter cannot then vote
online); paper totals come with the tally sheet's photo and may not exceed the roll; the
committee's scores are entered; the count is refused too early, then done once; everyone who
took part hears the result; the public page and the open data show every channel."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.buttons import AssemblySheets, AssemblyVote
from bot.clock import ShiftableClock
from bot.db.models import AssemblyBallot, AssemblyParticipation, AuditEntry
from bot.domain.text import phone_hash
from bot.services.verification import BatchRequest, create_batch
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.factories import make_user
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MINJI, YEONGSU, HANEUL = 9601, 9602, 9603, 9604
MINJI_PHONE = "010-2345-6789"
ASSEMBLY = """/assembly_new 신도림동 2027 신도림동 주민총회
온라인 2026-11-25 2026-12-05
현장 2026-12-05 신도림동주민센터, 신도림초등학교
선택 2
예산 30,000,000
가중치 온라인 5 현장 10 위원회 1
안건 자치계획 골목 화단 가꾸기
안건 사업 어린이 놀이터 그늘막 12,000,000
안건 사업 경로당 안마의자 20,000,000"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def step(person: Resident, message: SentMessage, label: str) -> SentMessage:
    query = await person.press(message, label)
    await person.wait_for_callback_answer(query)
    return await person.wait_for_edit(message)


async def refused(person: Resident, message: SentMessage, label: str) -> str:
    query = await person.press(message, label)
    answer = await person.wait_for_callback_answer(query)
    assert answer.show_alert
    return answer.text or ""


async def move_to(clock: ShiftableClock, moment: datetime) -> None:
    await clock.advance(moment - clock.now())


async def test_an_assembly_counted_over_three_channels(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, minji = residents.resident(ADMIN, "관리자"), residents.resident(MINJI, "민지")
    yeongsu, haneul = residents.resident(YEONGSU, "영수"), residents.resident(HANEUL, "하늘")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            port=port, public_base_url=base)
    async with running_bot(settings, clock, serve_web=True) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            await make_user(session, MINJI, clock.now(), verified_area="신도림동",
                            phone_hash=phone_hash(MINJI_PHONE, settings.secret_key))
            await make_user(session, HANEUL, clock.now(), verified_area="구로1동")
            batch = await create_batch(session, BatchRequest("신도림동", 1, 30),
                                       areas=settings.areas, secret_key=settings.secret_key,
                                       actor="test", now=clock.now())
        assert batch.batch is not None
        code = batch.batch.codes[0]
        await yeongsu.say(f"/verify {code}")
        await yeongsu.wait_for_message("신도림동")

        # creating: residents cannot; a bad line is named; then the assembly
        await minji.say(ASSEMBLY)
        assert "✅" not in (await minji.wait_for_message()).text
        await admin.say(ASSEMBLY.replace("현장 10", "현장 0"))
        bad = (await admin.wait_for_message("만들지 못했어요")).text
        assert "가중치는 0보다 크고" in bad and "/assembly_new &lt;동&gt;" not in bad
        await admin.say(ASSEMBLY)
        made = (await admin.wait_for_message("✅")).text
        assert made.startswith("✅ 1번 총회를 만들었어요. 신도림동 주민은 /assembly로")
        assert "2. [사업] 어린이 놀이터 그늘막 · 1,200만 원" in made
        assert "온라인 1표 5점, 현장 1표 10점, 위원회 점수는 1배로 더해요" in made
        assert "1. 신도림동주민센터\n2. 신도림초등학교" in made
        await admin.say(ASSEMBLY)
        assert "아직 집계하지 않은 1번 총회가 있어요" in (await admin.wait_for_message()).text

        # online: not open before its first day; then a vote of two, cast once
        await minji.say("/assembly")
        card = await minji.wait_for_message("🗳")
        assert not card.buttons and "이 채팅에서 온라인 투표: 11월 25일(수)부터 12월 5일(토)까지" \
            in card.text
        await move_to(clock, datetime(2026, 11, 25, 1, 0, tzinfo=UTC))  # 10:00 KST
        await minji.say("/assembly")
        card = await minji.wait_for_message("🗳")
        ballot = await step(minji, card, "🗳 온라인 투표하기")
        assert "고른 안건: 0/2" in ballot.text
        ballot = await step(minji, ballot, "⬜ 1. 골목 화단 가꾸기")
        ballot = await step(minji, ballot, "⬜ 3. 경로당 안마의자")
        ballot = await step(minji, ballot, "☑️ 3. 경로당 안마의자")
        ballot = await step(minji, ballot, "⬜ 2. 어린이 놀이터 그늘막")
        assert "고른 안건: 2/2" in ballot.text
        assert "2개까지 고를 수 있어요" in await refused(minji, ballot, "⬜ 3. 경로당 안마의자")
        review = await step(minji, ballot, "다음 ▶")
        assert review.text.startswith("이대로 투표할까요?\n• 1. [자치계획] 골목 화단 가꾸기\n"
                                      "• 2. [사업] 어린이 놀이터 그늘막 · 1,200만 원")
        receipt = await step(minji, review, "✅ 투표하기")
        assert receipt.text.startswith("✅ 투표했어요. 접수 번호: ")
        again = await minji.press_data(review, AssemblyVote(1, 0b11, AssemblyVote.CAST).pack())
        assert "이미 투표했어요" in ((await minji.wait_for_callback_answer(again)).text or "")
        forged = await haneul.press_data(card, AssemblyVote(1, 1 << 30, AssemblyVote.CAST).pack())
        assert "신도림동 주민만" in ((await haneul.wait_for_callback_answer(forged)).text or "")
        await haneul.say("/assembly")
        nothing = (await haneul.wait_for_message()).text
        assert "지금 구로1동에서 열리는 주민총회가 없어요" in nothing
        forged = await yeongsu.press_data(card,
                                          AssemblyVote(1, 1 << 30, AssemblyVote.REVIEW).pack())
        assert "다시 열어 주세요" in ((await yeongsu.wait_for_callback_answer(forged)).text or "")

        # the on-site day: the desks check people in against every channel
        await move_to(clock, datetime(2026, 12, 5, 1, 0, tzinfo=UTC))  # 12/5 10:00 KST
        await admin.say("/assembly_check 1 1 010 2345 6789")  # Minji voted online
        turned_away = (await admin.wait_for_message("⛔")).text
        assert "이미 투표한 분이에요" in turned_away and "온라인" in turned_away
        await admin.say("/assembly_check 1 1 010-5555-1234")  # Sujin, who never used the bot
        assert "신도림동주민센터 명부 확인: 1명" in (await admin.wait_for_message("✅")).text
        await admin.say("/assembly_check 1 2 010-5555-1234")  # at the other place too: no
        assert "⛔" in (await admin.wait_for_message()).text
        await admin.say(f"/assembly_check 1 2 {code.lower()}")  # Yeongsu brings his code
        assert "신도림초등학교 명부 확인: 1명" in (await admin.wait_for_message("✅")).text
        await admin.say("/assembly_check 1 3 010-5555-9999")
        assert "투표소 번호는 이래요" in (await admin.wait_for_message()).text
        await admin.say("/assembly_check 1 1 전화 없음")
        assert "휴대전화 번호나 인증 코드" in (await admin.wait_for_message()).text
        await yeongsu.say("/assembly")  # voted on paper: no online ballot any more
        shown = await yeongsu.wait_for_message("🗳")
        assert not shown.buttons and "투표했어요(신도림초등학교" in shown.text
        late = await yeongsu.press_data(card, AssemblyVote(1, 1, AssemblyVote.CAST).pack())
        assert "이미 투표했어요" in ((await yeongsu.wait_for_callback_answer(late)).text or "")

        # paper totals with the tally sheet's photo, never more than the roll
        await admin.say("/assembly_paper 1 1\n1 1")
        assert "집계표 사진에" in (await admin.wait_for_message()).text
        await admin.send_photo("/assembly_paper 1 1\n1 1\n2 2\n3 0")
        assert "2번 안건 2표가 이 투표소에서 명부를 확인한 1명보다 많아요" in (
            await admin.wait_for_message("저장하지 못했어요")).text
        await admin.send_photo("/assembly_paper 1 1\n1번 1표\n2번 1표\n3번 0표")
        assert "신도림동주민센터 현장 투표 집계를 입력했어요(명부 확인 1명)" in (
            await admin.wait_for_message("✅")).text
        await admin.send_photo("/assembly_paper 1 1\n1 1\n2 1")
        assert "빠진 안건: 3" in (await admin.wait_for_message("저장하지 못했어요")).text
        await admin.send_photo("/assembly_paper 1 2\n1 0\n2 0\n3 1")
        await admin.wait_for_message("✅")
        await admin.say("/assembly_count 1")
        assert "아직 투표가 끝나지 않았어요" in (await admin.wait_for_message()).text
        await move_to(clock, datetime(2026, 12, 5, 15, 0, tzinfo=UTC))  # 12/6 00:00 KST
        await admin.say("/assembly_count 1")
        assert "아직 들어오지 않은 집계: 위원회 점수" in (await admin.wait_for_message()).text
        await admin.say("/assembly_committee 1\n1 10\n2 20")
        assert "빠진 안건: 3" in (await admin.wait_for_message("저장하지 못했어요")).text
        await admin.say("/assembly_committee 1\n1 10\n2 20\n3 5")
        assert (await admin.wait_for_message("✅")).text.startswith("✅ 위원회 점수를 입력했어요")
        await admin.say("/assembly_status 1")
        status = (await admin.wait_for_message("🗳")).text
        assert "온라인 투표: 1명" in status
        assert "1. 신도림동주민센터: 명부 확인 1명, 집계 입력함" in status

        # the count: once; 그늘막 5 + 10 + 20 = 35, 화단 5 + 10 + 10 = 25, 안마의자 10 + 5 = 15
        await admin.say("/assembly_count 1")
        done = (await admin.wait_for_message("✅ 집계했어요")).text
        assert "참여한 2명에게" in done  # 수진 has no chat with the bot
        assert ("1. 어린이 놀이터 그늘막: 35점 (온라인 1 · 현장 1 · 위원회 20) ✅ 선정\n"
                "2. 골목 화단 가꾸기: 25점 (온라인 1 · 현장 1 · 위원회 10)\n"
                "3. 경로당 안마의자: 15점 (온라인 0 · 현장 1 · 위원회 5)") in done
        await admin.say("/assembly_count 1")
        assert "이미 집계한 총회예요" in (await admin.wait_for_message()).text
        await admin.send_photo("/assembly_paper 1 1\n1 1")
        assert "집계를 바꿀 수 없어요" in (await admin.wait_for_message()).text
        await move_to(clock, datetime(2026, 12, 5, 23, 0, tzinfo=UTC))  # after quiet hours
        for person in (minji, yeongsu):
            told = await person.wait_for_message("📊", after=0)
            assert "신도림동 주민총회(2027 신도림동 주민총회) 집계가 끝났어요" in told.text
            assert "1. 어린이 놀이터 그늘막" in told.text and f"{base}/assembly/1" in told.text
        assert not [m for m in haneul.inbox() if "📊" in (m.text or "")]

        # the results in the chat, with the tally sheets anyone may see
        await minji.say("/assembly")
        results = await minji.wait_for_message("📊")
        query = await minji.press_data(results, AssemblySheets(1).pack())
        await minji.wait_for_callback_answer(query)
        await minji.state.wait_until(
            lambda: len([m for m in minji.inbox() if m.file_kind == "photo"]) >= 2, 5)
        sheets = [m for m in minji.inbox() if m.file_kind == "photo"]
        assert sorted(m.text or "" for m in sheets) == [
            "🧾 신도림동주민센터 집계표", "🧾 신도림초등학교 집계표"]

        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/assembly/1") as page:
                html = await page.text()
            async with http.get(f"{base}/data/assembly/1.json") as data:
                exported = json.loads(await data.text())
            async with http.get(f"{base}/data/assembly/1.csv") as sheet:
                csv_text = (await sheet.read()).decode("utf-8-sig")
            async with http.get(f"{base}/assembly/2") as missing:
                assert missing.status == 404
        assert "어린이 놀이터 그늘막" in html and "신도림초등학교" in html and "35" in html
        assert [(r["number"], r["online"], r["paper_by_place"], r["total"], r["chosen"])
                for r in exported["items"]] == [
            (2, 1, [1, 0], "35.00", True), (1, 1, [1, 0], "25.00", False),
            (3, 0, [0, 1], "15.00", False)]
        assert exported["turnout"] == {"online": 1, "paper_by_place": [1, 1]}
        assert csv_text.splitlines()[0].startswith("rank,number,kind,title")

        async with runtime.sessionmaker() as session:
            ballots = list(await session.scalars(select(AssemblyBallot.choices)))
            people = await session.scalar(select(func.count()).select_from(AssemblyParticipation))
            audited = set(await session.scalars(select(AuditEntry.action)))
        assert ballots == [[1, 2]] and people == 3
        assert {"assembly_created", "assembly_check_in", "assembly_paper_totals",
                "assembly_committee_totals", "assembly_counted"} <= audited
