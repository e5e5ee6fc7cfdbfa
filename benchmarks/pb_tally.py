"""PB tally speed: our ``mes-add1`` against pabutools 1.2.3 on the largest shared Pabulib files.

What is measured, per file, in the same run: the time of our ``tally(election, "mes-add1",
tie_break="id")`` (ballot counting included) and of the reference, pabutools'
``completion_by_rule_combination`` of MES (``Cost_Sat``, ``voter_budget_increment=1``) and
greedy ``Cost_Sat`` completion on the file's multiprofile, the way ``pb_expected.py``
produced ``expected.json``. Parsing is left out of both. The outcomes must be identical;
the goal is ours at least 10 times faster. pabutools is a benchmark/test dependency only
(``pip install pabutools==1.2.3``); the reference needs 36-50 s on Rembertów.

    python -m benchmarks.pb_tally [--files NAME …] [--quick] [--json]

``--quick`` runs the two files the goal names (Rembertów and Wieliczka). The exit status is
0 whatever the figures, 2 if pabutools or the fixtures are missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/pb_tally.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.pb import parse_pb, tally

PABULIB = Path(__file__).resolve().parents[2] / "shared" / "pabulib"
GOAL_RATIO = 10.0
DEFAULT_FILES = (
    "Poland_Warszawa_2020_Rembertow.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "France_Toulouse_2019.pb",
    "Netherlands_Amsterdam_304.pb",
)
QUICK_FILES = DEFAULT_FILES[:2]


@dataclass(frozen=True)
class FileResult:
    file: str
    voters: int
    projects: int
    ours_s: float
    reference_s: float
    identical: bool

    @property
    def ratio(self) -> float:
        return self.reference_s / self.ours_s if self.ours_s else float("inf")


def time_ours(path: Path) -> tuple[float, list[str], int, int]:
    election = parse_pb(path.read_bytes().decode("utf-8"))
    started = time.perf_counter()
    outcome = tally(election, "mes-add1", tie_break="id")
    elapsed = time.perf_counter() - started
    return elapsed, list(outcome.selected_sorted), len(election.ballots), len(election.projects)


def time_reference(path: Path) -> tuple[float, list[str]]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )
    from pabutools.tiebreaking import lexico_tie_breaking

    instance, profile = parse_pabulib(str(path))
    multiprofile = profile.as_multiprofile()
    started = time.perf_counter()
    outcome = completion_by_rule_combination(
        instance,
        multiprofile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [
            {"sat_class": Cost_Sat, "voter_budget_increment": 1,
             "tie_breaking": lexico_tie_breaking},
            {"sat_class": Cost_Sat, "tie_breaking": lexico_tie_breaking},
        ],
    )
    elapsed = time.perf_counter() - started
    return elapsed, sorted(str(project.name) for project in outcome)


def measure(path: Path) -> FileResult:
    ours_s, ours, voters, projects = time_ours(path)
    reference_s, reference = time_reference(path)
    return FileResult(path.name, voters, projects, ours_s, reference_s, ours == reference)


def table(results: Sequence[FileResult]) -> str:
    lines = [f"{'file':40s} {'voters':>7s} {'ours':>9s} {'pabutools':>10s} {'ratio':>7s}  same"]
    for r in results:
        verdict = "PASS" if r.identical and r.ratio >= GOAL_RATIO else "BELOW"
        lines.append(
            f"{r.file[:40]:40s} {r.voters:7d} {r.ours_s:8.3f}s {r.reference_s:9.3f}s "
            f"{r.ratio:6.1f}x  {'yes' if r.identical else 'NO'}  {verdict}"
        )
    lines.append(f"goal: identical outcomes at ≥ {GOAL_RATIO:.0f}x the reference speed")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pb_tally", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", nargs="+", metavar="NAME", help="file names in the fixtures")
    parser.add_argument("--quick", action="store_true", help="Rembertów and Wieliczka only")
    parser.add_argument("--dir", type=Path, default=PABULIB, help="folder of the .pb files")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import pabutools  # noqa: F401  (only its presence is checked here)
    except ImportError:
        print("pabutools가 없습니다 (pabutools is not installed: pip install pabutools==1.2.3)",
              file=sys.stderr)
        return 2
    names = args.files or (QUICK_FILES if args.quick else DEFAULT_FILES)
    paths = [args.dir / name for name in names]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"파일이 없습니다 (missing fixtures): {', '.join(missing)}", file=sys.stderr)
        return 2
    results = [measure(path) for path in paths]
    if args.json:
        print(json.dumps([asdict(r) | {"ratio": r.ratio} for r in results]))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
