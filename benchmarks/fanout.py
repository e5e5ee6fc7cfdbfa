"""Fan-out: 10,000 pushes to distinct chats through one and two replicas sharing one budget.

What is measured: the outbox on PostgreSQL holds `--pushes` urgent pushes, each to its own
chat. One, then two, dispatcher-only processes (the real runtime from `build_runtime`, its
Telegram outbox dispatcher alone, with the send budget the database chooses: the shared one)
deliver them to the sandbox Bot API, which answers one sendMessage in every `--429-every`
with 429 Too Many Requests (retry_after `--retry-after` s), as Telegram does to a bot that
goes too fast. The sandbox stamps every sendMessage it receives; from those stamps:

- achieved rate: sendMessage calls received, a second, from the first to the last, as a
  share of the configured rate (SEND_RATE_PER_SECOND); the 429 pauses count as time spent;
- busiest second: the most calls received within one second of the clock (and, stricter,
  within any one-second window, which a send's own latency may already cross);
- lost: chats that got no push; sent twice: chats that got it more than once.

Goal: achieved ≥ 95 % of the configured rate, the busiest second ≤ the configured rate,
0 lost, 0 sent twice.

    python -m benchmarks.fanout [--pushes 10000] [--replicas 1,2] [--rate 30]
                                [--429-every 2000] [--retry-after 1] [--json]

The exit status is 0 when every run met the goal, 1 when one did not or the run itself failed,
2 for bad arguments. `--dispatcher` is the child it starts (settings from the environment).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

if __package__ in (None, ""):  # run as `python benchmarks/fanout.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.push_crash import (
    DATABASES,
    DatabaseUnavailable,
    deliveries,
    drained,
    run_dispatcher_only,
    seed_pushes,
)
from bot.db.engine import create_engine, create_sessionmaker
from sandbox import SandboxServer, SandboxState
from sandbox.state import ApiCall

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_PUSHES = 10_000
DEFAULT_RATE = 30.0
DEFAULT_429_EVERY = 2_000
DEFAULT_RETRY_AFTER = 1
GOAL_SHARE = 0.95
FIRST_CHAT = 3_000_000
STOP_PATIENCE_SECONDS = 30.0


class FanoutError(RuntimeError):
    """The run could not finish (it says which step did not)."""


@dataclass(frozen=True)
class Figures:
    """What the sandbox saw of one run."""

    replicas: int
    pushes: int
    configured_rate: float
    calls: int  # sendMessage calls received, refused ones (429) included
    refused: int  # of those, answered 429
    seconds: float  # from the first call received to the last
    busiest_second: int  # most calls within one second of the clock
    busiest_window: int  # most calls within any one-second window
    lost: int
    sent_twice: int

    @property
    def achieved_rate(self) -> float:
        return (self.calls - 1) / self.seconds if self.seconds > 0 else 0.0

    @property
    def share(self) -> float:
        return self.achieved_rate / self.configured_rate

    @property
    def met(self) -> bool:
        return (self.share >= GOAL_SHARE and self.busiest_second <= self.configured_rate
                and self.lost == 0 and self.sent_twice == 0)


def busiest_second(stamps: Sequence[float]) -> int:
    """The most stamps within one second of the clock ([n, n + 1) for a whole n)."""
    return max(Counter(math.floor(stamp) for stamp in stamps).values(), default=0)


def busiest_window(stamps: Sequence[float], window: float = 1.0) -> int:
    """The most stamps within any half-open window of `window` seconds."""
    ordered, most, start = sorted(stamps), 0, 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - window:
            start += 1
        most = max(most, end - start + 1)
    return most


def figures(state: SandboxState, replicas: int, chats: Sequence[int], rate: float,
            calls: Sequence[ApiCall], refused: int) -> Figures:
    stamps = [call.at for call in calls]
    received = deliveries(state, chats)
    return Figures(
        replicas=replicas, pushes=len(chats), configured_rate=rate, calls=len(stamps),
        refused=refused, seconds=max(stamps) - min(stamps) if stamps else 0.0,
        busiest_second=busiest_second(stamps), busiest_window=busiest_window(stamps),
        lost=sum(1 for chat in chats if received[chat] == 0),
        sent_twice=sum(1 for chat in chats if received[chat] > 1),
    )


class Refusals:
    """Answers one sendMessage in every `every` with 429 (retry_after), counting them."""

    def __init__(self, state: SandboxState, every: int, retry_after: int) -> None:
        self._state, self._every, self._retry_after = state, every, retry_after
        self.injected = 0

    async def run(self) -> None:
        while True:
            await self._state.wait_until(self._due, 3600)
            self._state.fail_next("sendMessage", error_code=429, retry_after=self._retry_after,
                                  description=f"Too Many Requests: retry after "
                                              f"{self._retry_after}")
            self.injected += 1

    def _due(self) -> bool:
        return len(self._state.calls) >= (self.injected + 1) * self._every


def child_environment(database_url: str, server: SandboxServer, replica: int,
                      rate: float) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": server.state.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "SECRET_KEY": "fanout-" + "x" * 40,
        "CONTACT_KEY": "fanout-contacts-" + "c" * 40,
        "WORKER_ID": f"fanout-replica-{replica}",
        "SEND_RATE_PER_SECOND": str(rate),
        "LOG_LEVEL": "WARNING",
    }


@asynccontextmanager
async def dispatcher_process(environment: dict[str, str], log: IO[bytes]
                             ) -> AsyncIterator[asyncio.subprocess.Process]:
    """A `--dispatcher` child; stopped with SIGTERM on the way out (killed if it hangs)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.fanout", "--dispatcher",
        cwd=REPOSITORY, env=environment, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_PATIENCE_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()


async def fan_out(database_url: str, *, replicas: int, pushes: int, rate: float,
                  every: int, retry_after: int, first_chat: int) -> Figures:
    """Queue the pushes, let `replicas` processes deliver them, and read the sandbox."""
    state = SandboxState()
    chats = list(range(first_chat, first_chat + pushes))
    engine = create_engine(database_url)
    try:
        outbox = create_sessionmaker(engine)
        async with SandboxServer(state) as server:
            await seed_pushes(outbox, state, chats)
            refusals = Refusals(state, every, retry_after)
            injector = asyncio.create_task(refusals.run())
            with tempfile.TemporaryFile() as log:
                async with AsyncExitStack() as processes:
                    for replica in range(replicas):
                        environment = child_environment(database_url, server, replica, rate)
                        await processes.enter_async_context(dispatcher_process(environment, log))
                    timeout = pushes / rate * 3 + 60
                    try:
                        await asyncio.wait_for(drained(outbox), timeout)
                    except TimeoutError:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise FanoutError(f"the outbox did not drain within {timeout:.0f} s; "
                                          f"the dispatchers' log ends with:\n{tail}") from None
            injector.cancel()
            unused = state.take_fault("sendMessage") is not None  # armed after the last send
            calls = state.calls_to("sendMessage")
            return figures(state, replicas, chats, rate, calls, refusals.injected - unused)
    finally:
        await engine.dispose()


async def measure(args: argparse.Namespace) -> list[Figures]:
    results = []
    async with DATABASES["postgres"]() as url:
        for number, replicas in enumerate(args.replica_counts):
            results.append(await fan_out(
                url, replicas=replicas, pushes=args.pushes, rate=args.rate,
                every=args.every, retry_after=args.retry_after,
                first_chat=FIRST_CHAT + number * args.pushes,
            ))
            log(line(results[-1]))
    return results


def line(run: Figures) -> str:
    return (f"{run.replicas} replica{'s' if run.replicas > 1 else ''}: {run.pushes} pushes, "
            f"{run.calls} sendMessage calls ({run.refused} answered 429) in {run.seconds:.1f} s: "
            f"{run.achieved_rate:.2f}/s = {run.share:.1%} of {run.configured_rate:g}/s; "
            f"busiest second {run.busiest_second} (any 1-s window {run.busiest_window}); "
            f"lost {run.lost}, sent twice {run.sent_twice}: {'MET' if run.met else 'MISSED'}")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=DEFAULT_PUSHES)
    parser.add_argument("--replicas", default="1,2", help="comma-separated replica counts")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE,
                        help="SEND_RATE_PER_SECOND given to the replicas")
    parser.add_argument("--429-every", dest="every", type=int, default=DEFAULT_429_EVERY,
                        help="answer one sendMessage in this many with 429")
    parser.add_argument("--retry-after", type=int, default=DEFAULT_RETRY_AFTER)
    parser.add_argument("--json", action="store_true", help="one JSON line instead of text")
    parser.add_argument("--dispatcher", action="store_true",
                        help="run one dispatcher-only process (the benchmark's child)")
    args = parser.parse_args(argv)
    try:
        args.replica_counts = [int(count) for count in args.replicas.split(",") if count]
    except ValueError:
        parser.error("--replicas takes comma-separated whole numbers")
    if (args.pushes < 10 or args.rate <= 0 or args.every < 1 or args.retry_after < 1
            or not args.replica_counts or not all(1 <= n <= 8 for n in args.replica_counts)):
        parser.error("--pushes ≥ 10, --rate > 0, --429-every ≥ 1, --retry-after ≥ 1, "
                     "--replicas 1..8")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.dispatcher:
        asyncio.run(run_dispatcher_only())
        return 0
    try:
        results = asyncio.run(measure(args))
    except DatabaseUnavailable as error:
        log(f"skipped: {error}")
        return 1
    except FanoutError as error:
        log(f"the run failed: {error}")
        return 1
    if args.json:
        print(json.dumps([asdict(run) | {"achieved_rate": run.achieved_rate, "share": run.share,
                                         "met": run.met} for run in results]))
    else:
        print("\n".join(line(run) for run in results))
    return 0 if all(run.met for run in results) else 1


if __name__ == "__main__":
    sys.exit(main())
