"""The commands that run the app: run (polling, or the sandbox without a token), serve
(webhook), migrate and sandbox. ``bot.cli`` imports this only for them."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.app import Mode, Runtime, StartupError, build_runtime
from bot.clock import ShiftableClock
from bot.db.engine import create_engine, describe_url
from bot.db.migrate import upgrade
from bot.domain.kakao import SECRET_HEADER
from bot.logging_setup import configure_logging
from bot.settings import (
    SANDBOX_TOKEN,
    Settings,
    SettingsError,
    load_settings,
    require_production_settings,
    require_secret_key,
    with_sandbox_kakao,
    with_sandbox_secret_key,
    with_sandbox_texts,
)
from bot.texting.sandbox import SandboxTexts
from bot.web.kakao import KAKAO_SKILL_PATH


class TextsPage(Protocol):
    """The sandbox server's 「📱 문자함」 (`sandbox.server.SandboxServer.connect_texts`): given
    what lists the texts, it returns what to call when a new one is taken."""

    def connect_texts(self, source: Callable[[], list[dict[str, str]]]) -> Callable[[], None]:
        ...

log = logging.getLogger(__name__)


def run_command(command: str) -> int:
    """Load the settings and run `command`; the exit status."""
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"설정 오류 (settings error): {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        if command == "migrate":
            asyncio.run(migrate(settings))
        elif command == "serve":
            require_production_settings(settings)
            asyncio.run(serve(settings, Mode.WEBHOOK))
        elif command == "sandbox" or settings.is_sandbox:
            asyncio.run(sandbox(with_sandbox_texts(with_sandbox_kakao(
                with_sandbox_secret_key(settings)))))
        else:
            require_secret_key(settings)
            asyncio.run(serve(settings, Mode.POLLING, migrate_first=True))
    except (StartupError, SettingsError) as error:
        print(f"시작할 수 없습니다 (cannot start): {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


async def migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    except Exception as error:
        raise StartupError(
            f"migration failed for {describe_url(settings.database_url)}: "
            f"{type(error).__name__}: {error}"
        ) from None
    finally:
        await engine.dispose()
    print(f"데이터베이스가 최신 상태입니다 (database is up to date): "
          f"{describe_url(settings.database_url)}")


async def serve(settings: Settings, mode: Mode, *, migrate_first: bool = False) -> None:
    if migrate_first:
        await migrate(settings)
    runtime = build_runtime(settings)
    await _run_until_signalled(runtime, mode)


async def sandbox(settings: Settings) -> None:
    """The local playground: a Bot API server, the browser page and the bot, one process.

    The sandbox is a sibling package, not part of the product: it is imported here, when it
    is started, so that nothing else in `bot` depends on it.
    """
    from sandbox.server import SandboxServer
    from sandbox.state import SandboxState

    await migrate(settings)
    clock = ShiftableClock()
    state = SandboxState(token=SANDBOX_TOKEN, clock=lambda: clock.now().timestamp())
    async with SandboxServer(
        state, SandboxTimeTravel(clock), host=settings.host, port=settings.sandbox_port
    ) as server:
        bot_settings = replace(
            settings, telegram_bot_token=SANDBOX_TOKEN, telegram_api_base_url=server.base_url
        )
        kakao = settings.kakao
        if kakao.skill_secret is not None and kakao.bot_id is not None:
            server.connect_kakao(skill_url=_local_url(settings, KAKAO_SKILL_PATH),
                                 header=SECRET_HEADER, secret=kakao.skill_secret,
                                 bot_id=kakao.bot_id)
        runtime = build_runtime(bot_settings, clock)
        show_texts(server, runtime)
        banner = (
            "\n공감 샌드박스가 준비되었습니다 (the sandbox is ready).\n"
            f"  브라우저에서 여세요 (open in a browser): {server.url}/\n"
            f"  상태 (health): http://{settings.host}:{settings.port}/healthz\n"
            f"  카카오톡 스킬 (Kakao skill): POST http://{settings.host}:{settings.port}"
            f"/kakao/skill, {SECRET_HEADER}: {settings.kakao.skill_secret}, "
            f"bot.id {settings.kakao.bot_id}\n"
            "  끝내려면 Ctrl+C (press Ctrl+C to stop)\n"
        )
        await _run_until_signalled(runtime, Mode.POLLING, banner=banner)


def show_texts(page: TextsPage, runtime: Runtime) -> None:
    """The page's 「📱 문자함」 lists what the sandbox text provider took, fresh as it comes."""
    provider = runtime.text_reports.transport.provider if runtime.text_reports else None
    if isinstance(provider, SandboxTexts):
        provider.on_sent = page.connect_texts(provider.listed)


def _local_url(settings: Settings, path: str) -> str:
    """The bot's own address for a path, as a process on this machine reaches it."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}{path}"


class SandboxTimeTravel:
    """The sandbox page's time-travel buttons, moving the bot's clock."""

    def __init__(self, clock: ShiftableClock) -> None:
        self._clock = clock

    async def advance(self, delta: timedelta) -> None:
        await self._clock.advance(delta)

    def now(self) -> datetime:
        return self._clock.now()


async def _run_until_signalled(runtime: Runtime, mode: Mode, banner: str = "") -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await runtime.start(mode)
    except BaseException:
        await runtime.engine.dispose()
        raise
    if banner:
        print(banner, flush=True)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await runtime.stop()
