"""A `kill -9` in the middle of a push burst loses no push and repeats at most the sends that
were in flight: a real dispatcher process is killed and restarted (benchmarks/push_crash.py)."""

from __future__ import annotations

import random

from benchmarks.push_crash import kill_and_restart
from sandbox import SandboxServer

PUSHES = 1000
CONCURRENCY = 8


async def test_a_killed_dispatcher_loses_no_push_and_repeats_at_most_its_concurrency(
    database_url: str, sandbox: SandboxServer,
) -> None:
    kill_after = random.randint(50, 950)
    outcome = await kill_and_restart(
        database_url, sandbox, pushes=PUSHES, kill_after=kill_after, concurrency=CONCURRENCY
    )
    described = f"killed after {kill_after} sendMessage calls: {outcome}"
    assert outcome.pending_at_kill > 0, described  # the kill landed in the middle of the burst
    assert outcome.lost == 0, described
    assert outcome.sent_rows == PUSHES, described
    # only the pushes the dead process held can repeat, and it held no more than it sends at once
    assert outcome.repeated <= outcome.claimed_at_kill <= CONCURRENCY, described
