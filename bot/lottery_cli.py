"""The ``sortition`` command: the 주민자치회 members' lottery for the district office, and its
check by anyone.

    python -m bot sortition prepare --pool POOL.csv --rules RULES.csv --seats 50 \
        --reserves 10 [--method maximin|nash] [--title TITLE] --out ANNOUNCEMENT.json \
        --secret-out SECRET.json
    python -m bot sortition draw ANNOUNCEMENT.json SECRET.json --randomness "12 7 33 …" \
        --out RECORD.json
    python -m bot sortition verify RECORD.json [--announcement ANNOUNCEMENT.json] [--json]

``prepare`` reads the completers and the rules (`bot.domain.lottery_tables`), refuses rules
the pool cannot meet (naming each), computes the distribution and every applicant's chance,
and writes the announcement to publish before the draw (the anonymised pool, the rules, the
commitment to a fresh secret) and the secret file the office keeps until the draw. ``draw``
takes the randomness produced in the room and writes the record to publish; it never
overwrites one, so a draw happens once.

``verify`` checks that the secret, the inputs and the distribution are the ones the
commitment published before the draw binds (and, given the announcement, that it is that
commitment), derives the seed from the secret, the room's public randomness and the inputs,
draws the panel and the reserves again and prints them; it also recomputes the distribution
with the library (in a child process with fixed string hashing, `bot.lottery_draw`) and says
when this machine computes another one. Exit status 0 when everything matches, 1 when
something differs (each difference is named), 2 when a file cannot be read or the inputs
are refused (said in Korean).
``distribution`` is the draw's child process (`bot.lottery_draw`).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from bot.domain.lottery import (
    METHODS,
    SECRET_BYTES,
    DrawInputs,
    LotteryError,
    LotteryRecord,
    Prepared,
    conduct,
    describe_rule,
    describe_unmet,
    discrepancies,
    unmet_rules,
)
from bot.domain.lottery_tables import parse_pool, parse_rules
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
    prepare = commands.add_parser(
        "prepare",
        help="check the rules against the completers and write the announcement",
        description="Read the completers and the rules, check that the rules can be met, "
        "and write the announcement to publish and the secret file to keep until the draw.",
    )
    prepare.add_argument("--pool", type=Path, required=True, metavar="POOL.csv")
    prepare.add_argument("--rules", type=Path, required=True, metavar="RULES.csv")
    prepare.add_argument("--seats", type=int, required=True)
    prepare.add_argument("--reserves", type=int, default=0)
    prepare.add_argument("--method", choices=METHODS, default="maximin")
    prepare.add_argument("--title", default="")
    prepare.add_argument("--out", type=Path, required=True, metavar="ANNOUNCEMENT.json")
    prepare.add_argument("--secret-out", type=Path, required=True, metavar="SECRET.json")
    draw = commands.add_parser(
        "draw",
        help="draw with the randomness produced in the room and write the record",
        description="Draw the panel and the reserves and write the record to publish.",
    )
    draw.add_argument("announcement", type=Path, metavar="ANNOUNCEMENT.json")
    draw.add_argument("secret", type=Path, metavar="SECRET.json")
    draw.add_argument("--randomness", required=True,
                      help="the public randomness produced in the room, e.g. lottery balls")
    draw.add_argument("--out", type=Path, required=True, metavar="RECORD.json")
    verify = commands.add_parser(
        "verify",
        help="re-run a published draw and compare it with its file",
        description="Re-run a published draw from its file and print the panel; exit 1 if "
        "anything differs from the file.",
    )
    verify.add_argument("file", type=Path, metavar="FILE.json")
    verify.add_argument("--announcement", type=Path, metavar="ANNOUNCEMENT.json",
                        help="also check the record against the announcement published "
                        "before the draw")
    verify.add_argument("--json", action="store_true", help="print one JSON line")
    commands.add_parser("distribution", help=argparse.SUPPRESS)


def run_sortition(args: argparse.Namespace) -> int:
    if args.sortition_command == "distribution":
        return serve_child()
    steps = {"prepare": _prepare, "draw": _draw, "verify": _verify}
    try:
        return steps[args.sortition_command](args)
    except LotteryError as error:
        print(f"오류: {error}", file=sys.stderr)
        return EXIT_ERROR


def _prepare(args: argparse.Namespace) -> int:
    inputs = DrawInputs(args.seats, args.reserves, args.method,
                        parse_rules(_text(args.rules)), parse_pool(_text(args.pool)))
    if unmet := unmet_rules(inputs):
        raise LotteryError("규칙을 지킬 수 없어요.\n" + "\n".join(
            f"  - {describe_unmet(u)}" for u in unmet))
    _refuse_existing(args.out, args.secret_out)
    found = find_distribution_blocking(inputs)
    prepared = Prepared(args.title, inputs, secrets.token_bytes(SECRET_BYTES),
                        found.distribution, found.library)
    _write(args.out, prepared.announcement())
    _write(args.secret_out, prepared.kept(), private=True)
    chances = prepared.announcement()["chances"].values()
    print("\n".join([
        f"{args.title or '추첨'}: 신청자 {len(inputs.pool)}명 중 {inputs.seats}명 선발, "
        f"예비 {inputs.reserves}명 · {inputs.method} · {found.library}",
        *(f"  규칙 「{describe_rule(r)}」: {r.minimum(inputs.seats)}~{r.maximum(inputs.seats)}명"
          for r in inputs.rules),
        f"  선발 확률: 가장 낮은 {min(chances):.1%}, 가장 높은 {max(chances):.1%}",
        f"공고할 파일: {args.out} · 추첨 때까지 보관할 비밀 값: {args.secret_out}",
        f"약속(커밋): {prepared.announcement()['commitment']}",
    ]))
    return 0


def _draw(args: argparse.Namespace) -> int:
    prepared = Prepared.from_files(_read(args.announcement), _read(args.secret))
    _refuse_existing(args.out)
    record = prepared.draw(args.randomness)
    _write(args.out, record.as_json())
    result = record.result
    print("\n".join([
        f"{record.title or '추첨'} · 공개 난수 「{record.public_randomness}」",
        f"선발 {len(result.selected)}명: {' '.join(result.selected)}",
        f"예비 {len(result.reserves)}명, 순서대로: {' '.join(result.reserves)}",
        *(f"  「{describe_rule(c.rule)}」: {c.count}명 (허용 {c.minimum}~{c.maximum}명)"
          for c in result.counts),
        f"공개할 추첨 기록: {args.out}",
    ]))
    return 0


def _verify(args: argparse.Namespace) -> int:
    record = _record(args.file)
    redrawn = conduct(record.inputs, bytes.fromhex(record.secret), record.public_randomness,
                      record.distribution)
    problems = discrepancies(record, redrawn)
    if args.announcement is not None:
        problems += _against_announcement(record, _read(args.announcement))
    found = find_distribution_blocking(record.inputs)
    if found.distribution.digest() != record.distribution.digest():
        problems.append(f"{found.library} computes another distribution here than the one "
                        f"committed to ({record.library})")
    print(_as_json(redrawn.selected, redrawn.reserves, problems) if args.json
          else _as_report(record, redrawn.selected, redrawn.reserves, problems))
    return EXIT_DIFFERS if problems else 0


def _record(path: Path) -> LotteryRecord:
    try:
        return LotteryRecord.from_json(_read(path))
    except LotteryError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise LotteryError(f"추첨 기록을 읽을 수 없어요 ({error}).") from None


def _against_announcement(record: LotteryRecord, announcement: Any) -> list[str]:
    """What in the record differs from the announcement published before the draw."""
    if not isinstance(announcement, dict):
        raise LotteryError("추첨 공고 파일이 아니에요.")
    fields = ("commitment", "inputs_digest", "distribution_digest")
    published = record.as_json()
    return [f"the {name} differs from the announcement" for name in fields
            if announcement.get(name) != published[name]]


def _read(path: Path) -> Any:
    text = _text(path)
    try:
        return json.loads(text)
    except ValueError:
        raise LotteryError(f"JSON 파일이 아니에요: {path}") from None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise LotteryError(f"파일을 읽을 수 없어요: {path} ({error.strerror})") from None
    except UnicodeDecodeError:
        raise LotteryError(f"UTF-8 텍스트 파일이 아니에요: {path}") from None


def _refuse_existing(*paths: Path) -> None:
    """A draw happens once: its files are never written over."""
    for path in paths:
        if path.exists():
            raise LotteryError(f"{path} 파일이 이미 있어요. 추첨은 한 번만 해요.")


def _write(path: Path, data: dict[str, Any], *, private: bool = False) -> None:
    """Write the file, readable by its owner alone when `private` (the secret)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


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
