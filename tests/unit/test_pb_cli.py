"""The `pb tally` command: JSON and text output, one-line Korean/English errors, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.pb_cli import main

SMALL = """META
key;value
budget;10
vote_type;approval
PROJECTS
project_id;cost
a;7
b;6
c;4
VOTES
voter_id;vote
1;a,b
2;a,b
3;c
"""
PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["tally", *argv, "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_json_output_lists_sorted_ids_cost_and_rule(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_json(capsys, str(small), "--rule", "greedy")
    assert result == {"selected": ["b", "c"], "total_cost": "10", "rule": "greedy"}
    result = run_json(capsys, str(small), "--rule", "greedy", "--tie-break", "id")
    assert result["selected"] == ["a"]


def test_min_support_percent(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, str(small), "--rule", "greedy", "--min-support", "50")
    assert result["selected"] == ["b"]


def test_text_report_is_korean_first(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", str(small), "--rule", "mes-add1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("규칙 (rule): mes-add1") and "예산 (budget): 10" in out


def test_bad_file_is_one_line_korean_then_english_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(SMALL.replace("c;4", "c;four"), encoding="utf-8")
    assert main(["tally", str(path), "--rule", "greedy"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("오류: ") and "9번째 줄" in err and "line 9: cost is not a number" in err


def test_missing_and_non_utf8_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tally", str(tmp_path / "none.pb"), "--rule", "greedy"]) == 2
    assert "파일을 읽을 수 없습니다" in capsys.readouterr().err
    latin = tmp_path / "latin.pb"
    latin.write_bytes(SMALL.replace("a;7", "é;7").encode("latin-1"))
    assert main(["tally", str(latin), "--rule", "greedy"]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_bad_arguments_exit_2(small: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["tally", str(small), "--rule", "dhondt"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["tally", str(small), "--rule", "greedy", "--min-support", "120"])
    assert caught.value.code == 2


@pytest.mark.skipif(
    not PABULIB.is_dir(), reason=f"the shared Pabulib fixtures are not at {PABULIB}"
)
def test_rembertow_with_the_cheaper_first_tie_break(capsys: pytest.CaptureFixture[str]) -> None:
    path = PABULIB / "Poland_Warszawa_2020_Rembertow.pb"
    result = run_json(capsys, str(path), "--rule", "greedy")
    assert "2146" in result["selected"] and "2072" not in result["selected"]  # type: ignore[operator]
