"""Durable intake: no acknowledged update is lost and none has two effects.

The kill tests start the real bot (`python -m bot run` and `python -m bot serve`) as a
child process and SIGKILL it in the middle of a burst (see `benchmarks/intake_crash.py`,
which repeats the same run many times and reports the totals).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from telegram import Update

from benchmarks.intake_crash import kill_during_burst, message_update
from bot.app import Runtime
from bot.db.models import InboundUpdate, User, VerificationFailure
from bot.domain.text import phone_hash
from bot.intake import MalformedUpdate, update_id_of
from bot.web.app import KEY
from sandbox import SandboxClient

SECRET = "webhook-secret"


@pytest.mark.parametrize("mode", ["run", "serve"])
async def test_a_kill_in_the_middle_of_a_burst_loses_nothing_and_doubles_nothing(
    mode: str, database_url: str
) -> None:
    kill_after = random.Random().randint(3, 27)
    result = await kill_during_burst(
        mode, database_url, updates=30, kill_after=kill_after, first_user=200_000
    )
    assert (result.lost, result.doubled) == (0, 0), result
    # Only the update in flight at the kill may miss or repeat its reply.
    assert result.replies_missing + result.replies_repeated <= 1, result


async def _count_failures(runtime: Runtime, telegram_id: int) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(
            select(func.count(VerificationFailure.id))
            .join(User, User.id == VerificationFailure.user_id)
            .where(User.telegram_id == telegram_id)
        ) or 0)


async def test_two_handlings_of_one_stored_update_at_once_have_one_effect(
    runtime: Runtime, residents: SandboxClient
) -> None:
    """As when a replica takes over an update that another is still handling."""
    residents.resident(7001, "민지")
    body = message_update(900_001, 7001)
    await runtime.intake.fast_lane.run(
        lambda connection: connection.execute(
            InboundUpdate.__table__.insert().values(
                update_id=900_001, payload=body, worker="another", received_at=runtime.clock.now()
            )
        )
    )
    parsed = [runtime.intake.check(body) for _ in range(2)]
    await asyncio.gather(*(
        runtime.application.process_update(Update.de_json(item, runtime.bot)) for item in parsed
    ))
    assert await _count_failures(runtime, 7001) == 1


async def test_updates_stored_before_a_crash_are_handled_at_the_next_start(
    runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(7002, "민지")
    body = message_update(900_002, 7002)
    await runtime.intake.fast_lane.run(
        lambda connection: connection.execute(
            InboundUpdate.__table__.insert().values(
                update_id=900_002, payload=body, worker=runtime.settings.worker_id,
                received_at=runtime.clock.now(),
            )
        )
    )
    assert await runtime.intake.resume_backlog() == 1
    await minji.wait_for_message(after=0)
    assert await _count_failures(runtime, 7002) == 1
    assert await runtime.intake.resume_backlog() == 0


@pytest.mark.parametrize(
    "body, reason",
    [
        ([], "not a JSON object"),
        (123, "not a JSON object"),
        (None, "not a JSON object"),
        ("x", "not a JSON object"),
        ({"update_id": "12"}, "not an integer"),
        ({"update_id": 1.5}, "not an integer"),
        ({"update_id": True}, "not an integer"),
        ({"update_id": -1}, "out of range"),
        ({"update_id": 2**64}, "out of range"),
        ({"update_id": 5, "message": "hello"}, "is not an object"),
        ({"update_id": 5, "message": [1, 2]}, "is not an object"),
    ],
)
def test_bodies_telegram_would_never_send_are_refused_with_the_reason(
    body: object, reason: str
) -> None:
    with pytest.raises(MalformedUpdate, match=reason):
        update_id_of(body)


def _nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {}
    for _ in range(depth):
        inner = {"a": inner}
    return {"update_id": 9, "message": inner}


def test_deep_nesting_is_refused_without_recursion() -> None:
    with pytest.raises(MalformedUpdate, match="nested too deeply"):
        update_id_of(_nested(100_000))


@pytest.fixture
async def webhook(runtime: Runtime) -> AsyncIterator[TestClient]:
    """The runtime's own web app, as `serve` builds it, with a webhook secret."""
    app = runtime.web_app()
    app[KEY] = replace(app[KEY], webhook_secret=SECRET)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.mark.parametrize(
    "raw",
    [b"[]", b"123", b"null", b'"x"', b'{"update_id": "7"}', b'{"update_id": 7, "message": "hi"}',
     b"[" * 50_000 + b"]" * 50_000, b'{"update_id": 7, "message": {"message_id": "x"}}',
     b"{not json", b"\xff\xfe"],
)
async def test_the_webhook_refuses_malformed_bodies_with_400_and_stores_nothing(
    webhook: TestClient, runtime: Runtime, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await webhook.post(
        "/telegram/webhook", data=raw,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    )
    assert answer.status == 400
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)) == 0
    warnings = [r.getMessage() for r in caplog.records if "malformed webhook" in r.getMessage()]
    assert warnings
    assert not any('"hi"' in message or "message_id" in message for message in warnings)


async def test_the_webhook_stores_the_update_before_its_200_and_a_redelivery_once(
    webhook: TestClient, runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(7003, "민지")
    body = message_update(900_003, 7003)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for _ in range(2):
        answer = await webhook.post("/telegram/webhook", json=body, headers=headers)
        assert answer.status == 200
    await minji.wait_for_message(after=0)
    async with runtime.sessionmaker() as session:
        stored = await session.get(InboundUpdate, 900_003)
    assert stored is not None and stored.handled_at is not None and stored.payload is None
    assert await _count_failures(runtime, 7003) == 1


async def test_a_shared_phone_number_is_never_stored_in_the_clear(
    runtime: Runtime, residents: SandboxClient
) -> None:
    residents.resident(7004, "민지")
    body = message_update(900_004, 7004)
    del body["message"]["text"], body["message"]["entities"]
    body["message"]["contact"] = {"phone_number": "+82 10-1234-5678", "first_name": "민지",
                                  "user_id": 7004}
    waiting: asyncio.Queue[object] = asyncio.Queue()
    await replace(runtime.intake, queue=waiting).accept([body])
    async with runtime.sessionmaker() as session:
        stored = await session.get(InboundUpdate, 900_004)
    assert stored is not None and stored.payload is not None
    assert "5678" not in json.dumps(stored.payload)

    await runtime.application.process_update(waiting.get_nowait())
    async with runtime.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.telegram_id == 7004))).one()
    assert user.phone_hash == phone_hash("010-1234-5678", runtime.settings.secret_key)
