"""The throughput benchmark runs end to end with tiny numbers (it never asserts on speed)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from benchmarks import reply_page
from benchmarks.update_throughput import (
    BarePtb,
    Gonggam,
    Report,
    ResidentIds,
    capture_traffic,
    main,
    migrated,
    plan_burst,
    timed_burst,
)
from sandbox import SandboxServer, SandboxState
from sandbox.state import ApiCall

# The benchmarks start the bot, the sandbox and (push_crash) processes of their own.
pytestmark = pytest.mark.e2e


def test_benchmark_measures_both_bots_and_prints_one_json_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = main(["--updates", "20", "--repeats", "1", "--residents", "5", "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert exit_code == 0
    assert len(out) == 1
    report = json.loads(out[0])
    assert report["updates"] == 20 and report["repeats"] == 1 and report["residents"] == 5
    assert report["baseline_updates_per_second"] > 0
    assert report["gonggam_updates_per_second"] > 0
    assert report["ratio"] > 0
    assert report["verdict"] in ("PASS", "BELOW")
    assert report["baseline_cpu_ms_per_update"] > 0 and report["gonggam_cpu_ms_per_update"] > 0
    assert report["cpu_ratio"] > 0


def _sent(calls: list[ApiCall]) -> dict[str, set[str]]:
    """Each method's payloads, without what differs by chat (ids, the resident's name)."""
    sent: dict[str, set[str]] = {}
    for call in calls:
        params = {k: v for k, v in call.params.items()
                  if k not in ("chat_id", "message_id", "callback_query_id", "text")}
        if call.method == "editMessageText":
            params["text"] = call.params["text"]
        sent.setdefault(call.method, set()).add(json.dumps(params, sort_keys=True))
    return sent


async def test_the_baseline_sends_what_gonggam_sends() -> None:
    """The same calls with the same parse modes, keyboards and edits, so that the ratio
    compares the bots and not their payloads."""
    with tempfile.TemporaryDirectory() as directory:
        url = await migrated(f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}")
        async with SandboxServer(SandboxState()) as server:
            traffic = await capture_traffic(server, url)
            state, ids, sent = server.state, ResidentIds(), []
            for subject in (Gonggam(url, traffic), BarePtb(traffic)):
                async with subject.running(server):
                    cards = await subject.open_cards(state, ids.take(2))
                    first = len(state.calls)
                    await timed_burst(state, plan_burst(state, cards, 8))
                    sent.append(_sent([c for c in state.calls[first:]
                                       if c.method != "getUpdates"]))
                state.updates.clear()
    gonggam, baseline = sent
    assert baseline == gonggam
    assert set(gonggam) >= {"sendMessage", "editMessageText", "answerCallbackQuery"}


def test_the_table_names_both_figures_the_ratio_and_the_goal() -> None:
    report = Report(
        updates=400,
        residents=50,
        baseline_runs=[300.0, 200.0, 250.0],
        gonggam_runs=[150.0, 200.0, 175.0],
    )
    table = report.table()
    assert "250.0 updates/s" in table and "175.0 updates/s" in table
    assert "70.0 %" in table and "goal ≥ 70 %" in table and "PASS" in table
    assert Report(400, 50, [100.0], [69.0]).verdict == "BELOW"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(SystemExit) as refused:
        main(["--updates", "1"])
    assert refused.value.code == 2


def test_push_crash_drill_kills_and_restarts_with_tiny_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import push_crash

    exit_code = push_crash.main(
        ["--runs", "1", "--pushes", "40", "--backends", "sqlite", "--concurrency", "4", "--json"]
    )
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["sqlite"]
    assert exit_code == 0
    assert report["concurrency"] == 4 and report["lost"] == 0 and report["kept"] is True
    (run,) = report["runs"]
    assert run["pushes"] == 40 and run["sent_rows"] == 40
    assert 0 < run["kill_after"] < 40 and run["repeated"] <= run["claimed_at_kill"] <= 4
    with pytest.raises(SystemExit) as refused:
        push_crash.main(["--runs", "0"])
    assert refused.value.code == 2


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "uncached"])
def test_reply_page_benchmark_serves_both_pages_with_and_without_the_cache(
    capsys: pytest.CaptureFixture[str], cache: list[str],
) -> None:
    exit_code = reply_page.main(["--requests", "10", "--concurrency", "2", "--repeats", "1",
                                 "--json", *cache])
    report = json.loads(capsys.readouterr().out.strip())
    assert exit_code == 0
    assert report["goal"] == (reply_page.UNCACHED_GOAL if cache else reply_page.GOAL)
    assert report["reply_ratio"] > 0 and report["public_ratio"] > 0


def test_deadline_scale_starts_the_bot_twice_and_expires_every_overdue_proposal_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import deadline_scale

    exit_code = deadline_scale.run(["--runs", "1", "--proposals", "200", "--overdue", "20",
                                    "--users", "20", "--backends", "sqlite", "--json"])
    [run] = json.loads(capsys.readouterr().out)
    assert exit_code == 0 and run["expired_once"] is True
    assert run["loaded"]["replies"] >= 1 and run["first_reply_ratio"] > 0
    assert run["plain_updates_per_s"] > 0 and run["loaded"]["rss_mb"] > 0
