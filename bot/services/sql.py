"""Small SQL helpers that must differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Insert, Result, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase

Executor = AsyncSession | AsyncConnection | Connection


def insert_of(dialect: str) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The `insert` of dialect `dialect` ("postgresql", else SQLite's), whose statements have
    `on_conflict_*` clauses."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def dialect_insert(
    session: Executor, model: type[DeclarativeBase], **values: Any
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows the session's dialect, so `on_conflict_*` clauses are available."""
    return insert_of("postgresql" if is_postgres(session) else "sqlite")(model).values(**values)


def insert_ignoring_conflicts(
    session: Executor, model: type[DeclarativeBase], **values: Any
) -> Insert:
    """`INSERT … ON CONFLICT DO NOTHING` for the session's dialect."""
    return dialect_insert(session, model, **values).on_conflict_do_nothing()


def is_postgres(executor: Executor) -> bool:
    """Works on a session and, for hot paths that skip the ORM, on a bare connection."""
    if isinstance(executor, AsyncSession):
        return executor.get_bind().dialect.name == "postgresql"
    return executor.dialect.name == "postgresql"


def rows_affected(result: Result[Any]) -> int:
    """The row count of an executed INSERT, UPDATE or DELETE (whose result is a
    `CursorResult`, though `execute` is typed as returning a plain `Result`)."""
    return cast(CursorResult[Any], result).rowcount


async def locked_or_skipped(session: AsyncSession, model: type[Any], row_id: int) -> bool:
    """Lock row `row_id` of `model` for this transaction unless another transaction holds it
    (PostgreSQL `FOR NO KEY UPDATE SKIP LOCKED`, which a foreign-key check's key-share lock
    does not block): False means someone else is working on it, or it is gone. On SQLite the
    transaction already holds the one write lock, so it is True."""
    if not is_postgres(session):
        return True
    found = await session.scalar(
        select(model.id).where(model.id == row_id)
        .with_for_update(skip_locked=True, key_share=True))
    return found is not None
