"""`python -m bot report yearly`: read the report from DATABASE_URL and print it
(the parsing and the year check are in `bot.report_cli`)."""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError

from bot.clock import SystemClock
from bot.db.engine import create_engine, create_sessionmaker, describe_url
from bot.domain.yearly_report import YearlyReport
from bot.i18n import DEFAULT_LANGUAGE, I18n
from bot.rendering.yearly_report import plain_report, report_json
from bot.report_cli import EXIT_ERROR, EXIT_UNREADABLE
from bot.services.yearly_report import yearly_report
from bot.settings import Settings, SettingsError, load_settings


async def print_yearly_report(year: int, *, as_json: bool) -> int:
    """Print the report of `year` as of now; the exit status."""
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"설정 오류 (settings error): {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        report = await read_report(settings, year)
    except DBAPIError as error:
        print(f"데이터베이스를 읽을 수 없어요 (cannot read the database) "
              f"{describe_url(settings.database_url)}: {type(error.orig).__name__}",
              file=sys.stderr)
        return EXIT_UNREADABLE
    if as_json:
        print(report_json(report).decode("utf-8"))
    else:
        translator = I18n(settings.policy.timezone).get(DEFAULT_LANGUAGE)
        print(plain_report(translator, report))
    return 0


async def read_report(settings: Settings, year: int) -> YearlyReport:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await yearly_report(session, year, SystemClock().now(),
                                       settings.policy.timezone)
    finally:
        await engine.dispose()
