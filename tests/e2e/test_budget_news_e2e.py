"""Issue #14, point 4 (budget): the vote link brings the menu, residents who asked for budget
news hear a round open, a ballot left as a draft is told at the close that it did not count
(with the results), and the results name every project with why it was or was not funded.

Texts are matched on marks, names and amounts the Korean catalogue keeps.
"""

from __future__ import annotations

import pytest

from bot.clock import ShiftableClock
from sandbox import SandboxClient, SandboxServer
from tests.e2e.test_budget_ballot_e2e import seed_round
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
