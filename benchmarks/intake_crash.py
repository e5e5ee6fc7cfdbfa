"""Kill -9 in the middle of a burst of updates: is any acknowledged update lost or doubled?

A real bot process (`python -m bot run` or `python -m bot serve`) is started against the
sandbox Bot API server and sent a burst of updates: each of `--updates` residents sends one
wrong `/verify` code, an update whose effect is one row (a counted failure) and one reply.
When the sandbox has seen a random number of replies, the process gets SIGKILL; it is then
started again and left to finish. Every resident must end with exactly one failure row.

- `run` (long polling): the sandbox keeps an update until a later getUpdates confirms it.
- `serve` (webhook): this script plays Telegram, POSTing each update to the webhook (a few
  at a time) and POSTing again, after the restart, every update that did not get its 200.

Printed per run: updates acknowledged before the kill, lost (no effect), doubled (two
effects), and the one update in flight at the kill: its reply may be missing (the kill came
between the effect's commit and the reply) or repeated (between the reply and the "handled"
mark of an update whose handler only replies). The goal is 0 lost and 0 doubled.

    python -m benchmarks.intake_crash [--mode run|serve|both] [--runs 20] [--updates 50]
        [--backend sqlite|postgres] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from benchmarks.push_crash import DATABASES, DatabaseUnavailable
from bot.db.engine import create_engine
from bot.db.models import InboundUpdate, User, VerificationFailure
from bot.settings import SANDBOX_TOKEN
from sandbox import SandboxClient, SandboxServer, SandboxState

WEBHOOK_SECRET = "crash-test-webhook-secret"
WRONG_CODE = "/verify ABCD-EFGH"
POSTS_IN_FLIGHT = 4  # Telegram sends a webhook several updates at once (max_connections)
PATIENCE = 30.0  # seconds to wait for a condition before the run is declared failed


@dataclass(frozen=True)
class BurstResult:
    mode: str
    updates: int
    killed_after_replies: int
    acknowledged_before_kill: int
    lost: int
    doubled: int
    replies_missing: int  # the effect happened, its reply was being sent at the kill
    replies_repeated: int  # the reply was sent, the kill came before the update was marked


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(
    mode: str, database_url: str, api_base_url: str, port: int
) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "ADMIN_", "MODERATOR_", "PUBLIC_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN,
        TELEGRAM_API_BASE_URL=api_base_url,
        DATABASE_URL=database_url,
        SECRET_KEY="crash-test-" + "k" * 40,
        CONTACT_KEY="crash-test-contacts-" + "c" * 40,
        HOST="127.0.0.1",
        PORT=str(port),
        WORKER_ID="crash-test",
        LOG_LEVEL="WARNING",
    )
    if mode == "serve":
        env.update(WEBHOOK_SECRET=WEBHOOK_SECRET, PUBLIC_BASE_URL="https://gonggam.test")
    return env


def message_update(update_id: int, user_id: int) -> dict[str, Any]:
    """A private `/verify` message exactly as Telegram would post it."""
    person = {
        "id": user_id, "is_bot": False, "first_name": f"주민{user_id}", "language_code": "ko"
    }
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1764000000, "text": WRONG_CODE,
            "chat": {"id": user_id, "type": "private", "first_name": person["first_name"]},
            "from": person,
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }


class BotProcess:
    """`python -m bot <mode>` as a child process, with its output kept for a failure report."""

    def __init__(self, mode: str, env: dict[str, str], workdir: Path) -> None:
        self.mode, self.env, self.workdir = mode, env, workdir
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", self.mode, env=self.env, cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), PATIENCE)
        except TimeoutError:
            await self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class Webhook:
    """Plays Telegram for `serve`: POSTs updates, remembering which got their 200."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/telegram/webhook"
        self.acknowledged: set[int] = set()

    async def wait_until_listening(self, bot: BotProcess) -> None:
        async with aiohttp.ClientSession() as http:
            for _ in range(int(PATIENCE * 20)):
                if bot.process is not None and bot.process.returncode is not None:
                    raise RuntimeError("the bot exited:\n" + bot.output())
                try:
                    async with http.get(self.url.replace("/telegram/webhook", "/healthz")):
                        return
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        raise RuntimeError("the bot never listened:\n" + bot.output())

    async def post_all(self, updates: list[dict[str, Any]]) -> None:
        """POST each update not yet acknowledged, a few at a time; errors are left for a
        later call (as Telegram retries an update until it gets a 2xx)."""
        waiting = [u for u in updates if u["update_id"] not in self.acknowledged]
        semaphore = asyncio.Semaphore(POSTS_IN_FLIGHT)
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with aiohttp.ClientSession() as http:

            async def post(update: dict[str, Any]) -> None:
                async with semaphore:
                    try:
                        async with http.post(self.url, json=update, headers=headers) as answer:
                            if answer.status == 200:
                                self.acknowledged.add(update["update_id"])
                    except (TimeoutError, aiohttp.ClientError):
                        pass

            await asyncio.gather(*(post(update) for update in waiting))


async def kill_during_burst(
    mode: str, database_url: str, *, updates: int, kill_after: int, first_user: int
) -> BurstResult:
    """One run: a burst, a SIGKILL after `kill_after` replies, a restart, then the count."""
    state = SandboxState()
    residents = SandboxClient(state)
    user_ids = list(range(first_user, first_user + updates))
    for user_id in user_ids:
        residents.resident(user_id, f"주민{user_id}")
    with tempfile.TemporaryDirectory(prefix="gonggam-crash-") as directory:
        async with SandboxServer(state) as server:
            port = free_port()
            bot = BotProcess(mode, bot_environment(mode, database_url, server.base_url, port),
                             Path(directory))
            webhook = Webhook(port)
            burst = [message_update(first_user * 10 + i, uid) for i, uid in enumerate(user_ids)]

            def replies() -> int:
                return sum(len(residents.resident(uid).inbox()) for uid in user_ids)

            await bot.start()
            posting = await _send_burst(mode, state, webhook, bot, burst)
            if not await state.wait_until(lambda: replies() >= kill_after, PATIENCE):
                raise RuntimeError(f"{replies()} replies before the kill:\n" + bot.output())
            await bot.kill()
            acknowledged = _acknowledged(mode, state, webhook, burst)
            if posting is not None:
                await posting
            await bot.start()
            try:
                if mode == "serve":
                    await webhook.wait_until_listening(bot)
                    await webhook.post_all(burst)
                # A lost update never has its effect: waiting ends at PATIENCE and the
                # count below reports it. The last replies may still be on their way.
                await _wait_until_all_handled(database_url, user_ids)
                await state.wait_until(
                    lambda: all(residents.resident(uid).inbox() for uid in user_ids), 5.0
                )
            finally:
                await bot.stop()
            effects = await _effects_per_resident(database_url, user_ids)
            if not all(count == 1 for count in effects.values()):
                print("the bot's output in that run:\n" + bot.output(), file=sys.stderr)
    return BurstResult(
        mode=mode,
        updates=updates,
        killed_after_replies=kill_after,
        acknowledged_before_kill=acknowledged,
        lost=sum(1 for count in effects.values() if count == 0),
        doubled=sum(1 for count in effects.values() if count > 1),
        replies_missing=sum(1 for uid in user_ids if not residents.resident(uid).inbox()),
        replies_repeated=sum(max(0, len(residents.resident(uid).inbox()) - 1) for uid in user_ids),
    )


async def _send_burst(
    mode: str, state: SandboxState, webhook: Webhook, bot: BotProcess,
    burst: list[dict[str, Any]],
) -> asyncio.Task[None] | None:
    if mode == "run":
        for update in burst:
            state.push_update(update)
        return None
    await webhook.wait_until_listening(bot)
    return asyncio.create_task(webhook.post_all(burst))


def _acknowledged(
    mode: str, state: SandboxState, webhook: Webhook, burst: list[dict[str, Any]]
) -> int:
    """Updates Telegram was told about: a 200, or (polling) an offset moved past them."""
    if mode == "serve":
        return len(webhook.acknowledged)
    kept = {update["update_id"] for update in state.updates}
    return sum(1 for update in burst if update["update_id"] not in kept)


async def _wait_until_all_handled(database_url: str, user_ids: list[int]) -> None:
    """Until every resident's update had its effect and no stored update waits (or
    PATIENCE ran out: what is missing then counts as lost)."""
    for _ in range(int(PATIENCE * 20)):
        effects = await _effects_per_resident(database_url, user_ids)
        if all(effects.values()) and not await _pending_updates(database_url):
            return
        await asyncio.sleep(0.05)


async def _pending_updates(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            pending = await connection.scalar(
                select(func.count()).select_from(InboundUpdate)
                .where(InboundUpdate.handled_at.is_(None))
            )
    finally:
        await engine.dispose()
    return int(pending or 0)


async def _effects_per_resident(database_url: str, user_ids: list[int]) -> dict[int, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(User.telegram_id, func.count(VerificationFailure.id))
                .select_from(User)
                .outerjoin(VerificationFailure, VerificationFailure.user_id == User.id)
                .where(User.telegram_id.in_(user_ids))
                .group_by(User.telegram_id)
            )
            counted = {row[0]: int(row[1]) for row in rows}
    finally:
        await engine.dispose()
    return {user_id: counted.get(user_id, 0) for user_id in user_ids}


async def measure(args: argparse.Namespace) -> list[BurstResult]:
    modes = ("run", "serve") if args.mode == "both" else (args.mode,)
    results: list[BurstResult] = []
    async with DATABASES[args.backend]() as url:
        rng = random.Random(args.seed)
        for mode in modes:
            for run in range(args.runs):
                first_user = 100_000 + (len(results) + 1) * 1_000
                kill_after = rng.randint(1, args.updates - 1)
                result = await kill_during_burst(
                    mode, url, updates=args.updates, kill_after=kill_after,
                    first_user=first_user,
                )
                results.append(result)
                if not args.json:
                    print(f"{mode:5} run {run + 1:2}: killed after {kill_after:2} replies, "
                          f"{result.acknowledged_before_kill:2} acknowledged — lost "
                          f"{result.lost}, doubled {result.doubled}, replies missing "
                          f"{result.replies_missing}, repeated {result.replies_repeated}",
                          flush=True)
    return results


def summary(results: list[BurstResult]) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = {}
    for result in results:
        total = totals.setdefault(
            result.mode, {"runs": 0, "updates": 0, "lost": 0, "doubled": 0, "replies_missing": 0,
             "replies_repeated": 0}
        )
        total["runs"] += 1
        total["updates"] += result.updates
        total["lost"] += result.lost
        total["doubled"] += result.doubled
        total["replies_missing"] += result.replies_missing
        total["replies_repeated"] += result.replies_repeated
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("run", "serve", "both"), default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--backend", choices=tuple(DATABASES), default="sqlite")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        results = asyncio.run(measure(args))
    except DatabaseUnavailable as error:
        print(f"cannot measure on {args.backend}: {error}", file=sys.stderr)
        return 1
    totals = summary(results)
    if args.json:
        print(json.dumps({"runs": [asdict(r) for r in results], "totals": totals}, indent=2))
    else:
        for mode, total in totals.items():
            print(f"{mode}: {total['runs']} kills, {total['updates']} updates — lost "
                  f"{total['lost']}, doubled {total['doubled']}, replies missing "
                  f"{total['replies_missing']}, repeated {total['replies_repeated']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
