"""Command-line entry points: run, serve, migrate, sandbox, pb, sortition, report.

Parsing and the ``pb`` and ``sortition`` commands import nothing of the running app:
counting a Pabulib file or checking a lottery must not load PTB, SQLAlchemy, aiohttp or
matplotlib (``bot.serving`` has those commands; ``report`` loads the database when it runs).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bot.lottery_cli import add_sortition_parser, run_sortition
from bot.pb_cli import add_pb_parser, run_pb
from bot.report_cli import add_report_parser, run_report


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
    add_sortition_parser(commands)
    add_report_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "pb":
        return run_pb(args)
    if args.command == "sortition":
        return run_sortition(args)
    if args.command == "report":
        return run_report(args)
    from bot.serving import run_command  # the whole app, only for the commands that run it

    return run_command(args.command)
