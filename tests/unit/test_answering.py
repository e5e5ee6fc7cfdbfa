"""Every pressed button is answered through one helper, so it is answered once."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.handlers.answering import MAX_ANSWER_CHARS, fit_answer

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "bot" / "handlers" / "answering.py"


def direct_answers(path: Path) -> list[int]:
    """Lines of `<something>query.answer(...)` calls: answers that bypass the helper."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "answer"
                and ast.unparse(node.func.value).endswith("query")):
            lines.append(node.lineno)
    return lines


def test_only_the_helper_answers_callback_queries() -> None:
    sources = [*sorted((ROOT / "bot" / "handlers").glob("*.py")),
               *sorted((ROOT / "bot" / "flows").glob("*.py"))]
    bypassing = {str(p.relative_to(ROOT)): direct_answers(p) for p in sources if p != HELPER}

    assert {path: lines for path, lines in bypassing.items() if lines} == {}
    assert direct_answers(HELPER)  # the check does find a direct answer


def test_a_popup_text_is_shortened_to_what_telegram_takes() -> None:
    long_text = "가" * (MAX_ANSWER_CHARS + 50)

    shortened = fit_answer(long_text)

    assert shortened is not None and len(shortened) == MAX_ANSWER_CHARS
    assert shortened.endswith("…")
    assert fit_answer("가" * MAX_ANSWER_CHARS) == "가" * MAX_ANSWER_CHARS
    assert fit_answer(None) is None
