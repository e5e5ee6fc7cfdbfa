"""The running bot wakes a background loop only when an update left work for it: plain
updates (a greeting, the settings card, a mute toggle) wake none, a moderator's new poll wakes
the poll sender alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from bot.app import Runtime
from bot.background import BackgroundLoop
from bot.clock import ShiftableClock
from sandbox import SandboxClient, SandboxServer
from tests.e2e.test_polls_e2e import native_poll, opt_in
from tests.support.harness import running_bot, settings_for

ADMIN, MINJI = 9101, 9102
MUTE = "🔕 알림 끄기"


def count_wakes(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each of the runtime's loops is woken from now on."""
    counts: Counter[str] = Counter()
    loops: dict[str, BackgroundLoop | None] = {
        "dispatcher": runtime.dispatcher, "mail": runtime.mail_dispatcher,
        "poll sender": runtime.polls, "broadcast progress": runtime.broadcasts,
        "forum mirror": runtime.forum,
    }
    for name, loop in loops.items():
        if loop is not None:
            monkeypatch.setattr(loop, "wake", counted(counts, name, loop.wake))
    return counts


def counted(counts: Counter[str], name: str, wake: Callable[[], None]) -> Callable[[], None]:
    def wake_and_count() -> None:
        counts.update([name])
        wake()

    return wake_and_count


async def test_plain_updates_wake_no_loop_and_a_new_poll_wakes_the_poll_sender_alone(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient,
    clock: ShiftableClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin, minji = residents.resident(ADMIN, "관리자"), residents.resident(MINJI, "민지")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        woken = count_wakes(runtime, monkeypatch)
        await minji.say("/start")
        await minji.wait_for_message()
        await minji.say("/settings")
        card = await minji.wait_for_message(predicate=lambda m: MUTE in m.button_texts)
        await minji.press(card, MUTE)
        await minji.wait_for_edit(card)
        await opt_in(minji)
        assert woken == Counter()

        await admin.say("/poll_new 24 | 내년에 먼저 할 사업은? | 가로등 | 놀이터")
        await admin.wait_for_message("📊")
        assert woken == Counter({"poll sender": 1})
        assert (await native_poll(minji)).poll is not None
