"""Tell someone when a committed transaction wrote certain columns.

The deadline scheduler keeps one alarm for the earliest deadline. A commit that creates an
earlier one (a new proposal, a debate, a budget round, a reminder moved) must move the alarm
at once, whoever made the commit: a handler, a web page, the machine itself. Rather than
trusting every such site to remember, this watches the statements themselves: an INSERT into
a watched table, or an UPDATE whose SET list names a watched column, marks the connection,
and its commit calls `on_commit` (a rollback forgets the mark). The call comes when the
connection goes back to the pool, after the driver's COMMIT has returned: SQLAlchemy's
`commit` event runs before it, and a sweep woken there could read the database before the
new deadline is visible, then arm the old alarm.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_MARK = "gonggam.wrote_watched_columns"
_COMMITTED = "gonggam.committed_watched_columns"
_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?(\w+)', re.IGNORECASE)
_UPDATE = re.compile(r'\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)(?:\sWHERE\s|\sRETURNING\s|$)',
                     re.IGNORECASE | re.DOTALL)


class WrittenColumns:
    """Decides from a statement's text whether it writes one of the watched columns."""

    def __init__(self, columns: Iterable[tuple[str, str]]) -> None:
        by_table: dict[str, set[str]] = defaultdict(set)
        for table, column in columns:
            by_table[table].add(column)
        self._set_lists = {
            table: re.compile(r"\b(?:" + "|".join(sorted(names)) + r")\b\s*=")
            for table, names in by_table.items()
        }

    def written_by(self, statement: str) -> bool:
        head = statement.lstrip()[:6].upper()
        if head == "INSERT":
            insert = _INSERT.match(statement)
            return insert is not None and insert.group(1) in self._set_lists
        if head == "UPDATE":
            update = _UPDATE.match(statement)
            if update is None:
                return False
            set_list = self._set_lists.get(update.group(1))
            return set_list is not None and set_list.search(update.group(2)) is not None
        return False


def call_after_commits_writing(
    engine: AsyncEngine, columns: Iterable[tuple[str, str]], on_commit: Callable[[], None]
) -> Callable[[], None]:
    """Call `on_commit()` after each commit on `engine` that wrote one of `columns`
    ((table, column) pairs); returns a function that stops watching."""
    watched = WrittenColumns(columns)
    sync_engine = engine.sync_engine

    def note(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if watched.written_by(statement):
            conn.info[_MARK] = True

    def committed(conn: Any) -> None:
        if conn.info.pop(_MARK, False):
            conn.info[_COMMITTED] = True

    def rolled_back(conn: Any) -> None:
        if not conn.invalidated:  # a cancelled statement invalidates it: the pool drops it
            conn.info.pop(_MARK, None)

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            on_commit()

    listeners = ((sync_engine, "after_cursor_execute", note), (sync_engine, "commit", committed),
                 (sync_engine, "rollback", rolled_back), (sync_engine.pool, "checkin", checked_in))
    for target, name, listener in listeners:
        event.listen(target, name, listener)

    def stop() -> None:
        for target, name, listener in listeners:
            event.remove(target, name, listener)

    return stop
