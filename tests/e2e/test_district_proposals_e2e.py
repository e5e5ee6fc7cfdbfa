"""「구 제안」 (issue #18, point 7) through the real bot, the sandbox and the public page: staff
write the district's own proposal with /district_proposal through the same wizard, residents
see it marked as the district's and 공감 it like any other; a resident cannot use the
command, and a later /propose writes an ordinary proposal again."""

from __future__ import annotations

from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.clock import ShiftableClock
from bot.db.models import Proposal
from bot.domain.policy import Policy
from bot.domain.proposals import Origin
from sandbox import SandboxClient, SandboxServer
from tests.e2e.test_proposals_e2e import open_first_from_list, reach_preview
from tests.support.forms import page_text
from tests.support.harness import running_bot, settings_for

STAFF, RESIDENT = 3201, 3202


async def test_staff_publish_a_district_proposal_that_residents_see_marked_and_endorse(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> None:
    settings = replace(settings_for(database_url, sandbox), policy=Policy(endorsement_threshold=3),
                       admin_telegram_ids=frozenset({STAFF}))
    staff, resident = residents.resident(STAFF, "구청 담당"), residents.resident(RESIDENT, "영수")
    async with running_bot(settings, clock) as runtime:
        await resident.say("/district_proposal")
        await resident.wait_for_message("운영진만 쓸 수 있는 기능이에요")
        assert not [m for m in resident.history() if "1/7" in m.text]

        preview = await reach_preview(staff, "구민 체육센터 야간 개방",
                                      command="/district_proposal")
        assert "🏛" in preview.text and "구 제안" in preview.text
        intro = [m.text for m in staff.history() if "일곱 단계" in m.text]
        assert len(intro) == 1 and intro[0].startswith("🏛 「구 제안」으로 게시돼요")
        await staff.press(preview, "✅ 게시하기")
        await staff.wait_for_message("게시되었어요")

        card = await open_first_from_list(resident)
        assert "🏛 구 제안" in card.text
        await resident.press(card, "👍 공감")
        assert "1/3" in (await resident.wait_for_edit(card)).text

        async with runtime.sessionmaker() as session:
            proposal = await session.scalar(select(Proposal))
        assert proposal is not None and proposal.origin == Origin.DISTRICT
        async with TestClient(TestServer(runtime.web_app())) as web:
            page = await (await web.get(f"/p/{proposal.id}")).text()
        plain = page_text(page)
        assert '<span class="kicker">구 제안</span>' in page
        assert "🏛 구 제안: 구청이 직접 올린 제안이에요" in plain
        assert "구청 (구 제안)" in plain  # who put it forward, on the timeline

        again = await reach_preview(staff, "산책로 벤치 추가", command="/propose")
        assert "구 제안" not in again.text
