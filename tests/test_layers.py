"""The layers of DESIGN.md §2, checked on the import statements of the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` or `from … import` statement in `path` names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imports_under(modules: set[str], package: str) -> set[str]:
    return {name for name in modules if name == package or name.startswith(package + ".")}


def test_imported_modules_sees_plain_and_from_imports(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("import bot.handlers.common\nfrom bot import handlers\n", encoding="utf-8")
    assert imports_under(imported_modules(source), "bot.handlers") == {
        "bot.handlers.common", "bot.handlers",
    }


@pytest.mark.parametrize("path", sorted((BOT / "rendering").glob("*.py")), ids=lambda p: p.name)
def test_rendering_does_not_import_handlers(path: Path) -> None:
    assert imports_under(imported_modules(path), "bot.handlers") == set()


def test_button_codec_imports_nothing_from_the_bot() -> None:
    assert imports_under(imported_modules(BOT / "buttons.py"), "bot") == set()
