"""Pushes across a crash: how many a `kill -9` in the middle of a burst loses and repeats.

What is measured: the outbox holds 1,000 pending pushes for 1,000 different chats. A
dispatcher-only process (the real runtime from `build_runtime`, running nothing but its
Telegram outbox dispatcher, paced without Telegram's rate limit so the burst takes seconds)
sends them to the sandbox Bot API, which answers every sendMessage a little late
(`--latency-ms`) so that sends are in flight. When the sandbox has received a random number of
sendMessage calls (5 % to 95 % of the burst), the process is killed with SIGKILL, started
again with the same WORKER_ID, and left to drain the outbox (until the database holds no
pending push); then it is stopped with SIGTERM. The sandbox then tells, per chat, how often
the push arrived: lost = chats that got none, repeated = chats that got it twice or more.

The guarantee (bot/dispatcher.py): nothing lost, and per kill at most `concurrency` pushes
repeated — only those that were in flight. The claims' lease is set to ten minutes here, far
beyond the drain's time limit, so a drain at all shows that the restarted process took back
its own claims at once instead of waiting for them to expire. The pushes are urgent ones, so
that quiet hours never hold them (the drill may run at night in Seoul).

    python -m benchmarks.push_crash [--runs 10] [--pushes 1000] [--concurrency 8]
                                    [--backends sqlite,postgres] [--latency-ms 20] [--json]

The exit status is 0 when every run kept the guarantee, 1 when one did not or the drill
itself failed (the burst or the drain did not finish in time), 2 for bad arguments.
`--dispatcher` is the child the drill starts and kills: it reads its settings from the
environment (DATABASE_URL, TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, WORKER_ID, …).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

if __package__ in (None, ""):  # run as `python benchmarks/push_crash.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_runtime
from bot.clock import SystemClock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import OutboxMessage, OutboxStatus
from bot.dispatcher import DEFAULT_CONCURRENCY, Pacing
from bot.domain.events import ProposalExpired
from bot.domain.pacing import SendPacer
from bot.logging_setup import configure_logging
from bot.services.outbox import enqueue
from bot.settings import load_settings
from sandbox import SandboxServer, SandboxState

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 10
DEFAULT_PUSHES = 1000
DEFAULT_LATENCY_MS = 20
DRILL_LEASE_SECONDS = 600  # far beyond TIMEOUT_SECONDS: only taking claims back drains in time
TIMEOUT_SECONDS = 120.0
DRAIN_POLL_SECONDS = 0.2
FIRST_CHAT = 700_000
PUSH = {"proposal_id": 1, "title": "공원 가로등 설치", "count": 12, "threshold": 50}
# Telegram's rate limits are not what this drill is about: pace as fast as the sends go.
UNPACED = {"global_per_second": 1_000_000, "private_interval": 0.0, "group_per_minute": 1_000_000}


class DrillError(RuntimeError):
    """The drill could not run to the end (it says which step did not finish)."""


@dataclass(frozen=True)
class KillOutcome:
    """One kill in the middle of a burst, and what the chats received in the end."""

    pushes: int
    concurrency: int
    kill_after: int  # sendMessage calls the sandbox had received when the kill was sent
    pending_at_kill: int  # pushes not yet marked sent when the process was dead
    claimed_at_kill: int  # of those, the ones the dead process held (its sends in flight)
    sent_rows: int  # rows marked sent once the restarted process had drained the outbox
    lost: int
    repeated: int


@dataclass
class Totals:
    concurrency: int
    runs: list[KillOutcome] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return sum(run.lost for run in self.runs)

    @property
    def repeated(self) -> int:
        return sum(run.repeated for run in self.runs)

    @property
    def kept(self) -> bool:
        """Nothing lost, and no kill repeated more pushes than one process sends at once."""
        return self.lost == 0 and all(run.repeated <= run.concurrency for run in self.runs)


async def kill_and_restart(
    database_url: str,
    server: SandboxServer,
    *,
    pushes: int = DEFAULT_PUSHES,
    kill_after: int,
    concurrency: int = DEFAULT_CONCURRENCY,
    latency: float = DEFAULT_LATENCY_MS / 1000,
    first_chat: int = FIRST_CHAT,
    worker_id: str = "push-crash-drill",
) -> KillOutcome:
    """Queue `pushes` pushes, kill the dispatcher process after `kill_after` sendMessage
    calls, restart it, let it drain the outbox, and count what each chat received."""
    if not 0 < kill_after < pushes:
        raise ValueError("kill_after must fall inside the burst")
    state = server.state
    state.slow_down("sendMessage", latency)
    chats = list(range(first_chat, first_chat + pushes))
    engine = create_engine(database_url)
    try:
        outbox = create_sessionmaker(engine)
        await seed_pushes(outbox, state, chats)
        environment = child_environment(database_url, server, worker_id, concurrency)
        received = SendCounter(state)

        async with dispatcher_process(environment) as first:
            if not await first.alive_until(
                state.wait_until(lambda: received() >= kill_after, TIMEOUT_SECONDS)
            ):
                raise DrillError(f"the burst never reached {kill_after} sends"
                                 f"{first.last_words()}")
            first.kill()
            await first.wait()
        pending_at_kill, claimed_at_kill = await unsent(outbox)

        async with dispatcher_process(environment) as second:
            if not await second.alive_until(drained(outbox)):
                raise DrillError(f"the restarted dispatcher did not drain the outbox within "
                                 f"{TIMEOUT_SECONDS:.0f} s{second.last_words()}")
            await second.stop()
        sent = await sent_rows(outbox, chats)
    finally:
        await engine.dispose()
    received_per_chat = deliveries(state, chats)
    return KillOutcome(
        pushes=pushes,
        concurrency=concurrency,
        kill_after=kill_after,
        pending_at_kill=pending_at_kill,
        claimed_at_kill=claimed_at_kill,
        sent_rows=sent,
        lost=sum(1 for chat in chats if received_per_chat[chat] == 0),
        repeated=sum(1 for chat in chats if received_per_chat[chat] > 1),
    )


async def seed_pushes(
    outbox: async_sessionmaker[AsyncSession], state: SandboxState, chats: Sequence[int]
) -> None:
    """One urgent, due push per chat, each chat a resident the sandbox knows."""
    for chat in chats:
        state.add_user(chat, f"주민{chat}")
    now = SystemClock().now()
    async with outbox() as session, session.begin():
        for chat in chats:
            notice = ProposalExpired(**PUSH, key=f"drill-{chat}", urgent=True)
            await enqueue(session, chat_id=chat, notice=notice, now=now)


async def unsent(outbox: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Pending pushes, and how many of them carry a claim."""
    async with outbox() as session:
        pending = await session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        claimed = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.claim_token.is_not(None),
            )
        )
    return int(pending or 0), int(claimed or 0)


async def drained(outbox: async_sessionmaker[AsyncSession]) -> bool:
    """Wait until no push is pending (the database says so, not the sandbox: a push marked
    sent that never arrived must show up as lost)."""
    while (await unsent(outbox))[0]:  # noqa: ASYNC110 (only the database can tell)
        await asyncio.sleep(DRAIN_POLL_SECONDS)
    return True


async def sent_rows(outbox: async_sessionmaker[AsyncSession], chats: Sequence[int]) -> int:
    async with outbox() as session:
        count = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.chat_id.between(chats[0], chats[-1]),
            )
        )
    return int(count or 0)


def deliveries(state: SandboxState, chats: Sequence[int]) -> Counter[int]:
    """How many messages from the bot each chat holds."""
    return Counter({
        chat: sum(1 for message in state.chats[chat].messages
                  if message.sender_id == state.bot.id)
        for chat in chats
    })


class SendCounter:
    """sendMessage calls the sandbox received since this counter was made, counted
    incrementally (it is asked after every change of the sandbox)."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._seen = len(state.calls)
        self._count = 0

    def __call__(self) -> int:
        calls = self._state.calls
        self._count += sum(1 for call in calls[self._seen:] if call.method == "sendMessage")
        self._seen = len(calls)
        return self._count


def child_environment(
    database_url: str, server: SandboxServer, worker_id: str, concurrency: int
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": server.state.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "SECRET_KEY": "drill-" + "x" * 40,
        "CONTACT_KEY": "drill-contacts-" + "c" * 40,
        "WORKER_ID": worker_id,
        "OUTBOX_CONCURRENCY": str(concurrency),
        "OUTBOX_LEASE_SECONDS": str(DRILL_LEASE_SECONDS),
        "LOG_LEVEL": "WARNING",
    }


class DispatcherProcess:
    """A running `--dispatcher` child and the file its log goes to."""

    def __init__(self, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
        self._process = process
        self._log = log

    async def alive_until(self, condition: Coroutine[Any, Any, bool]) -> bool:
        """Wait for `condition`; False when it fails, when TIMEOUT_SECONDS run out, or when
        the process exits first."""
        reached = asyncio.create_task(asyncio.wait_for(condition, TIMEOUT_SECONDS))
        exited = asyncio.create_task(self._process.wait())
        done, _ = await asyncio.wait({reached, exited}, return_when=asyncio.FIRST_COMPLETED)
        for task in (reached, exited):
            task.cancel()
        if reached not in done:
            return False
        try:
            return reached.result()
        except TimeoutError:
            return False

    def kill(self) -> None:
        self._process.kill()

    async def wait(self) -> int:
        return await self._process.wait()

    async def stop(self) -> None:
        """SIGTERM: the dispatcher finishes the sends in flight, marks them, and exits."""
        self._process.terminate()
        if await self._process.wait() != 0:
            raise DrillError(f"the dispatcher did not stop cleanly{self.last_words()}")

    def last_words(self) -> str:
        self._log.seek(0)
        tail = self._log.read().decode(errors="replace")[-2000:]
        return f"; its log ends with:\n{tail}" if tail else ""


@asynccontextmanager
async def dispatcher_process(environment: dict[str, str]) -> AsyncIterator[DispatcherProcess]:
    """Start the child; on the way out it is killed if it still runs."""
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.push_crash", "--dispatcher",
            cwd=REPOSITORY, env=environment, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )
        try:
            yield DispatcherProcess(process, log)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def run_dispatcher_only(pacing: Pacing | None = None) -> None:
    """The child: the real runtime's Telegram outbox dispatcher alone, until SIGTERM (paced
    by `pacing`, default: the settings' send budget)."""
    settings = load_settings(env_file=None)
    configure_logging(settings.log_level)
    runtime = build_runtime(settings, pacing=pacing)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await runtime.bot.initialize()
    runtime.dispatcher.start()
    try:
        await stop.wait()
    finally:
        await runtime.dispatcher.stop()
        await runtime.bot.shutdown()
        await runtime.engine.dispose()


# ----- the measurement ---------------------------------------------------------------------


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'push_crash.sqlite3'}"
        await migrate(url)
        yield url


class DatabaseUnavailable(RuntimeError):
    """The backend cannot be measured here (no PostgreSQL server answers)."""


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    import pytest

    from tests.support.databases import create_postgres_database, drop_postgres_database

    try:
        url = await asyncio.to_thread(create_postgres_database)
    except pytest.skip.Exception as skipped:  # how the test helper says "no server"
        raise DatabaseUnavailable(str(skipped)) from None
    try:
        await migrate(url)
        yield url
    finally:
        await asyncio.to_thread(drop_postgres_database, url)


DATABASES = {"sqlite": sqlite_database, "postgres": postgres_database}


async def migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def measure(
    backend: str, runs: int, pushes: int, concurrency: int, latency: float, chooser: random.Random
) -> Totals:
    totals = Totals(concurrency)
    async with DATABASES[backend]() as url:
        for run in range(runs):
            async with SandboxServer(SandboxState()) as server:
                outcome = await kill_and_restart(
                    url, server, pushes=pushes, concurrency=concurrency, latency=latency,
                    kill_after=chooser.randint(max(1, pushes // 20), pushes - pushes // 20 - 1),
                    first_chat=FIRST_CHAT + run * pushes,
                )
            totals.runs.append(outcome)
            log(f"{backend} run {run + 1}: killed after {outcome.kill_after} sends, "
                f"{outcome.claimed_at_kill} claimed at the kill, lost {outcome.lost}, "
                f"repeated {outcome.repeated}")
    return totals


def table(backend: str, totals: Totals) -> str:
    lines = [f"{backend}: {len(totals.runs)} kills during a {totals.runs[0].pushes}-push burst, "
             f"concurrency {totals.concurrency}",
             "  run  killed after  claimed at kill  lost  repeated"]
    for number, run in enumerate(totals.runs, 1):
        lines.append(f"  {number:>3}  {run.kill_after:>12}  {run.claimed_at_kill:>15}  "
                     f"{run.lost:>4}  {run.repeated:>8}")
    lines.append(f"  total lost {totals.lost}, repeated {totals.repeated} "
                 f"(at most {totals.concurrency} per kill allowed): "
                 f"{'KEPT' if totals.kept else 'BROKEN'}")
    return "\n".join(lines)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.push_crash",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="kills per backend")
    parser.add_argument("--pushes", type=int, default=DEFAULT_PUSHES, help="pushes per burst")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--latency-ms", type=float, default=DEFAULT_LATENCY_MS,
                        help="how late the sandbox answers each sendMessage")
    parser.add_argument("--seed", type=int, default=None, help="for the kill points")
    parser.add_argument("--json", action="store_true", help="one JSON line instead of tables")
    parser.add_argument("--dispatcher", action="store_true",
                        help="run one dispatcher-only process (the drill's child)")
    args = parser.parse_args(argv)
    backends = [name for name in args.backends.split(",") if name]
    if args.runs < 1 or args.pushes < 20 or not 1 <= args.concurrency <= 100:
        parser.error("--runs must be ≥ 1, --pushes ≥ 20, --concurrency 1..100")
    if not backends or any(name not in DATABASES for name in backends):
        parser.error(f"--backends takes a comma-separated list of {', '.join(DATABASES)}")
    args.backend_list = backends
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.dispatcher:
        asyncio.run(run_dispatcher_only(Pacing(pacer=SendPacer(**UNPACED))))
        return 0
    chooser = random.Random(args.seed)
    results: dict[str, Totals] = {}
    for backend in args.backend_list:
        try:
            results[backend] = asyncio.run(measure(
                backend, args.runs, args.pushes, args.concurrency, args.latency_ms / 1000, chooser
            ))
        except DatabaseUnavailable as error:
            log(f"{backend}: skipped ({error})")
        except DrillError as error:
            log(f"{backend}: the drill failed: {error}")
            return 1
    if args.json:
        print(json.dumps({
            backend: {"concurrency": totals.concurrency, "lost": totals.lost,
                      "repeated": totals.repeated, "kept": totals.kept,
                      "runs": [asdict(run) for run in totals.runs]}
            for backend, totals in results.items()
        }))
    else:
        print("\n\n".join(table(backend, totals) for backend, totals in results.items()))
    return 0 if all(totals.kept for totals in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
