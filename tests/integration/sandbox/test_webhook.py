"""setWebhook makes the sandbox POST updates to the bot, with the secret header, in order."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from sandbox import SandboxClient, SandboxState

SECRET = "s3cret-token"


@dataclass
class Receiver:
    """A tiny webhook endpoint that fails its first `failures` deliveries."""

    failures: int = 0
    received: list[dict[str, object]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        self.received.append(await request.json())
        self.arrived.set()
        return web.Response(text="ok")

    async def wait_for(self, count: int) -> None:
        while len(self.received) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=5)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    target.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield target
    await runner.cleanup()


async def test_updates_are_posted_in_order_with_the_secret(
    bot: Bot, client: SandboxClient, receiver: Receiver
) -> None:
    minji = client.resident(1001, "민지")
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)

    await minji.say("첫째")
    await minji.say("둘째")
    await receiver.wait_for(2)

    texts = [update["message"]["text"] for update in receiver.received]  # type: ignore[index]
    assert texts == ["첫째", "둘째"]
    assert set(receiver.secrets) == {SECRET}
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0


async def test_failed_delivery_is_retried(
    bot: Bot, client: SandboxClient, receiver: Receiver
) -> None:
    receiver.failures = 2
    minji = client.resident(1001)
    await bot.set_webhook(receiver.url, secret_token=SECRET)

    await minji.say("재시도")
    await receiver.wait_for(1)

    assert len(receiver.secrets) == 3
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "500" in info.last_error_message


async def test_get_updates_conflicts_with_an_active_webhook(
    bot: Bot, state: SandboxState, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)

    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""
