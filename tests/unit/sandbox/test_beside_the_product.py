"""The sandbox is a sibling of the product (DESIGN.md §10): `bot` does not depend on it.

Only the command that starts it imports it, inside that function, so importing any module of
`bot` never loads the emulator.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BOT = ROOT / "bot"


def sandbox_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "sandbox" or node.module.startswith("sandbox."):
                found.append(node)
        elif isinstance(node, ast.Import) and any(
            a.name == "sandbox" or a.name.startswith("sandbox.") for a in node.names
        ):
            found.append(node)
    return found


def module_level_statements(tree: ast.Module) -> set[ast.stmt]:
    """Statements that run when the module is imported (top level and its if/try blocks)."""
    statements: set[ast.stmt] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        statements.add(statement)
        if isinstance(statement, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(statement, block, []))
        if isinstance(statement, ast.ExceptHandler):
            pending.extend(statement.body)
    return statements


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_sandbox_imports_sees_both_import_forms() -> None:
    tree = ast.parse("import sandbox.state\nfrom sandbox import SandboxServer\nimport sandboxes\n")
    assert len(sandbox_imports(tree)) == 2


def test_no_module_of_the_bot_but_serving_imports_the_sandbox() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in BOT.rglob("*.py")
        if sandbox_imports(parsed(path))
    }
    assert importers == {"bot/serving.py"}


def test_serving_imports_the_sandbox_only_when_it_starts_it() -> None:
    tree = parsed(BOT / "serving.py")
    at_import_time = module_level_statements(tree)
    imports = sandbox_imports(tree)
    assert imports
    assert not [node for node in imports if node in at_import_time]
