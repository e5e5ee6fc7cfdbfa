"""Command-line entry points: run, serve, migrate, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.app import Mode, Runtime, StartupError, build_runtime
from bot.clock import ShiftableClock
from bot.db.engine import create_engine, describe_url
from bot.db.migrate import upgrade
from bot.logging_setup import configure_logging
from bot.pb_cli import add_pb_parser, run_pb
from bot.settings import (
    SANDBOX_TOKEN,
    Settings,
    SettingsError,
    load_settings,
    require_production_settings,
    require_secret_key,
    with_sandbox_secret_key,
)

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="공감 (Gonggam): residents' proposals, endorsements, debates and budgets.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="long polling plus the web server (without TELEGRAM_BOT_TOKEN: the sandbox)",
        description="Run the bot with long polling and the web server in one process. "
        "Without TELEGRAM_BOT_TOKEN this starts the local sandbox instead.",
    )
    commands.add_parser(
        "serve",
        help="webhook mode for production (Procfile web:)",
        description="Serve the Telegram webhook, health and metrics. Needs TELEGRAM_BOT_TOKEN, "
        "WEBHOOK_SECRET, SECRET_KEY and an https PUBLIC_BASE_URL; run `migrate` first.",
    )
    commands.add_parser(
        "migrate",
        help="apply database migrations (Procfile release:)",
        description="Upgrade the database at DATABASE_URL to the latest schema.",
    )
    commands.add_parser(
        "sandbox",
        help="local Bot API sandbox with a browser chat page, no Telegram token needed",
        description="Start an in-process Bot API server and a browser chat page, and run the "
        "bot against it on the SQLite default (or DATABASE_URL).",
    )
    add_pb_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "pb":
        return run_pb(args)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"설정 오류 (settings error): {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        if args.command == "migrate":
            asyncio.run(migrate(settings))
        elif args.command == "serve":
            require_production_settings(settings)
            asyncio.run(serve(settings, Mode.WEBHOOK))
        elif args.command == "sandbox" or settings.is_sandbox:
            asyncio.run(sandbox(with_sandbox_secret_key(settings)))
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
        runtime = build_runtime(bot_settings, clock)
        banner = (
            "\n공감 샌드박스가 준비되었습니다 (the sandbox is ready).\n"
            f"  브라우저에서 여세요 (open in a browser): {server.url}/\n"
            f"  상태 (health): http://{settings.host}:{settings.port}/healthz\n"
            "  끝내려면 Ctrl+C (press Ctrl+C to stop)\n"
        )
        await _run_until_signalled(runtime, Mode.POLLING, banner=banner)


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
