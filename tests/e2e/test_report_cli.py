"""`python -m bot report yearly <year>` in a process of its own, on a seeded SQLite database:
the table, the JSON of the open data, and the refusal of a bad year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.db.engine import create_engine, create_sessionmaker
from tests.e2e.test_cli import bot_command
from tests.integration.test_yearly_report_services import build_year
from tests.support.databases import sqlite_copy

pytestmark = pytest.mark.e2e


@pytest.fixture
async def database_env(sqlite_template: Path, tmp_path: Path) -> dict[str, str]:
    url = sqlite_copy(sqlite_template, tmp_path)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await build_year(session)
    finally:
        await engine.dispose()
    return {"DATABASE_URL": url}


def test_the_json_carries_the_open_data_figures(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    result = bot_command("report", "yearly", "2026", "--json", cwd=tmp_path, env=database_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    overall = data["overall"]
    assert data["year"] == 2026
    assert (overall["received"], overall["online"], overall["offline"], overall["district"],
            overall["answered"], overall["answered_on_time"], overall["accepted"],
            overall["implemented"]) == (6, 4, 2, 1, 3, 2, 2, 1)
    assert overall["budget_promised_krw"] == 173_450_000
    assert [row["department"] for row in data["departments"]] == ["공원녹지과", "도로과", None]


def test_the_table_lines_up_each_department(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    result = bot_command("report", "yearly", "2026", cwd=tmp_path, env=database_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "2026" in lines[0]
    roads = next(line for line in lines if line.startswith("도로과"))
    assert roads.split()[1:4] == ["2", "1", "1"]  # received, online, offline
    assert "1억 7,345만 원" in roads and "1억 2,345만 원" in roads


def test_a_year_without_proposals_prints_the_empty_report(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    result = bot_command("report", "yearly", "2040", "--json", cwd=tmp_path, env=database_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"]["received"] == 0


@pytest.mark.parametrize("year", ["1999", "2101", "twenty", "2026.5"])
def test_a_bad_year_exits_2_with_a_korean_message(year: str, tmp_path: Path) -> None:
    result = bot_command("report", "yearly", year, cwd=tmp_path)
    assert result.returncode == 2
    assert "연도는 2000에서 2100 사이의 숫자로 써 주세요" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_command_has_help(tmp_path: Path) -> None:
    result = bot_command("report", "yearly", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: python -m bot report yearly" in result.stdout
