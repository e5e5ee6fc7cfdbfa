"""The layers of DESIGN.md §2 are contracts, checked by import-linter on every test run.

The contracts live in pyproject.toml (`[tool.importlinter]`): the domain imports no other
layer, services no Telegram, rendering no handlers, handlers and flows no SQL, the button
codec nothing above it, and the product the sandbox only where the sandbox is started.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)], cwd=ROOT, capture_output=True,
        text=True, check=False,
    )


def test_every_layer_contract_is_kept() -> None:
    config = ROOT / "pyproject.toml"
    contracts = tomllib.loads(config.read_text())["tool"]["importlinter"]["contracts"]
    result = lint_imports(config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_a_contract_the_code_breaks_is_reported(tmp_path: Path) -> None:
    """The check analyses the real imports: handlers do call services, so this must break."""
    config = tmp_path / "setup.cfg"
    config.write_text(
        "[importlinter]\nroot_package = bot\n\n"
        "[importlinter:contract:handlers-without-services]\n"
        "name = handlers without services\ntype = forbidden\n"
        "source_modules = bot.handlers\nforbidden_modules = bot.services\n"
    )
    result = lint_imports(config)
    assert result.returncode != 0
    assert "handlers without services BROKEN" in result.stdout
