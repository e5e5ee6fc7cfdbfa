"""The ``pb`` command: count a Pabulib ``.pb`` file with one of our PB rules.

    python -m bot pb tally FILE.pb --rule RULE [--tie-break cheapest|id]
                                   [--min-support PERCENT] [--json]

``--json`` prints one line, ``{"selected": [ids, sorted as strings], "total_cost": "…",
"rule": "…"}``; without it a short Korean/English report. Any problem with the file or the
arguments prints one line, Korean first, then English, and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from bot.domain.pb import Election, Outcome, PbFormatError, Rule, TieBreak, parse_pb, tally
from bot.domain.pb.pbfile import format_amount, parse_amount

EXIT_ERROR = 2


class PbCommandError(Exception):
    """A problem the user can fix, worded in Korean and in English."""

    def __init__(self, korean: str, english: str) -> None:
        super().__init__(english)
        self.korean = korean
        self.english = english


def add_pb_parser(subparsers: Any) -> None:
    """Add ``pb`` (with its ``tally`` sub-command) to an argparse sub-parser collection."""
    pb = subparsers.add_parser(
        "pb",
        help="participatory-budget tools: count a Pabulib .pb file",
        description="Participatory-budgeting tools on Pabulib .pb files.",
    )
    commands = pb.add_subparsers(dest="pb_command", required=True, metavar="PB_COMMAND")
    count = commands.add_parser(
        "tally",
        help="count a .pb file with a rule",
        description="Count the votes of a .pb file with one rule and print the funded projects.",
    )
    count.add_argument("file", type=Path, metavar="FILE.pb")
    count.add_argument("--rule", required=True, choices=[rule.value for rule in Rule])
    count.add_argument(
        "--tie-break",
        default=TieBreak.CHEAPEST.value,
        choices=[tie.value for tie in TieBreak],
        help="cheapest: cheaper project first, then id (default); id: project id as a string",
    )
    count.add_argument(
        "--min-support",
        type=_percent,
        metavar="PERCENT",
        help="fund only projects approved by at least PERCENT %% of the ballots",
    )
    count.add_argument("--json", action="store_true", help="print one JSON line")


def run_pb(args: argparse.Namespace) -> int:
    """Run the parsed ``pb`` command; 0 on success, 2 with a one-line message on an error."""
    try:
        election = _read_election(args.file)
        outcome = _count(election, args)
    except PbCommandError as error:
        print(f"오류: {error.korean} (error: {error.english})", file=sys.stderr)
        return EXIT_ERROR
    print(_as_json(outcome) if args.json else _as_report(outcome, args.tie_break))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.pb_cli tally …``: the same command without the rest of the bot CLI."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    add_pb_parser(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return run_pb(parser.parse_args(["pb", *(argv if argv is not None else sys.argv[1:])]))


def _percent(text: str) -> Fraction:
    try:
        value = parse_amount(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"백분율은 숫자여야 합니다 (percent must be a number): {text!r}"
        ) from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(
            f"백분율은 0에서 100 사이여야 합니다 (percent must be 0-100): {text}"
        )
    return value


def _read_election(path: Path) -> Election:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PbCommandError(
            f"파일을 읽을 수 없습니다: {path}", f"cannot read {path}: {error.strerror}"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PbCommandError(
            f"{path}: UTF-8 텍스트가 아닙니다 ({error.start}번째 바이트)",
            f"{path}: not UTF-8 text (byte {error.start})",
        ) from None
    try:
        return parse_pb(text)
    except PbFormatError as error:
        raise PbCommandError(
            f"{path} {error.line}번째 줄: {error.korean}",
            f"{path} line {error.line}: {error.english}",
        ) from None


def _count(election: Election, args: argparse.Namespace) -> Outcome:
    try:
        return tally(
            election,
            args.rule,
            tie_break=args.tie_break,
            min_support_percent=args.min_support,
        )
    except ValueError as error:
        raise PbCommandError("이 파일은 이 규칙으로 셀 수 없습니다", str(error)) from None


def _as_json(outcome: Outcome) -> str:
    return json.dumps(
        {
            "selected": list(outcome.selected_sorted),
            "total_cost": format_amount(outcome.total_cost),
            "rule": outcome.rule.value,
        },
        ensure_ascii=False,
    )


def _as_report(outcome: Outcome, tie_break: str) -> str:
    used = outcome.total_cost / outcome.budget * 100 if outcome.budget else Fraction(0)
    lines = [
        f"규칙 (rule): {outcome.rule.value}, 동점 처리 (tie-break): {tie_break}",
        f"예산 (budget): {format_amount(outcome.budget)}, "
        f"사용 (spent): {format_amount(outcome.total_cost)} ({float(used):.2f}%), "
        f"남음 (left): {format_amount(outcome.leftover)}",
        f"선정 사업 {len(outcome.selected)}개, 선정 순서 (selected, in funding order): "
        + ", ".join(outcome.selected),
    ]
    if outcome.voter_share is not None:
        lines.append(f"1인당 몫 (voter share): {float(outcome.voter_share):.2f}")
    for tie in outcome.ties:
        lines.append("동점을 규칙으로 정함 (tie decided): " + " > ".join(tie))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
