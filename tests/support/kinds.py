"""Which kind of test an item is, for the markers unit, integration, e2e and browser.

The kind is the directory a test lives in: `tests/unit/` (pure rules, in memory),
`tests/integration/` (a real database, or the sandbox server on its own), `tests/e2e/` (the
running bot through the sandbox, or `python -m bot` in a process) and `tests/browser/`
(headless Chromium). The fixtures a test uses, and a kind it declares with `pytestmark`,
tell the lightest directory it may live in; a test placed lighter than that (a database
fixture under `unit/`, say) is refused at collection, so `pytest tests/unit` stays quick
and free of databases.
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
# The emulator's HTTP server on a local port, with PTB's Bot talking to it.
SANDBOX_SERVER_FIXTURES = frozenset({"server"})


class MisplacedTest(Exception):
    """A test lives in a directory lighter than what it needs, or in none of the four."""


def needed_kind(fixtures: Iterable[str], declared: Iterable[str] = ()) -> str:
    """The lightest kind a test using `fixtures` and carrying the markers `declared` is."""
    for kind in declared:
        if kind in KINDS:
            return kind
    used = set(fixtures)
    if used & E2E_FIXTURES:
        return "e2e"
    if used & (DATABASE_FIXTURES | SANDBOX_SERVER_FIXTURES):
        return "integration"
    return "unit"


def kind_of_test(
    path_in_tests: PurePath, fixtures: Iterable[str], declared: Iterable[str] = ()
) -> str:
    """The kind of the test at `path_in_tests` (relative to tests/): its top directory.

    Raises `MisplacedTest` when that directory is not one of the four kinds, or is lighter
    than the fixtures or the declared kind need (browser tests may need anything).
    """
    top = path_in_tests.parts[0] if len(path_in_tests.parts) > 1 else ""
    if top not in KINDS:
        raise MisplacedTest(f"{path_in_tests}: a test belongs in tests/{{{','.join(KINDS)}}}/")
    needed = needed_kind(fixtures, declared)
    if top != "browser" and KINDS.index(needed) > KINDS.index(top):
        raise MisplacedTest(f"{path_in_tests}: needs {needed} but lives in tests/{top}/")
    return top
