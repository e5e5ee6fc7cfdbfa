"""The tiers above the 공감 threshold through the real bot, the sandbox and the web pages: 공감
keep counting after the review started, DEBATE_AUTO_THRESHOLD opens the debate on its own,
HEAD_ANSWER_THRESHOLD routes the proposal to the head's office (without one the moderators
are asked to add it; adding it sends the link), the office answers on its own reply page, the
followers get 「구청장 답변」 and the public page and the card show it beside the department's.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.forms import forms_of
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, AUTHOR = 8900, 8901
ENDORSERS = (8902, 8903, 8904, 8905)
MODERATORS, OFFICE = -100890, -100891
TIERS = Policy(endorsement_threshold=2, debate_auto_threshold=3, head_answer_threshold=4)
TITLE = "통학로 보행 신호 연장"


async def collecting(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, AUTHOR, START)
        proposal = await make_proposal(session, author, START, title=TITLE)
        await follow(session, author, proposal, START)
    return proposal.id


async def open_card(resident: Resident, proposal_id: int) -> SentMessage:
    await resident.say(f"/start p{proposal_id}")
    return await resident.wait_for_message("현황·문제점")


def has_endorse(card: SentMessage, proposal_id: int) -> bool:
    return f"e:1:{proposal_id}" in [data for row in card.buttons for _, data in row]


async def endorse(resident: Resident, proposal_id: int) -> SentMessage:
    card = await open_card(resident, proposal_id)
    assert has_endorse(card, proposal_id), card.describe()
    await resident.press_data(card, f"e:1:{proposal_id}")
    return await resident.wait_for_edit(card)


async def status_of(runtime: Runtime, proposal_id: int) -> ProposalStatus:
    async with runtime.sessionmaker() as session:
        proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None
    return ProposalStatus(proposal.status)


async def answer_as_the_head(runtime: Runtime, url: str) -> None:
    """The office's official opens its link, previews the final answer and publishes it."""
    async with TestClient(TestServer(runtime.web_app())) as web:
        page = await web.get(url)
        html = await page.text()
        assert page.status == 200 and "구청장 답변을 올리는 페이지" in html
        assert "구청장 답변 기한은" in html
        forms = forms_of(html)
        assert [name for name in forms if name.startswith("form-")] == ["form-final"]
        preview = await web.post(f"{url}/preview", data=forms["form-final"] | {
            "decision": "accepted", "official_name": "구청장 김구민",
            "text": "등하굣길 보행 신호를 내년 3월까지 모두 연장하겠습니다.",
            "expected_completion": "2027-03-31", "budget": "2천만 원"})
        assert preview.status == 200
        confirm = forms_of(await preview.text())[f"{url}/publish"] | {"action": "publish"}
        published = await web.post(f"{url}/publish", data=confirm, allow_redirects=False)
        assert published.status == 303
        again = await web.get(url)
        assert "form-final" not in await again.text()  # the head answers once


async def test_higher_tiers_open_the_debate_and_bring_the_heads_answer(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, author = residents.resident(ADMIN, "관리자"), residents.resident(AUTHOR, "민지")
    first, second, third, fourth = (residents.resident(tid, f"주민{tid}") for tid in ENDORSERS)
    moderators, office = residents.group(MODERATORS, "운영진"), residents.group(OFFICE, "구청장실")
    settings = replace(settings_for(database_url, sandbox, policy=TIERS,
                                    moderator_chat_id=MODERATORS),
                       admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        pid = await collecting(runtime)
        await endorse(first, pid)
        await endorse(second, pid)  # 2: the review starts
        assert await status_of(runtime, pid) is ProposalStatus.UNDER_REVIEW
        own = await open_card(first, pid)
        assert not has_endorse(own, pid)  # no taking back after the threshold
        await admin.say(f"/head_link {pid}")
        await admin.wait_for_message("아직 구청장 답변 기준에 이르지 않았어요")
        await endorse(third, pid)  # 3: the debate opens without a moderator
        assert await status_of(runtime, pid) is ProposalStatus.IN_DEBATE
        await first.wait_for_message("토론", after=own.message_id)
        card = await endorse(fourth, pid)  # 4: the district head must answer
        assert "🏛 구청장 답변 기한:" in card.text
        asked = await moderators.wait_for_message("구청장실로 지정된 부서가 없어요", after=0)
        assert "/department_add &lt;" not in asked.text and "office=head" in asked.text

        await admin.say(f"/department_add 구청장실 chat={OFFICE} office=head")
        added = await admin.wait_for_message("구청장실을 추가했어요")
        assert "제안 1건에 답변 링크를 보냈어요" in added.text
        request = await office.wait_for_message("구청장 답변 대상", after=0)
        assert "공감이 4개" in request.text and TITLE in request.text
        lost = re.search(r"/r/[A-Za-z0-9_-]+", request.text)
        assert lost is not None
        await admin.say(f"/head_link {pid}")  # the office lost it: a fresh one
        fresh = await admin.wait_for_message("새 답변 링크를 구청장실에 보냈어요")
        link = re.search(r"/r/[A-Za-z0-9_-]+", fresh.text)
        assert link is not None and link.group(0) != lost.group(0)
        await office.wait_for_message(link.group(0), after=request.message_id)
        async with TestClient(TestServer(runtime.web_app())) as web:
            assert (await web.get(lost.group(0))).status == 404
        await answer_as_the_head(runtime, link.group(0))
        await admin.say(f"/head_link {pid}")
        await admin.wait_for_message("이미 구청장 답변이 올라왔어요")

        for resident in (author, first, fourth):
            push = await resident.wait_for_message("구청장 답변이 올라왔어요", after=0)
            assert "수용" in push.text and f"/p/{pid}" in push.text
        assert await status_of(runtime, pid) is ProposalStatus.IN_DEBATE  # nothing else moves
        card = await open_card(third, pid)
        assert "🏛 구청장 답변: 수용" in card.text
        async with TestClient(TestServer(runtime.web_app())) as web:
            public = await (await web.get(f"/p/{pid}")).text()
        assert 'data-track="head"' in public and "구청장 답변" in public
        assert "보행 신호를 내년 3월까지" in public
