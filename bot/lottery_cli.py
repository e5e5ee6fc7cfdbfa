"""The ``sortition`` command: check a published 주민자치회 lottery from its file alone.

    python -m bot sortition verify FILE.json [--json]

It checks the secret against the commitment published before the draw, derives the seed
from the secret, the room's public randomness and the inputs, recomputes the distribution
over panels with the same library (in a child process with fixed string hashing,
`bot.lottery_draw`), draws the panel and the reserves again and prints them. Exit status 0
when everything matches the file, 1 when something differs (each difference is named), 2
when the file cannot be read. ``distribution`` is the child's own entry point.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.domain.lottery import LotteryError, LotteryRecord, conduct, discrepancies
from bot.lottery_draw import find_distribution_blocking, serve_child

EXIT_DIFFERS = 1
EXIT_ERROR = 2


def add_sortition_parser(subparsers: Any) -> None:
    """Add ``sortition`` (``verify``, and the draw's child ``distribution``)."""
    sortition = subparsers.add_parser(
        "sortition",
        help="the 주민자치회 lottery: verify a published draw",
        description="Tools for the members' lottery of a 주민자치회.",
    )
    commands = sortition.add_subparsers(dest="sortition_command", required=True,
                                        metavar="SORTITION_COMMAND")
    verify = commands.add_parser(
        "verify",
        help="re-run a published draw and compare it with its file",
        description="Re-run a published draw from its file and print the panel; exit 1 if "
        "anything differs from the file.",
    )
    verify.add_argument("file", type=Path, metavar="FILE.json")
    verify.add_argument("--json", action="store_true", help="print one JSON line")
    commands.add_parser("distribution", help=argparse.SUPPRESS)


def run_sortition(args: argparse.Namespace) -> int:
    if args.sortition_command == "distribution":
        return serve_child()
    try:
        record = LotteryRecord.from_json(_read(args.file))
        found = find_distribution_blocking(record.inputs)
        redrawn = conduct(record.inputs, bytes.fromhex(record.secret),
                          record.public_randomness, found.distribution)
    except (LotteryError, KeyError, TypeError, ValueError) as error:
        print(f"오류: {error}", file=sys.stderr)
        return EXIT_ERROR
    problems = discrepancies(record, redrawn)
    if found.library != record.library:
        problems.append(f"computed with {found.library}, the file says {record.library}")
    print(_as_json(redrawn.selected, redrawn.reserves, problems) if args.json
          else _as_report(record, redrawn.selected, redrawn.reserves, problems))
    return EXIT_DIFFERS if problems else 0


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LotteryError(f"파일을 읽을 수 없어요: {path} ({error.strerror})") from None
    except ValueError:
        raise LotteryError(f"JSON 파일이 아니에요: {path}") from None


def _as_json(selected: tuple[str, ...], reserves: tuple[str, ...], problems: list[str]) -> str:
    return json.dumps({"selected": list(selected), "reserves": list(reserves),
                       "matches": not problems, "problems": problems}, ensure_ascii=False)


def _as_report(record: LotteryRecord, selected: tuple[str, ...], reserves: tuple[str, ...],
               problems: list[str]) -> str:
    verdict = ("✅ 기록과 같아요 (the draw matches its file)" if not problems else
               "❌ 기록과 달라요 (the draw differs from its file):\n"
               + "\n".join(f"  - {p}" for p in problems))
    return "\n".join([
        f"{record.title or '추첨'} · {record.inputs.method} · {record.library}",
        f"선발 {len(selected)}명 (selected): {' '.join(selected)}",
        f"예비 {len(reserves)}명, 순서대로 (reserves, in order): {' '.join(reserves)}",
        verdict,
    ])
