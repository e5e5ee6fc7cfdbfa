"""The 주민자치회 lottery at a 동's scale: 50 seats among 1,000 completers under four rules.

What is measured: the wall time of one draw's distribution as the bot computes it, in its own
child process (`bot.lottery_draw.find_distribution_blocking`: start, import the library,
solve), for each method that runs on the open HiGHS solver (maximin, nash). The baseline,
measured in the same run, is the same child drawing 1 seat from 2 completers with no rule:
what starting the child and importing the library cost, so the ratio is how many of those the
draw takes. The pool is made up (seeded), with the mix of a Seoul 동: five age bands, two
sexes; the rules are Seoul's (40대 이하 at least 15 %, each sex under 60 %) and 60대 이상 at
most 30 %. Each run also checks the draw: 50 seats, every rule met.

    python -m benchmarks.lottery_draw [--runs 3] [--completers 1000] [--seats 50]
                                      [--methods maximin,nash] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as `python benchmarks/lottery_draw.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.lottery import Applicant, Comparison, DrawInputs, QuotaRule, conduct
from bot.lottery_draw import find_distribution_blocking

AGES = ("20대 이하", "30대", "40대", "50대", "60대 이상")
AGE_WEIGHTS = (12, 16, 20, 24, 28)  # completers of a 주민자치학교 lean older
RULES = (
    QuotaRule("age", ("20대 이하", "30대", "40대"), Comparison.AT_LEAST, percent=15),
    QuotaRule("sex", ("여",), Comparison.UNDER, percent=60),
    QuotaRule("sex", ("남",), Comparison.UNDER, percent=60),
    QuotaRule("age", ("60대 이상",), Comparison.AT_MOST, percent=30),
)


def pool(completers: int) -> tuple[Applicant, ...]:
    rng = random.Random(20261207)
    return tuple(Applicant(f"{n:04d}", {"age": rng.choices(AGES, AGE_WEIGHTS)[0],
                                        "sex": rng.choice(("여", "남"))})
                 for n in range(1, completers + 1))


def timed_draw(inputs: DrawInputs) -> float:
    started = time.perf_counter()
    found = find_distribution_blocking(inputs)
    elapsed = time.perf_counter() - started
    result = conduct(inputs, bytes(32), "1 2 3 4 5 6", found.distribution)
    assert len(result.selected) == inputs.seats and all(c.met for c in result.counts)
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lottery_draw",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--completers", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--methods", default="maximin,nash")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    people = pool(options.completers)
    baseline_inputs = DrawInputs(1, 0, "maximin", (), people[:2])
    figures: dict[str, list[tuple[float, float]]] = {}
    for _ in range(options.runs):
        for method in options.methods.split(","):
            baseline = timed_draw(baseline_inputs)
            draw = timed_draw(DrawInputs(options.seats, 10, method, RULES, people))
            figures.setdefault(method, []).append((draw, baseline))
    report = {method: {"seconds": [round(d, 2) for d, _ in runs],
                       "baseline_seconds": [round(b, 2) for _, b in runs],
                       "median_ratio": round(statistics.median(d / b for d, b in runs), 1)}
              for method, runs in figures.items()}
    if options.json:
        print(json.dumps(report))
        return 0
    print(f"lottery: {options.seats} of {options.completers} completers, {len(RULES)} rules, "
          f"{options.runs} runs; baseline: the draw's child process drawing 1 of 2")
    for method, row in report.items():
        print(f"  {method:8} {', '.join(f'{s:.1f} s' for s in row['seconds'])}  "
              f"(baseline {', '.join(f'{s:.2f} s' for s in row['baseline_seconds'])})  "
              f"median ratio {row['median_ratio']}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
