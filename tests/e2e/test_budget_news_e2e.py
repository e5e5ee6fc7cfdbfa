"""Issue #14, point 4 (budget): the vote link brings the menu, residents who asked for budget
news hear a round open, a ballot left as a draft is told at the close that it did not count
(with the results), and the results name every project with why it was or was not funded.

Texts are matched on marks, names and amounts the Korean catalogue keeps.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ShiftableClock
from sandbox import SandboxClient, SandboxServer
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
