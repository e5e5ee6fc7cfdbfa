"""Lint and types are part of the test command: ruff and mypy, as configured in
pyproject.toml, must find nothing. Each check also proves it reads the code, on a small
file with a known fault, so a misconfigured tool cannot pass by checking nothing. Handler and
flow functions stay within 15 body lines."""

from __future__ import annotations

import ast
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


THIN_LAYERS = ("bot/handlers", "bot/flows")
MAX_BODY_LINES = 15  # handlers and flows parse, call one service and reply (STYLE.md)


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return 0 if not body else (body[-1].end_lineno or 0) - body[0].lineno + 1


def long_functions(source: str, name: str) -> list[str]:
    functions = (node for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))
    return [f"{name}:{f.lineno} {f.name} ({body_lines(f)} lines)" for f in functions
            if body_lines(f) > MAX_BODY_LINES]


def test_handler_and_flow_functions_stay_short() -> None:
    found = [problem for layer in THIN_LAYERS for path in sorted((ROOT / layer).rglob("*.py"))
             for problem in long_functions(path.read_text(encoding="utf-8"),
                                           str(path.relative_to(ROOT)))]
    assert found == []


def test_the_length_check_counts_a_long_function() -> None:
    source = '"""m"""\n\ndef f() -> None:\n    """doc"""\n' + "    x = 1\n" * 16
    assert long_functions(source, "m.py") == ["m.py:3 f (16 lines)"]
