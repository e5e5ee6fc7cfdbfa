"""Two `serve` replicas on one PostgreSQL share the work and one send budget.

Two real `python -m bot serve` processes run against the sandbox Bot API. Updates are posted
to their webhooks alternately (as a load balancer in front of them would), while the outbox
holds pushes for distinct chats that both dispatchers deliver. Every update must have one
effect, every push must arrive once, and the slots the two processes booked from the shared
budget must keep the configured rate in every second.

The rate is checked on the bookings the database holds (each push chat's slot), which is
exact; the rate the sandbox saw depends on the machine's timing and is printed only (the
fanout benchmark reports it).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.fanout import busiest_second
from benchmarks.fanout import busiest_window as sandbox_busiest_window
from benchmarks.intake_crash import (
    BotProcess,
    Webhook,
    _effects_per_resident,
    bot_environment,
    free_port,
    message_update,
)
from benchmarks.push_crash import deliveries, drained, seed_pushes
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import OutboxMessage, OutboxStatus, SendBudgetChat
from bot.dispatcher import worker_key
from bot.domain.pacing import MICROSECONDS, SendLimits
from sandbox import SandboxClient, SandboxServer, SandboxState

pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

RATE = 10  # messages a second for the whole bot: slow enough to keep both dispatchers busy
REPLICAS = ("replica-a", "replica-b")
RESIDENTS = list(range(510_000, 510_020))  # each sends one wrong /verify code
PUSH_CHATS = list(range(520_000, 520_040))
PATIENCE = 120.0


@asynccontextmanager
async def serving(database_url: str, server: SandboxServer, directory: Path
                  ) -> AsyncIterator[list[Webhook]]:
    """Both replicas, listening; stopped with SIGTERM on the way out."""
    async with AsyncExitStack() as stack:
        hooks = []
        for number, worker in enumerate(REPLICAS):
            port = free_port()
            env = bot_environment("serve", database_url, server.base_url, port) | {
                "WORKER_ID": worker, "SEND_RATE_PER_SECOND": str(RATE),
            }
            workdir = directory / worker
            workdir.mkdir()
            bot = BotProcess("serve", env, workdir)
            await bot.start()
            stack.push_async_callback(bot.stop)
            hooks.append(Webhook(port))
            await hooks[number].wait_until_listening(bot)
        yield hooks


async def sent_by_replica(database_url: str) -> dict[str, int]:
    """Pushes sent per replica (a sent row keeps its claim token, prefixed by its worker)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            tokens = list(await connection.scalars(
                select(OutboxMessage.claim_token).where(
                    OutboxMessage.status == OutboxStatus.SENT,
                    OutboxMessage.chat_id.in_(PUSH_CHATS),
                )
            ))
    finally:
        await engine.dispose()
    keys = {worker_key(worker, "telegram"): worker for worker in REPLICAS}
    counts = dict.fromkeys(REPLICAS, 0)
    for token in tokens:
        counts[keys[str(token).split(":")[0]]] += 1
    return counts


async def booked_slots(database_url: str, chats: Sequence[int]) -> list[int]:
    """The slot each push chat was booked (its next free slot less a private chat's spacing)."""
    spacing = SendLimits(global_per_second=RATE).chat_spacing
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.scalars(
                select(SendBudgetChat.next_slot).where(SendBudgetChat.chat_id.in_(chats))
            )
            return [slot - spacing for slot in rows]
    finally:
        await engine.dispose()


def most_in_any_second(slots: Sequence[int]) -> int:
    ordered = sorted(slots)
    return max(sum(1 for other in ordered if start <= other < start + MICROSECONDS)
               for start in ordered)


async def test_two_serve_replicas_share_updates_pushes_and_one_send_budget(
    database_url: str,
) -> None:
    state = SandboxState()
    residents = SandboxClient(state)
    for user_id in RESIDENTS:
        residents.resident(user_id, f"주민{user_id}")
    updates = [message_update(user_id * 10, user_id) for user_id in RESIDENTS]
    with tempfile.TemporaryDirectory(prefix="gonggam-replicas-") as directory:
        async with SandboxServer(state) as server, serving(
            database_url, server, Path(directory)
        ) as (first, second):
            engine = create_engine(database_url)
            try:
                await seed_pushes(create_sessionmaker(engine), state, PUSH_CHATS)
                await asyncio.gather(first.post_all(updates[0::2]),
                                     second.post_all(updates[1::2]))
                await asyncio.wait_for(drained(create_sessionmaker(engine)), PATIENCE)
            finally:
                await engine.dispose()
            await state.wait_until(
                lambda: all(residents.resident(uid).inbox() for uid in RESIDENTS), PATIENCE
            )

    assert first.acknowledged | second.acknowledged == {u["update_id"] for u in updates}
    effects = await _effects_per_resident(database_url, RESIDENTS)
    assert set(effects.values()) == {1}, effects
    assert all(len(residents.resident(uid).inbox()) == 1 for uid in RESIDENTS)
    received = deliveries(state, PUSH_CHATS)
    assert set(received.values()) == {1}, received
    by_replica = await sent_by_replica(database_url)
    assert sum(by_replica.values()) == len(PUSH_CHATS) and all(by_replica.values()), by_replica

    slots = await booked_slots(database_url, PUSH_CHATS)
    assert len(slots) == len(PUSH_CHATS)
    assert most_in_any_second(slots) <= RATE

    pushes = [call.at for call in state.calls_to("sendMessage")
              if int(call.params["chat_id"]) in set(PUSH_CHATS)]
    print(f"pushes as the sandbox received them: busiest second {busiest_second(pushes)}, "
          f"busiest 1-s window {sandbox_busiest_window(pushes)} (budget {RATE}/s)")
