"""The lottery's distribution over panels, computed by the Sortition Foundation's library in a
process of its own.

`sortition-algorithms` (maximin, nash) finds the panels that meet every quota and a
probability for each, so that every completer's chance is as even as the quotas allow. Two
things keep it out of the bot's process:

- **Repeatability.** The library's random choices are seeded from the inputs' digest. It also
  iterates over sets of strings, whose order follows Python's string hashing, randomised per
  process: the same inputs gave other panels in another process. The child runs with
  ``PYTHONHASHSEED`` fixed (`HASH_SEED`), so anyone re-running a published draw gets the very
  same distribution, and with it the same panel.
- **Weight.** The library brings NumPy, SciPy, CVXPY and HiGHS (hundreds of MB); only the
  child that draws loads them.

The child is ``python -m bot sortition distribution``: the inputs as JSON on stdin, the
distribution (or the error) as JSON on stdout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from bot.domain.lottery import Distribution, DrawInputs, LotteryError, canonical_json, strata

HASH_SEED = "0"
LIBRARY = "sortition-algorithms"
CHILD_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Found:
    """The distribution and the library (with its version) that found it."""

    distribution: Distribution
    library: str


def child_command() -> list[str]:
    return [sys.executable, "-m", "bot", "sortition", "distribution"]


def child_environment() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": HASH_SEED}


async def find_distribution(inputs: DrawInputs) -> Found:
    """The distribution for `inputs`, from the child process (the event loop keeps going)."""
    child = await asyncio.create_subprocess_exec(
        *child_command(), env=child_environment(), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        output, errors = await asyncio.wait_for(
            child.communicate(canonical_json(inputs.as_json()).encode()), CHILD_TIMEOUT_SECONDS)
    except TimeoutError:
        await _stop(child)
        raise LotteryError("추첨 계산이 너무 오래 걸려 멈췄어요.") from None
    except BaseException:  # cancelled (the bot stopping): no solver left running alone
        await _stop(child)
        raise
    return _read_answer(output, errors)


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is None:
        child.kill()
        await child.wait()


def find_distribution_blocking(inputs: DrawInputs) -> Found:
    """`find_distribution` for the command line (no event loop)."""
    try:
        done = subprocess.run(child_command(), env=child_environment(), capture_output=True,
                              input=canonical_json(inputs.as_json()).encode(),
                              timeout=CHILD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise LotteryError("추첨 계산이 너무 오래 걸려 멈췄어요.") from None
    return _read_answer(done.stdout, done.stderr)


def _read_answer(output: bytes, errors: bytes) -> Found:
    try:
        answer = json.loads(output)
    except ValueError:
        tail = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise LotteryError(f"추첨 계산이 실패했어요 ({tail[0]}).") from None
    if "error" in answer:
        raise LotteryError(str(answer["error"]))
    return Found(Distribution.from_json(answer["distribution"]), str(answer["library"]))


def serve_child() -> int:
    """The child's side: read the inputs, write the distribution or the error.

    The library and its solver print their progress on stdout (HiGHS from C): everything
    but the answer is sent to stderr, the answer alone to the original stdout.
    """
    answer_to = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with answer_to:
        answer = _answer(sys.stdin.read())
        answer_to.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return 0 if "distribution" in answer else 2


def _answer(request: str) -> dict[str, Any]:
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        return {"error": f"PYTHONHASHSEED must be {HASH_SEED}"}
    try:
        inputs = DrawInputs.from_json(json.loads(request))
        return {"distribution": distribution_of(inputs).as_json(),
                "library": f"{LIBRARY} {metadata.version(LIBRARY)}"}
    except (LotteryError, KeyError, TypeError, ValueError) as error:
        return {"error": str(error)}


def distribution_of(inputs: DrawInputs) -> Distribution:
    """Run the library in this process (the child; tests that only check the quotas)."""
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.committee_generation import (
        find_distribution_maximin,
        find_distribution_nash,
        standardize_distribution,
    )
    from sortition_algorithms.errors import SortitionBaseError
    from sortition_algorithms.utils import set_random_provider

    logging.getLogger("sortition_algorithms").setLevel(logging.WARNING)
    # The library's own random choices (its heuristics, the solver's seed) follow from the
    # inputs alone: the distribution, and every chance, is known before the draw's seed is.
    set_random_provider(int(inputs.digest()[:15], 16) or 1)
    quotas, people = strata(inputs)
    settings = Settings(id_column="number", columns_to_keep=[],
                        selection_algorithm=inputs.method)
    columns = list(people[0]) if people else ["number"]
    try:  # reading the quotas already refuses some that cannot all hold together
        features, _, _ = read_in_features(
            ["feature", "value", "min", "max"],
            [{"feature": f, "value": v, "min": str(low), "max": str(high)}
             for f, v, low, high in quotas],
            inputs.seats)
        pool, _ = read_in_people(columns, people, features, settings)
        find = find_distribution_maximin if inputs.method == "maximin" else find_distribution_nash
        panels, probabilities, _ = find(features, pool, inputs.seats, [])
    except SortitionBaseError as error:
        raise LotteryError(f"규칙을 모두 함께 지키는 구성이 없어요 ({error}).") from error
    panels, probabilities = standardize_distribution(panels, probabilities)
    return Distribution(tuple(panels), tuple(probabilities))
