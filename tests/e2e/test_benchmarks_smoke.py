"""The throughput benchmark runs end to end with tiny numbers (it never asserts on speed)."""

from __future__ import annotations

import json

import pytest

from benchmarks import reply_page
from benchmarks.update_throughput import Report, main

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
