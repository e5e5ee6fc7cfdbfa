"""Lint and types are part of the test command: ruff and mypy, as configured in
pyproject.toml, must find nothing. Each check also proves it reads the code, on a small
file with a known fault, so a misconfigured tool cannot pass by checking nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_mypy_finds_nothing_in_bot_and_sandbox() -> None:
    result = run("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_ruff_reports_a_real_fault(tmp_path: Path) -> None:
    faulty = tmp_path / "faulty.py"
    faulty.write_text("import os\n\n\ndef f(x):\n    return x == None\n")
    result = run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                 str(faulty))
    assert result.returncode != 0
    assert "F401" in result.stdout and "E711" in result.stdout


def test_mypy_reports_an_untyped_definition(tmp_path: Path) -> None:
    faulty = tmp_path / "faulty.py"
    faulty.write_text("def f(x):\n    return x\n\n\ncount: int = 'three'\n")
    result = run("mypy", "--no-incremental", "--cache-dir", "/dev/null",
                 "--config-file", str(ROOT / "pyproject.toml"), str(faulty))
    assert result.returncode != 0
    assert "no-untyped-def" in result.stdout and "assignment" in result.stdout
