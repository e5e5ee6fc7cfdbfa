"""The ``report`` command: the yearly 이행상황 report from the database at DATABASE_URL.

    python -m bot report yearly YEAR [--json]

Without ``--json`` it prints the figures as a plain-text table (Korean); with it, the JSON of
the open-data file ``/data/report/<year>.json``. "Overdue now" means at the moment the command
runs. A year that is not a number from 2000 to 2100 exits with status 2 and a one-line
message, Korean first, then English; a settings error exits 2 as well, and a database that
cannot be read exits 1.

Parsing imports nothing heavy: the database and the rendering are imported when the command
runs (``bot.cli`` builds its parser for every command).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.domain.yearly_report import FIRST_YEAR, LAST_YEAR, report_year

EXIT_UNREADABLE = 1
EXIT_ERROR = 2


def add_report_parser(subparsers: Any) -> None:
    """Add ``report`` (with its ``yearly`` sub-command) to an argparse sub-parser collection."""
    report = subparsers.add_parser(
        "report",
        help="published reports: the yearly 이행상황 report",
        description="Reports the district publishes, read from DATABASE_URL.",
    )
    commands = report.add_subparsers(dest="report_command", required=True,
                                     metavar="REPORT_COMMAND")
    yearly = commands.add_parser(
        "yearly",
        help="what came of the proposals received in a year",
        description="Print the yearly implementation report (이행상황) of the proposals "
        "received in YEAR (Korea time): received, answered on time, accepted, implemented, "
        "overdue now and budget, per department and per 동.",
    )
    yearly.add_argument("year", metavar="YEAR", help=f"{FIRST_YEAR}-{LAST_YEAR}")
    yearly.add_argument("--json", action="store_true",
                        help="print the JSON of the open-data file instead of the table")


def run_report(args: argparse.Namespace) -> int:
    """Run the parsed ``report`` command; the exit status."""
    year = report_year(args.year)
    if year is None:
        print(f"오류: 연도는 {FIRST_YEAR}에서 {LAST_YEAR} 사이의 숫자로 써 주세요: {args.year!r} "
              f"(error: the year must be a number from {FIRST_YEAR} to {LAST_YEAR})",
              file=sys.stderr)
        return EXIT_ERROR
    from bot.report_printing import print_yearly_report  # the database and the rendering

    return asyncio.run(print_yearly_report(year, as_json=args.json))
