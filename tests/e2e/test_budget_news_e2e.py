"""Issue #14, point 4 (budget): the vote link brings the menu, residents who asked for budget
news hear a round open, a ballot left as a draft is told at the close that it did not count
(with the results), and the results name every project with why it was or was not funded.

Texts are matched on marks, names and amounts the Korean catalogue keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ShiftableClock
from bot.db.models import RoundPhase
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.e2e.test_budget_ballot_e2e import open_ballot, press, seed_round
from tests.e2e.test_wizard_and_links_e2e import MENU, has_way_back, keyboard_shown
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")


async def test_the_vote_link_opens_the_ballot_with_the_menu(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    guest = residents.resident(14101, "손님")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock)
        await guest.say("/start budget")  # what t.me/<bot>?start=budget sends
        ballot = await guest.wait_for_message("💰")
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        assert keyboard_shown(guest) == MENU
        assert has_way_back(guest, ballot)


async def test_a_ballot_left_as_a_draft_hears_once_at_the_close_that_it_did_not_count(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji, yeongsu = residents.resident(14111, "민지"), residents.resident(14112, "영수")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock)
        ballot = await press(minji, await open_ballot(minji), "1. 가로등 교체")
        confirm = await press(minji, ballot, "📨")
        assert "🧾" in ((await press(minji, confirm, "✅")).text or "")
        await press(yeongsu, await open_ballot(yeongsu), "5. 골목 CCTV")  # never submitted

        await clock.advance(timedelta(days=3, hours=1))  # past the close: counted
        told = await yeongsu.wait_for_message("집계에는 들어가지 않았어요", after=0)
        assert told.file_kind == "photo" and "✅ 가로등 교체" in (told.text or "")
        assert "▫️ 골목 CCTV" in (told.text or "")  # every project, the draft's too
        assert "남은 예산: 2억 원" in (told.text or "")
        heard = await minji.wait_for_message("✅ 가로등 교체", after=0)
        assert "집계" not in (heard.text or "").split("\n")[0]  # a voter gets no such line

        await clock.advance(timedelta(hours=1))  # another sweep repeats nothing
        await open_ballot(yeongsu)
        results = [m for m in yeongsu.inbox() if "✅ 가로등 교체" in (m.text or "")]
        assert len(results) == 1


def offer(message: SentMessage) -> bool:
    return "🔔" in (message.text or "")


async def test_residents_who_asked_for_budget_news_hear_once_that_a_round_opened(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji, yeongsu, haneul = (residents.resident(14121, "민지"), residents.resident(14122, "영수"),
                              residents.resident(14123, "하늘"))
    dahye, jun = residents.resident(14124, "다혜"), residents.resident(14125, "준")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        # by the command
        await minji.say("/budget_news")
        asked = await minji.wait_for_message("🔔")
        await press(minji, asked, "🔔")
        # on the settings screen
        await yeongsu.say("⚙️ 알림 설정")
        screen = await yeongsu.wait_for_message("알림")
        screen = await press(yeongsu, screen, "💰")
        assert any("💰" in label and "켜짐" in label for label in screen.button_texts)
        # from the 💰 screen, when no vote is open: the offer follows
        await haneul.say("💰 주민참여예산")
        offered = await haneul.wait_for_message(predicate=offer)
        assert "새 예산 투표가 열리면 알려 드릴까요?" in (offered.text or "")
        taken = await press(haneul, offered, "🔔")
        assert "🔕" in " ".join(taken.button_texts)
        await haneul.say("/budget")  # asked already: no second offer
        await haneul.wait_for_message("💰", after=taken.message_id)
        # 다혜 says yes, then no; 준 never asks
        await dahye.say("/budget_news")
        turned_on = await press(dahye, await dahye.wait_for_message("🔔"), "🔔")
        await press(dahye, turned_on, "🔕")
        await jun.say("/start")
        await jun.wait_for_message()

        await seed_round(runtime, clock, name="2027 우리 동네 예산", phase=RoundPhase.PREPARING,
                         opens_at=clock.now() + timedelta(hours=1), opened_at=None,
                         closes_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
        await clock.advance(timedelta(hours=2))  # the deadline machine opens the round
        for resident in (minji, yeongsu, haneul):
            pushed = await resident.wait_for_message("2027 우리 동네 예산", after=0)
            assert "11월 27일(금)까지" in (pushed.text or "") and "3억 원" in (pushed.text or "")
        ballot = await press(minji, pushed_to(minji), "🗳")  # the push becomes the ballot
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        before = len(minji.inbox())

        await clock.advance(timedelta(hours=1))  # another sweep: nobody hears it twice
        await jun.say("/budget")
        await jun.wait_for_message("💰", after=0)
        assert len(minji.inbox()) == before
        assert [len([m for m in r.inbox() if "2027 우리 동네 예산" in (m.text or "")
                     and "🗳" in (m.text or "")]) for r in (yeongsu, haneul, dahye)] == [1, 1, 0]
        assert not [m for m in jun.inbox() if "새 예산 투표" in (m.text or "")
                    and "열렸어요" in (m.text or "")]


def pushed_to(resident: Resident) -> SentMessage:
    return next(m for m in resident.inbox() if "2027 우리 동네 예산" in (m.text or ""))
