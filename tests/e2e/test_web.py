"""Health, metrics and the Telegram webhook, served by the real aiohttp app."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web as aioweb
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot.app import Mode, Runtime
from bot.clock import ShiftableClock
from bot.metrics import Metrics
from bot.settings import Settings
from bot.web.app import HealthReport, WebDeps, create_web_app
from bot.web.app import metrics as metrics_route
from sandbox import SandboxClient, SandboxServer, SandboxState
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
    first = minji.inbox()[0].message_id
    assert [m.message_id for m in minji.inbox()] == [first, second.message_id]


async def test_unknown_paths_still_carry_the_security_headers(web: TestClient) -> None:
    response = await web.get("/no/such/page")
    assert response.status == 404
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


# ----- hardening: HSTS, /metrics access, idle and half-open connections ----------------------


async def healthy() -> HealthReport:
    return HealthReport(True, True, True, 0.0, 0)


def bare_app(**overrides: Any) -> aioweb.Application:
    """The web app without Telegram or pages: health and metrics only."""
    settings = Settings(secret_key="x" * 64, **overrides)
    return create_web_app(WebDeps(metrics=Metrics(), health=healthy, settings=settings))


async def test_strict_transport_security_is_sent_only_for_an_https_public_address() -> None:
    async with TestClient(TestServer(bare_app(public_base_url="https://gonggam.kr"))) as https:
        secured = await https.get("/healthz")
    async with TestClient(TestServer(bare_app(public_base_url="http://127.0.0.1:8080"))) as http:
        plain = await http.get("/healthz")
    assert secured.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in plain.headers
    assert "microphone=()" in plain.headers["Permissions-Policy"]


async def test_metrics_need_the_bearer_token_when_one_is_set() -> None:
    token = "metrics-token-0123456789"
    async with TestClient(TestServer(bare_app(metrics_token=token))) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        bodies = [await response.text() for response in (missing, wrong, right)]
    assert (missing.status, wrong.status, right.status) == (401, 401, 200)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert ["gonggam_outbox_backlog" in body for body in bodies] == [False, False, True]


class PeerTransport:
    """Just enough of a transport for `request.remote`."""

    def __init__(self, host: str) -> None:
        self.host = host

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.host, 40000) if name == "peername" else default


async def test_without_a_token_metrics_answer_only_loopback_peers() -> None:
    app = bare_app()
    async with TestClient(TestServer(app)) as client:
        local = await client.get("/metrics")
        relayed = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    remote = await metrics_route(
        make_mocked_request("GET", "/metrics", app=app, transport=PeerTransport("192.0.2.10"))
    )
    assert (local.status, relayed.status, remote.status) == (200, 403, 403)


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    try:
        return await reader.read()
    except ConnectionResetError:
        return b""


async def test_half_open_and_idle_connections_are_closed_by_the_server() -> None:
    """200 clients that never finish their request line, and one idle after a request."""
    runner = aioweb.AppRunner(bare_app(http_idle_timeout=0.5))
    await runner.setup()
    await aioweb.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(201)]
    try:
        for _, writer in connections[:200]:
            writer.write(b"GET /healthz HTT")
        connections[200][1].write(b"GET /healthz HTTP/1.1\r\nHost: gonggam.test\r\n\r\n")
        # A guard against hanging, not a timing assertion: aiohttp's default would keep
        # these connections for an hour.
        received = await asyncio.wait_for(
            asyncio.gather(*(read_until_closed(reader) for reader, _ in connections)),
            timeout=60,
        )
        assert received[:200] == [b""] * 200
        assert received[200].startswith(b"HTTP/1.1 200")
        async with aiohttp.ClientSession() as http:
            still_serving = await http.get(f"http://127.0.0.1:{port}/healthz")
            assert still_serving.status == 200
    finally:
        for _, writer in connections:
            writer.close()
        await runner.cleanup()

