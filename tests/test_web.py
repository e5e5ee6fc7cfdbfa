"""Health, metrics and the Telegram webhook, served by the real aiohttp app."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Mode, Runtime
from bot.clock import ShiftableClock
from bot.sandbox import SandboxClient, SandboxServer, SandboxState
from tests.support.harness import running_bot, settings_for

SECRET = "s3cret-token_for-tests"


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(runtime.web_app())) as client:
        yield client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock
) -> AsyncIterator[Runtime]:
    port = free_port()
    settings = settings_for(
        database_url, sandbox, port=port, webhook_secret=SECRET,
        public_base_url=f"http://127.0.0.1:{port}",
    )
    async with running_bot(settings, clock, Mode.WEBHOOK, serve_web=True) as running:
        yield running


def start_update(update_id: int, user_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1764000000, "text": "/start",
            "chat": {"id": user_id, "type": "private", "first_name": "민지"},
            "from": {"id": user_id, "is_bot": False, "first_name": "민지", "language_code": "ko"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_healthz_reports_database_scheduler_and_dispatcher(
    web: TestClient, runtime: Runtime
) -> None:
    response = await web.get("/healthz")
    body = await response.json()
    assert response.status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["scheduler"] == "running" and body["dispatcher"] == "running"
    assert body["dispatcher_lag_seconds"] == 0 and body["outbox_backlog"] == 0
    assert response.headers["X-Frame-Options"] == "DENY"
    await runtime.dispatcher.stop()
    response = await web.get("/healthz")
    assert response.status == 503
    assert (await response.json())["dispatcher"] == "stopped"


async def test_metrics_count_updates_in_prometheus_format(
    web: TestClient, runtime: Runtime, residents: SandboxClient
) -> None:
    minji = residents.resident(5001, "민지")
    await minji.say("/start")
    await minji.wait_for_message("안녕하세요")
    text = await (await web.get("/metrics")).text()
    assert 'gonggam_updates_handled_total{kind="message"} 1.0' in text
    assert "gonggam_outbox_backlog 0.0" in text
    assert "gonggam_dispatcher_lag_seconds 0.0" in text


async def test_webhook_mode_answers_updates_pushed_by_the_bot_api(
    webhook_bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    assert sandbox_state.webhook is not None
    assert sandbox_state.webhook.secret_token == SECRET
    minji = residents.resident(5002, "민지")
    await minji.say("/start")
    await minji.wait_for_message("안녕하세요, 민지님!")


async def test_webhook_rejects_a_wrong_secret_and_a_malformed_body(
    webhook_bot: Runtime, residents: SandboxClient
) -> None:
    url = webhook_bot.settings.public_base_url + "/telegram/webhook"
    residents.resident(5003, "민지")
    async with aiohttp.ClientSession() as http:
        wrong = await http.post(url, json=start_update(1_000_001, 5003),
                                headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
        missing = await http.post(url, json=start_update(1_000_002, 5003))
        malformed = await http.post(url, data=b"{not json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert (wrong.status, missing.status, malformed.status) == (403, 403, 400)
    assert webhook_bot.metrics.updates_handled.labels(kind="message")._value.get() == 0


async def test_a_webhook_delivered_twice_is_answered_once(
    webhook_bot: Runtime, residents: SandboxClient
) -> None:
    url = webhook_bot.settings.public_base_url + "/telegram/webhook"
    minji = residents.resident(5004, "민지")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            response = await http.post(url, json=start_update(2_000_001, 5004), headers=headers)
            assert response.status == 200
        await minji.wait_for_message("안녕하세요", after=0)
        response = await http.post(url, json=start_update(2_000_002, 5004), headers=headers)
    second = await minji.wait_for_message(
        "안녕하세요", predicate=lambda m: m.message_id > minji.inbox()[0].message_id, after=0
    )
    assert [m.message_id for m in minji.inbox()] == [minji.inbox()[0].message_id, second.message_id]


async def test_unknown_paths_still_carry_the_security_headers(web: TestClient) -> None:
    response = await web.get("/no/such/page")
    assert response.status == 404
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
