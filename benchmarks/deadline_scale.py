"""Deadlines at city scale: a start with 100,000 open deadlines, 5,000 of them overdue.

What is measured, per backend (SQLite, PostgreSQL) and run:

- **first reply**: seconds from starting the bot process (the real runtime, long polling, as
  `python -m bot run` builds it) until the sandbox holds its answer to a resident's `/start`,
  sent the moment the process starts. The baseline is the same start on an empty database;
  the ratio loaded / empty is the figure (goal ≤ 2.0).
- **replies during the catch-up**: while the bot works through the overdue deadlines, a new
  resident says `/start` every `--probe-every` seconds; the slowest reply (goal ≤ 2 s).
- **event-loop lag**: the child process measures, every 50 ms, how late its event loop
  wakes; the worst lag from the end of its start (the catch-up begins then) to its stop
  (goal ≤ 100 ms).
- **catch-up throughput**: overdue transitions per second (the first to the last seen), as a
  ratio of a plain guarded `UPDATE … SET status = 'expired' WHERE id = ? AND status =
  'collecting'` of the same rows, one transaction each, on the same database afterwards.
- **exactly once**: every overdue proposal has exactly one `expired` history row.
- **memory**: the bot process's resident set (VmRSS) after the catch-up, and its peak
  (VmHWM), in MB, against the same process on the empty database (goal: 250 MB at 100,000
  open proposals); and apart, the Korean analyser's process (bot/morphology.py), whose size
  is the model's whatever the data.

The load: `--users` residents author `--proposals` collecting proposals; `--overdue` of them
ended up to three days ago; the rest end within 30 days and carry their halfway and (for
half) closing-soon reminders, so about 2.5 deadlines per proposal wait. Each author follows
their proposal, so each expiry writes its history row and an outbox row.

    python -m benchmarks.deadline_scale [--runs 3] [--proposals 100000] [--overdue 5000]
                                        [--backends sqlite,postgres] [--json]

The exit status is 0 whatever the figures; it is 1 when the benchmark itself failed (a reply
never came, the catch-up did not finish) or a transition happened other than exactly once.
`--child` is the bot process the benchmark starts: it reads its settings from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python benchmarks/deadline_scale.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.push_crash import DATABASES, DatabaseUnavailable
from bot.app import Mode, build_runtime
from bot.db.engine import create_engine, reading
from bot.db.models import Proposal, ProposalEvent, Subscription, User
from bot.domain.lifecycle import ProposalStatus
from bot.logging_setup import configure_logging
from bot.morphology import analyser_process
from bot.settings import load_settings
from sandbox import SandboxClient, SandboxServer, SandboxState

REPOSITORY = Path(__file__).resolve().parent.parent
TOKEN = "123456:deadline-scale"
FIRST_REPLY_TIMEOUT = 180.0
CATCH_UP_TIMEOUT = 900.0
LAG_TICK = 0.05
SEED_CHUNK = 5_000
FIRST_RESIDENT = 900_000


@dataclass
class Start:
    """One start of the bot process and what it showed."""

    first_reply_s: float
    slowest_reply_s: float = 0.0
    replies: int = 0
    max_lag_ms: float = 0.0
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    analyser_rss_mb: float = 0.0
    catch_up_s: float = 0.0
    transitions_per_s: float = 0.0


@dataclass
class Run:
    backend: str
    empty: Start
    loaded: Start
    plain_updates_per_s: float
    expired_once: bool

    @property
    def first_reply_ratio(self) -> float:
        return self.loaded.first_reply_s / self.empty.first_reply_s

    @property
    def throughput_ratio(self) -> float:
        return self.loaded.transitions_per_s / self.plain_updates_per_s


@dataclass
class Load:
    proposals: int
    overdue: int
    users: int
    probe_every: float = 0.5
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


# ----- the child: the bot process ------------------------------------------------------------


async def run_child() -> None:
    """The real runtime in polling mode, plus a lag meter; its figures go to stdout at exit."""
    settings = load_settings(env_file=None)
    configure_logging(settings.log_level)
    runtime = build_runtime(settings)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    worst_lag = [0.0]
    await runtime.start(Mode.POLLING, serve_web=False)  # the catch-up begins right after
    meter = asyncio.create_task(_measure_lag(worst_lag))
    try:
        await stop.wait()
    finally:
        meter.cancel()  # the lag of serving and catching up, not of stopping
        await runtime.stop()
    analyser_rss, _ = _memory_mb(str(analyser_process().pid))
    rss, peak = _memory_mb()
    print(json.dumps({"max_lag_ms": worst_lag[0] * 1000, "rss_mb": rss, "peak_rss_mb": peak,
                      "analyser_rss_mb": analyser_rss}), flush=True)


async def _measure_lag(worst: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(LAG_TICK)
        worst[0] = max(worst[0], loop.time() - before - LAG_TICK)


def _memory_mb(process: str = "self") -> tuple[float, float]:
    status = Path(f"/proc/{process}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


# ----- the load ------------------------------------------------------------------------------


async def seed(engine: AsyncEngine, load: Load) -> list[int]:
    """Residents, proposals and follows in bulk; returns the overdue proposals' ids."""
    chooser = random.Random(16)
    async with engine.begin() as connection:
        await connection.execute(insert(User), [
            {"telegram_id": 100_000 + n, "language": "ko", "role": "resident",
             "created_at": load.now, "last_seen_at": load.now} for n in range(load.users)])
        first_user = await connection.scalar(select(func.min(User.id)))
    assert first_user is not None
    rows = [_proposal(n, first_user + n % load.users, load, chooser)
            for n in range(load.proposals)]
    for start in range(0, len(rows), SEED_CHUNK):
        async with engine.begin() as connection:
            await connection.execute(insert(Proposal), rows[start:start + SEED_CHUNK])
    async with engine.begin() as connection:
        await connection.execute(
            insert(Subscription).from_select(
                ["user_id", "proposal_id", "muted", "created_at"],
                select(Proposal.author_id, Proposal.id, False, Proposal.created_at)))
        overdue = await connection.scalars(
            select(Proposal.id).where(Proposal.collect_until <= load.now))
        return list(overdue)


def _proposal(n: int, author: int, load: Load, chooser: random.Random) -> dict[str, Any]:
    overdue = n % (load.proposals // load.overdue) == 0 if load.overdue else False
    if overdue:
        ends = load.now - timedelta(minutes=chooser.uniform(1, 3 * 24 * 60))
        created = ends - timedelta(days=30)
    else:
        ends = load.now + timedelta(minutes=chooser.uniform(60, 30 * 24 * 60))
        created = ends - timedelta(days=30)
    halfway = ends - timedelta(days=15)
    return {
        "author_id": author, "title": f"제안 {n}", "problem": "밤길이 어두워요.",
        "solution": "가로등을 설치해 주세요.", "effect": "안전해져요.",
        "status": ProposalStatus.COLLECTING, "hidden": False, "endorsement_count": 0,
        "flagged": False, "dissatisfaction_flagged": False,
        "created_at": created, "published_at": created, "collect_until": ends,
        "halfway_at": halfway if halfway > load.now and not overdue else None,
        "closing_soon_at": (ends - timedelta(days=3)
                            if n % 2 and ends - timedelta(days=3) > load.now else None),
    }


async def expired_counts(engine: AsyncEngine) -> tuple[int, int]:
    """(proposals expired, proposals with more than one expiry in their history); read
    without taking SQLite's write lock, so the measurement does not compete with the bot."""
    async with reading(engine).connect() as connection:
        expired = await connection.scalar(select(func.count()).where(
            ProposalEvent.to_status == ProposalStatus.EXPIRED))
        repeated = await connection.scalar(select(func.count()).select_from(
            select(ProposalEvent.proposal_id)
            .where(ProposalEvent.to_status == ProposalStatus.EXPIRED)
            .group_by(ProposalEvent.proposal_id).having(func.count() > 1).subquery()))
    return int(expired or 0), int(repeated or 0)


async def plain_updates_per_second(engine: AsyncEngine, ids: list[int], now: datetime) -> float:
    """The same rows back to collecting, then expired by a bare guarded UPDATE each."""
    async with engine.begin() as connection:
        await connection.execute(update(Proposal).where(Proposal.id.in_(ids))
                                 .values(status=ProposalStatus.COLLECTING))
    started = time.perf_counter()
    for proposal_id in ids:
        async with engine.begin() as connection:
            await connection.execute(
                update(Proposal)
                .where(Proposal.id == proposal_id, Proposal.status == ProposalStatus.COLLECTING,
                       Proposal.collect_until <= now)
                .values(status=ProposalStatus.EXPIRED))
    return len(ids) / (time.perf_counter() - started)


# ----- one start -----------------------------------------------------------------------------


def child_environment(database_url: str, server: SandboxServer) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url, "SECRET_KEY": "scale-" + "x" * 40,
            "CONTACT_KEY": "scale-contacts-" + "c" * 40, "WORKER_ID": "scale",
            "LOG_LEVEL": "WARNING"}


async def measure_start(url: str, load: Load, overdue: int) -> Start:
    """Start the bot, time its first reply, probe replies while `overdue` expire, stop it."""
    engine = create_engine(url)
    async with SandboxServer(SandboxState(token=TOKEN)) as server:
        residents = SandboxClient(server.state)
        with tempfile.TemporaryFile() as log:
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.deadline_scale", "--child", cwd=REPOSITORY,
                env=child_environment(url, server), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=log)
            try:
                await _timed_start(residents, FIRST_RESIDENT, FIRST_REPLY_TIMEOUT)
                start = Start(first_reply_s=time.perf_counter() - started)
                if overdue:
                    await _catch_up(engine, residents, load, overdue, start)
                process.terminate()
                out, _ = await asyncio.wait_for(process.communicate(), 60)
            except BaseException:
                if process.returncode is None:
                    process.kill()
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-3000:])
                raise
    await engine.dispose()
    figures = json.loads(out.decode().strip().splitlines()[-1])
    start.max_lag_ms, start.rss_mb = figures["max_lag_ms"], figures["rss_mb"]
    start.peak_rss_mb, start.analyser_rss_mb = figures["peak_rss_mb"], figures["analyser_rss_mb"]
    return start


async def _timed_start(residents: SandboxClient, user_id: int, limit: float) -> float:
    resident = residents.resident(user_id, "주민")
    said = time.perf_counter()
    await resident.say("/start")
    await resident.wait_for_message(timeout=limit)
    return time.perf_counter() - said


async def _catch_up(
    engine: AsyncEngine, residents: SandboxClient, load: Load, overdue: int, start: Start
) -> None:
    """Poll the expired count until every overdue proposal expired; meanwhile a new resident
    says /start every `probe_every` seconds and the slowest reply is kept."""
    latencies: list[float] = []
    probes = asyncio.create_task(_probe_replies(residents, load.probe_every, latencies))
    first_seen: float | None = None
    deadline = time.perf_counter() + CATCH_UP_TIMEOUT
    try:
        while True:
            expired, _ = await expired_counts(engine)
            now = time.perf_counter()
            if expired and first_seen is None:
                first_seen = now
            if expired >= overdue and latencies:  # at least one reply measured meanwhile
                break
            if now > deadline:
                raise TimeoutError(f"only {expired} of {overdue} expired in time")
            await asyncio.sleep(0.2)
    finally:
        probes.cancel()
    assert first_seen is not None
    start.catch_up_s = max(now - first_seen, 1e-3)
    start.transitions_per_s = overdue / start.catch_up_s
    start.slowest_reply_s = max(latencies, default=0.0)
    start.replies = len(latencies)


async def _probe_replies(residents: SandboxClient, every: float, latencies: list[float]) -> None:
    user_id = FIRST_RESIDENT + 1
    while True:
        latencies.append(await _timed_start(residents, user_id, 60.0))
        user_id += 1
        await asyncio.sleep(every)


# ----- runs and the report -------------------------------------------------------------------


async def measure_run(backend: str, load: Load) -> Run:
    async with DATABASES[backend]() as url:
        empty = await measure_start(url, load, overdue=0)
    async with DATABASES[backend]() as url:
        engine = create_engine(url)
        try:
            load.now = datetime.now(UTC)
            overdue_ids = await seed(engine, load)
            loaded = await measure_start(url, load, overdue=len(overdue_ids))
            expired, repeated = await expired_counts(engine)
            plain = await plain_updates_per_second(engine, overdue_ids, datetime.now(UTC))
        finally:
            await engine.dispose()
    return Run(backend, empty, loaded, plain, expired == len(overdue_ids) and repeated == 0)


def report(runs: list[Run]) -> str:
    lines = []
    for run in runs:
        lines.append(
            f"{run.backend:8} first reply {run.loaded.first_reply_s:5.2f} s vs empty "
            f"{run.empty.first_reply_s:5.2f} s → ratio {run.first_reply_ratio:.2f} (goal ≤ 2.0) | "
            f"catch-up {run.loaded.transitions_per_s:6.1f}/s vs plain UPDATE "
            f"{run.plain_updates_per_s:6.1f}/s → {run.throughput_ratio:.2f} | slowest reply "
            f"{run.loaded.slowest_reply_s:.2f} s of {run.loaded.replies} (goal ≤ 2 s) | "
            f"max loop lag {run.loaded.max_lag_ms:.0f} ms (goal ≤ 100) | RSS "
            f"{run.loaded.rss_mb:.0f} MB, peak {run.loaded.peak_rss_mb:.0f} MB (goal ≤ 250) "
            f"vs empty {run.empty.peak_rss_mb:.0f} MB, analyser process "
            f"{run.loaded.analyser_rss_mb:.0f} MB | exactly once: {run.expired_once}")
    for backend in sorted({run.backend for run in runs}):
        mine = [run for run in runs if run.backend == backend]
        lines.append(f"{backend:8} median first-reply ratio "
                     f"{statistics.median(r.first_reply_ratio for r in mine):.2f}, median "
                     f"throughput ratio {statistics.median(r.throughput_ratio for r in mine):.2f}")
    return "\n".join(lines)


async def main(arguments: argparse.Namespace) -> int:
    load = Load(arguments.proposals, arguments.overdue, arguments.users, arguments.probe_every)
    runs: list[Run] = []
    for _ in range(arguments.runs):
        for backend in arguments.backends.split(","):
            try:
                runs.append(await measure_run(backend, load))
            except DatabaseUnavailable as missing:
                print(f"{backend}: not measured ({missing})", file=sys.stderr)
    if arguments.json:
        print(json.dumps([asdict(run) | {"first_reply_ratio": run.first_reply_ratio,
                                          "throughput_ratio": run.throughput_ratio}
                          for run in runs], indent=2))
    else:
        print(report(runs))
    return 0 if all(run.expired_once for run in runs) else 1


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--probe-every", type=float, default=0.5)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(argv: list[str], entry: Callable[[argparse.Namespace], Awaitable[int]] = main) -> int:
    arguments = parse(argv)
    if arguments.child:
        asyncio.run(run_child())
        return 0
    return asyncio.run(entry(arguments))


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
