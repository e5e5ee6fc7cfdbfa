"""Which kind of test an item is, for the markers unit, integration, e2e and browser.

The kind follows from where a test lives and which fixtures it uses (directly or through
other fixtures), so `pytest -m unit` works without each file declaring it. A file whose
tests the fixtures do not reveal (one that starts `python -m bot` in a subprocess, say)
declares its kind with `pytestmark`, and that wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

KINDS = ("unit", "integration", "e2e", "browser")
# The running bot, the sandbox Bot API server or a resident talking through it.
E2E_FIXTURES = frozenset({"runtime", "residents", "sandbox", "sandbox_state"})
# A real database, but no running bot.
DATABASE_FIXTURES = frozenset(
    {"database_url", "engine", "sessionmaker", "postgres_database", "sqlite_template",
     "empty_engine", "postgres_test_database"}
)
# tests/sandbox: the emulator's HTTP server on a local port, with PTB's Bot talking to it.
SANDBOX_SERVER_FIXTURES = frozenset({"server"})


def kind_of_test(
    path_in_tests: PurePath, fixtures: Iterable[str], declared: Iterable[str] = ()
) -> str:
    """The kind of the test at `path_in_tests` (relative to tests/) using `fixtures`.

    `declared` are the kind markers the test already carries. A test that needs none of
    the fixtures above runs in memory and counts as a unit test.
    """
    for kind in declared:
        if kind in KINDS:
            return kind
    top = path_in_tests.parts[0] if len(path_in_tests.parts) > 1 else ""
    used = set(fixtures)
    if top == "browser":
        return "browser"
    if top == "domain":
        return "unit"
    if top == "sandbox":
        return "integration" if used & SANDBOX_SERVER_FIXTURES else "unit"
    if used & E2E_FIXTURES:
        return "e2e"
    if used & DATABASE_FIXTURES:
        return "integration"
    return "unit"
