"""Issue #14: a resident's whole journey, read for tone. 민지 proposes, two neighbours give
공감, the admin assigns a department, the official answers on the reply page (feasible: the
debate opens), the debate closes thirty days later, the final answer comes, and the residents
rate it. Every message a resident gets is kept in `test-output/resident-journey.txt` and
checked: polite 해요체 (no 「고마워요」), no English words or leftover placeholders on a
resident's screen, and the endings that must be told are told."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.policy import Policy
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.e2e.test_proposals_e2e import write_proposal
from tests.support.forms import forms_of
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MINJI, YEONGSU, JIHUN = 8801, 8802, 8803, 8804
TRANSCRIPT = Path(__file__).resolve().parents[2] / "test-output" / "resident-journey.txt"
# What may be written in Latin letters on a resident's screen: links, commands, D-day.
ALLOWED_LATIN = re.compile(r"https?://\S+|/[a-z_]+|\bD-\d+\b|\bD-day\b")


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock
) -> AsyncIterator[Runtime]:
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=2),
                            admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        yield runtime


def english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub("", text))


def tone_problems(message: SentMessage) -> list[str]:
    text = message.text or ""
    problems = [f"English {word!r}" for word in english_words(text)]
    problems += [f"informal {word!r}" for word in ("고마워요", "고마워", "했음", "바람.")
                 if word in text]
    problems += [f"placeholder {m!r}" for m in re.findall(r"\{[a-z_]+\}|None|nan", text)]
    return problems


def transcript(name: str, resident: Resident) -> str:
    lines = [f"===== {name} ====="]
    for message in resident.history():
        who = "🤖" if message.sender_id == resident.state.bot.id else "🙂"
        buttons = " | ".join(message.button_texts)
        shown = f"{who} {message.text or '(사진)'}"
        lines.append(shown + (f"\n   [{buttons}]" if buttons else ""))
    return "\n".join(lines)


async def answer_on_the_reply_page(
    runtime: Runtime, url: str, kind: str, fields: dict[str, str]
) -> None:
    async with TestClient(TestServer(runtime.web_app())) as web:
        hidden = forms_of(await (await web.get(url)).text())[f"form-{kind}"]
        preview = await web.post(f"{url}/preview", data=hidden | fields)
        assert preview.status == 200, await preview.text()
        confirm = forms_of(await preview.text())[f"{url}/publish"] | {"action": "publish"}
        published = await web.post(f"{url}/publish", data=confirm, allow_redirects=False)
        assert published.status == 303


async def test_a_residents_whole_journey_reads_politely_and_every_ending_is_told(
    bot: Runtime, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, minji = residents.resident(ADMIN, "관리자"), residents.resident(MINJI, "민지")
    neighbours = [residents.resident(YEONGSU, "영수"), residents.resident(JIHUN, "지훈")]
    await minji.say("/start")
    await minji.wait_for_message()
    await write_proposal(minji)
    async with bot.sessionmaker() as session:
        pid = await session.scalar(select(Proposal.id))
    for neighbour in neighbours:
        await neighbour.say(f"/start p{pid}")
        card = await neighbour.wait_for_message("공원 산책로 가로등 설치")
        await neighbour.wait_for_callback_answer(await neighbour.press(card, "👍 공감"))
    await minji.wait_for_message("이제 담당 부서가 검토해요", after=0)

    await admin.say("/department_add 공원녹지과")
    await admin.wait_for_message("추가했어요")
    await admin.say(f"/assign {pid} 공원녹지")
    link = re.search(r"/r/[A-Za-z0-9_-]+", (await admin.wait_for_message("배정했어요")).text)
    assert link is not None
    await answer_on_the_reply_page(bot, link.group(0), "feasibility", {
        "decision": "feasible", "official_name": "김담당",
        "text": "현장을 확인했고 산책로에 가로등을 설치할 수 있어요."})
    invitation = await neighbours[0].wait_for_message("토론", after=0)
    await neighbours[0].press_data(invitation, f"p:1:{pid}")
    card = await neighbours[0].wait_for_message("현황·문제점", after=invitation.message_id)
    await neighbours[0].wait_for_callback_answer(
        await neighbours[0].press_data(card, f"ds:1:{pid}:for"))

    await clock.advance(timedelta(days=31))  # the debate closes; the summary goes out
    await minji.wait_for_message("토론", after=invitation.message_id)
    await answer_on_the_reply_page(bot, link.group(0), "final", {
        "decision": "accepted", "official_name": "김담당", "expected_completion": "2027-03-31",
        "budget": "1억 2천만 원",
        "text": "내년 3월까지 산책로 전 구간에 가로등을 설치하겠습니다."})
    for resident in (minji, neighbours[1]):
        push = await resident.wait_for_message("수용", after=0,
                                               predicate=lambda m: "🙂" in str(m.button_texts))
        assert "2027년 3월 31일" in push.text and "1억 2,000만 원" in push.text
    rated = await neighbours[1].wait_for_message("수용", after=0,
                                                 predicate=lambda m: "🙂" in str(m.button_texts))
    await neighbours[1].press(rated, "🙁 불만족")
    why = await neighbours[1].wait_for_message("이유", after=rated.message_id)
    reason = await neighbours[1].press(why, why.button_texts[0])
    await neighbours[1].wait_for_callback_answer(reason)

    people = {"민지 (제안자)": minji, "영수": neighbours[0], "지훈": neighbours[1]}
    TRANSCRIPT.parent.mkdir(exist_ok=True)
    TRANSCRIPT.write_text("\n\n".join(transcript(n, r) for n, r in people.items()) + "\n",
                          encoding="utf-8")
    problems = [(name, m.text, p) for name, r in people.items() for m in r.bot_messages()
                for p in tone_problems(m)]
    assert problems == []
