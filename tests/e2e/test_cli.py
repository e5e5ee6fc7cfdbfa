"""The command line as an operator meets it: help, settings errors, start-up failures, sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.domain.lottery import (
    Applicant,
    Comparison,
    DrawInputs,
    Prepared,
    QuotaRule,
)
from bot.lottery_draw import find_distribution_blocking

# Each test starts `python -m bot` in a process of its own.
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def bot_command(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd, env=clean_env(env), capture_output=True, text=True, timeout=60,
    )


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return keep | {"PYTHONPATH": str(ROOT)} | (extra or {})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", ["run", "serve", "migrate", "sandbox"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = bot_command(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert f"usage: python -m bot {command}" in result.stdout


def test_a_bad_setting_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = bot_command("migrate", cwd=tmp_path, env={"ENDORSEMENT_THRESHOLD": "lots"})
    assert result.returncode == 2
    assert "ENDORSEMENT_THRESHOLD" in result.stderr and "Traceback" not in result.stderr


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    result = bot_command("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "gonggam.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"users", "proposals", "outbox", "alembic_version"} <= tables


PRODUCTION = {
    "TELEGRAM_BOT_TOKEN": "123:abc",
    "WEBHOOK_SECRET": "secret",
    "PUBLIC_BASE_URL": "https://gonggam.example.kr",
    "SECRET_KEY": "k" * 40,
    "CONTACT_KEY": "c" * 40,
}


def test_an_unreachable_database_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/gonggam"
    result = bot_command("serve", cwd=tmp_path, env=PRODUCTION | {"DATABASE_URL": closed})
    assert result.returncode == 1
    assert "데이터베이스에 연결할 수 없습니다" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = bot_command("serve", cwd=tmp_path, env=PRODUCTION)
    assert result.returncode == 1
    assert "python -m bot migrate" in result.stderr


def test_serve_needs_its_production_settings(tmp_path: Path) -> None:
    result = bot_command("serve", cwd=tmp_path)
    assert result.returncode == 1
    assert "WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize("key", ["SECRET_KEY", "CONTACT_KEY"])
@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_real_token_without_its_keys_is_refused(command: str, key: str, tmp_path: Path) -> None:
    without_key = {k: v for k, v in PRODUCTION.items() if k != key}
    result = bot_command(command, cwd=tmp_path, env=without_key)
    assert result.returncode == 1
    assert key in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "gonggam.sqlite3").exists()  # refused before anything started


def test_a_short_secret_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    result = bot_command("serve", cwd=tmp_path, env=PRODUCTION | {"SECRET_KEY": "sesame-123"})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "sesame-123" not in result.stderr


async def test_run_without_a_token_starts_the_sandbox_and_stops_gracefully(tmp_path: Path) -> None:
    port, sandbox_port = free_port(), free_port()
    env = clean_env({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port)})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        printed = ""
        while f"http://127.0.0.1:{sandbox_port}/" not in printed:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
            assert line, "the process ended before announcing the sandbox"
            printed += line.decode()
        async with aiohttp.ClientSession() as http:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
            page = await http.get(f"http://127.0.0.1:{sandbox_port}/")
            assert health.status == 200 and (await health.json())["status"] == "ok"
            assert page.status == 200 and "<html" in await page.text()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def tiny_election(tmp_path: Path) -> Path:
    election = tmp_path / "tiny.pb"
    election.write_text(
        "META\nkey;value\ndescription;tiny\ncountry;KR\nunit;구로구\ninstance;2026\n"
        "num_projects;2\nnum_votes;2\nbudget;100\nvote_type;approval\nrule;greedy\n"
        "date_begin;2026\ndate_end;2026\n"
        "PROJECTS\nproject_id;cost\na;60\nb;50\n"
        "VOTES\nvoter_id;vote\n1;a,b\n2;b\n",
        encoding="utf-8",
    )
    return election


def test_pb_tally_is_part_of_the_main_command(tmp_path: Path) -> None:
    election = tiny_election(tmp_path)
    result = bot_command("pb", "tally", str(election), "--rule", "greedy", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"selected": ["b"]' in result.stdout


def imported_packages(importtime_report: str) -> set[str]:
    """Top-level packages named in `python -X importtime` output (`import time: … | name`)."""
    lines = (line for line in importtime_report.splitlines() if line.startswith("import time:"))
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}


def test_pb_tally_imports_only_what_counting_needs(tmp_path: Path) -> None:
    """Counting a file must not load the app (PTB, SQLAlchemy, aiohttp, matplotlib)."""
    election = tiny_election(tmp_path)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "pb", "tally", str(election),
         "--rule", "greedy", "--json"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    packages = imported_packages(result.stderr)
    assert {"bot", "fractions"} <= packages  # the report is read: counting's own imports
    assert not packages & {"telegram", "sqlalchemy", "aiohttp", "matplotlib", "apscheduler",
                           "jinja2", "kiwipiepy", "alembic"}


def test_the_bot_loads_matplotlib_only_to_draw_a_chart(tmp_path: Path) -> None:
    """The bot's modules import without matplotlib (about 45 MB); the first chart loads it."""
    draw = ("import sys, bot.app, bot.serving; from bot.rendering.charts import Bar, BarChart, "
            "horizontal_bars_png; print('matplotlib' in sys.modules); "
            "png = horizontal_bars_png(BarChart('결과', (Bar('가', 3, True),))); "
            "print('matplotlib' in sys.modules, png[:4] == b'\\x89PNG')")
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", draw], cwd=tmp_path,
                            env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "False"
    assert after == "True True"
    assert "matplotlib" in imported_packages(result.stderr)  # the report is read


def published_draw(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A small draw made as the service makes it, written as it is published."""
    pool = tuple(Applicant(f"{n:03d}", {"sex": ("여", "남")[n % 2]}) for n in range(1, 13))
    rules = (QuotaRule("sex", ("여",), Comparison.UNDER, percent=60),
             QuotaRule("sex", ("남",), Comparison.UNDER, percent=60))
    inputs = DrawInputs(4, 2, "maximin", rules, pool)
    found = find_distribution_blocking(inputs)
    record = Prepared("신도림동 주민자치회", inputs, bytes(range(32)), found.distribution,
                      found.library).draw("4 8 15 16 23 42").as_json()
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path, record


def test_sortition_verify_re_runs_a_published_draw(tmp_path: Path) -> None:
    path, record = published_draw(tmp_path)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "sortition", "verify", str(path)],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"선발 4명 (selected): {' '.join(record['selected'])}" in result.stdout
    assert "기록과 같아요" in result.stdout
    packages = imported_packages(result.stderr)  # this process's; the library runs in a child
    assert "bot" in packages
    assert not packages & {"telegram", "sqlalchemy", "aiohttp", "matplotlib", "kiwipiepy",
                           "sortition_algorithms", "numpy"}


def test_sortition_verify_names_what_was_changed_in_the_file(tmp_path: Path) -> None:
    path, record = published_draw(tmp_path)
    selected = list(record["selected"])
    others = [a["number"] for a in record["inputs"]["pool"] if a["number"] not in selected]
    path.write_text(json.dumps({**record, "selected": [*selected[:-1], others[0]]}),
                    encoding="utf-8")
    result = bot_command("sortition", "verify", str(path), "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    answer = json.loads(result.stdout)
    assert answer["problems"] == ["the selected applicants differ"]
    assert answer["selected"] == selected  # what the draw really gives


def test_sortition_verify_says_in_korean_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    result = bot_command("sortition", "verify", "broken.json", cwd=tmp_path)
    assert result.returncode == 2 and "오류: JSON 파일이 아니에요" in result.stderr
    result = bot_command("sortition", "verify", "missing.json", cwd=tmp_path)
    assert result.returncode == 2 and "파일을 읽을 수 없어요" in result.stderr


def lottery_tables(tmp_path: Path, women: int = 8, men: int = 8) -> None:
    rows = [f"{n:03d},{('40대', '60대 이상')[n % 2]},여" for n in range(1, women + 1)]
    rows += [f"{n:03d},50대,남" for n in range(women + 1, women + men + 1)]
    (tmp_path / "pool.csv").write_text("number,age,sex\n" + "\n".join(rows) + "\n",
                                       encoding="utf-8")
    (tmp_path / "rules.csv").write_text(
        "feature,categories,comparison,count,percent\n"
        "age,20대 이하|30대|40대,이상,,15\nsex,여,미만,,60\nsex,남,미만,,60\n", encoding="utf-8")


def prepare(tmp_path: Path, seats: str = "6") -> subprocess.CompletedProcess[str]:
    return bot_command("sortition", "prepare", "--pool", "pool.csv", "--rules", "rules.csv",
                       "--seats", seats, "--reserves", "2", "--title", "신도림동 주민자치회",
                       "--out", "announcement.json", "--secret-out", "secret.json",
                       cwd=tmp_path)


def test_the_office_prepares_draws_and_anyone_verifies(tmp_path: Path) -> None:
    lottery_tables(tmp_path)
    prepared = prepare(tmp_path)
    assert prepared.returncode == 0, prepared.stderr
    assert "신청자 16명 중 6명 선발, 예비 2명" in prepared.stdout
    assert "규칙 「sex 여 60% 미만」: 0~3명" in prepared.stdout
    announcement = json.loads((tmp_path / "announcement.json").read_text(encoding="utf-8"))
    secret = json.loads((tmp_path / "secret.json").read_text(encoding="utf-8"))
    assert secret["secret"] not in (tmp_path / "announcement.json").read_text(encoding="utf-8")
    assert (tmp_path / "secret.json").stat().st_mode & 0o777 == 0o600
    assert len(announcement["chances"]) == 16 and announcement["commitment"]

    drawn = bot_command("sortition", "draw", "announcement.json", "secret.json",
                        "--randomness", "３, 14  15", "--out", "record.json", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert "공개 난수 「3 14 15」" in drawn.stdout
    assert "「sex 여 60% 미만」: 3명 (허용 0~3명)" in drawn.stdout  # 6 seats: 3 and 3
    record = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
    assert record["commitment"] == announcement["commitment"]

    again = bot_command("sortition", "draw", "announcement.json", "secret.json",
                        "--randomness", "9 9 9", "--out", "record.json", cwd=tmp_path)
    assert again.returncode == 2 and "추첨은 한 번만 해요" in again.stderr
    assert json.loads((tmp_path / "record.json").read_text(encoding="utf-8")) == record
    verified = bot_command("sortition", "verify", "record.json", cwd=tmp_path)
    assert verified.returncode == 0 and "기록과 같아요" in verified.stdout


def test_prepare_names_each_rule_the_completers_cannot_meet(tmp_path: Path) -> None:
    lottery_tables(tmp_path, women=8, men=1)
    refused = prepare(tmp_path)
    assert refused.returncode == 2
    assert ("「sex 여 60% 미만」: 나머지 자리를 채울 해당하지 않는 신청자가 3명 필요한데 "
            "1명이에요." in refused.stderr)
    assert not (tmp_path / "announcement.json").exists()
    assert not (tmp_path / "secret.json").exists()
    too_many = prepare(tmp_path, seats="10")
    assert "선발 인원 10명보다 신청자(9명)가 적어요." in too_many.stderr


def test_a_draw_refuses_an_announcement_changed_after_it_was_published(tmp_path: Path) -> None:
    lottery_tables(tmp_path)
    assert prepare(tmp_path).returncode == 0
    path = tmp_path / "announcement.json"
    announcement = json.loads(path.read_text(encoding="utf-8"))
    announcement["inputs"]["pool"] = announcement["inputs"]["pool"][1:]
    path.write_text(json.dumps(announcement, ensure_ascii=False), encoding="utf-8")
    refused = bot_command("sortition", "draw", "announcement.json", "secret.json",
                          "--randomness", "1 2 3", "--out", "record.json", cwd=tmp_path)
    assert refused.returncode == 2
    assert "공고한 뒤에 신청자, 규칙이나 확률이 바뀌었어요" in refused.stderr
    assert not (tmp_path / "record.json").exists()


def test_sortition_verify_checks_the_record_against_the_announcement(tmp_path: Path) -> None:
    """A record redrawn with one reserve more (another seed, perhaps a preferred panel) still
    agrees with itself; the announcement published before the draw gives it away."""
    lottery_tables(tmp_path)
    assert prepare(tmp_path).returncode == 0
    drawn = bot_command("sortition", "draw", "announcement.json", "secret.json",
                        "--randomness", "3 14 15", "--out", "record.json", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    honest = bot_command("sortition", "verify", "record.json", "--announcement",
                         "announcement.json", "--json", cwd=tmp_path)
    assert honest.returncode == 0 and json.loads(honest.stdout)["matches"]
    record = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
    record["inputs"]["reserves"] += 1
    (tmp_path / "forged.json").write_text(json.dumps(record, ensure_ascii=False),
                                          encoding="utf-8")
    forged = bot_command("sortition", "verify", "forged.json", "--announcement",
                         "announcement.json", "--json", cwd=tmp_path)
    assert forged.returncode == 1
    problems = json.loads(forged.stdout)["problems"]
    assert "the inputs_digest differs from the announcement" in problems
    assert any("do not match the commitment" in p for p in problems)
