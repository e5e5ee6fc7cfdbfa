"""How long `python -m bot run` (long polling) takes to stop after SIGTERM.

The bot is started against the sandbox Bot API server and left idle in its long poll
(`getUpdates` with a 10-second timeout), then sent SIGTERM; the figure is the time until
the process has exited. The baseline, measured in the same run, is the same process
stopped the same way right after a SIGTERM to `python -c` that imports the bot (the cost
of a Python process exiting with these modules loaded), so the ratio shows what stopping
itself costs. The goal is under 5 seconds.

    python -m benchmarks.shutdown [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.intake_crash import BotProcess, Webhook, bot_environment, free_port
from benchmarks.push_crash import migrate
from sandbox import SandboxServer, SandboxState

IDLE_BEFORE_STOP = 1.5  # seconds: the bot is inside a long poll by then


async def bot_stop_seconds(directory: Path) -> float:
    url = f"sqlite+aiosqlite:///{directory / 'stop.sqlite3'}"
    await migrate(url)
    async with SandboxServer(SandboxState()) as server:
        port = free_port()
        bot = BotProcess("run", bot_environment("run", url, server.base_url, port), directory)
        await bot.start()
        await Webhook(port).wait_until_listening(bot)
        await asyncio.sleep(IDLE_BEFORE_STOP)
        assert bot.process is not None
        started = time.perf_counter()
        bot.process.send_signal(signal.SIGTERM)
        await bot.process.wait()
        return time.perf_counter() - started


async def baseline_seconds() -> float:
    """A Python process with the bot imported, waiting, then stopped by SIGTERM."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import bot.app, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    await process.wait()
    return time.perf_counter() - started


async def measure(runs: int) -> tuple[list[float], list[float]]:
    stops, baselines = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="gonggam-stop-") as directory:
            stops.append(await bot_stop_seconds(Path(directory)))
        baselines.append(await baseline_seconds())
    return stops, baselines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    stops, baselines = asyncio.run(measure(args.runs))
    for stop, baseline in zip(stops, baselines, strict=True):
        print(f"stop {stop:.2f} s, baseline {baseline:.3f} s, ratio {stop / baseline:.1f}x")
    print(f"median: stop {statistics.median(stops):.2f} s (goal < 5 s), ratio "
          f"{statistics.median(stops) / statistics.median(baselines):.1f}x the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
