"""Durable intake of Telegram updates: stored before acknowledged, handled once.

The life of an update row:

1. `store_updates` writes the raw update before Telegram is told it arrived (before the
   webhook's 200, before the polling offset moves past it). A redelivered update is not
   stored twice, so it is not queued twice either.
2. While it is handled, the first transaction that writes anything also runs
   `mark_handled` (see `GonggamContext.transaction`): the update's effect and its
   "handled" mark commit together, so a second handling of the same update (after a crash,
   or on another replica) finds it marked and rolls its own writes back.
3. An update whose handler wrote nothing is marked when its handling ends.
4. After a crash, `take_backlog` hands the stored, unmarked updates back, in order.

These are synchronous functions on a `Connection`: they run on the database's fast lane,
and `GonggamContext.transaction` calls `mark_handled` through `run_sync`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    Insert,
    Table,
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)

from bot.db.models import InboundUpdate
from bot.db.prepared import PreparedSelect
from bot.db.types import UTCDateTime
from bot.services.sql import insert_ignoring_conflicts, insert_of

HANDLED_UPDATES_KEPT = timedelta(days=7)
inbound = cast(Table, InboundUpdate.__table__)

# Every update runs these two: built once with bound parameters, not anew for each update
# (building a statement costs more than SQLite takes to run it). The id's parameter is named
# unlike its column, whose name an UPDATE reserves for its own SET parameters.
_UPDATE_ID = bindparam("which_update", type_=BigInteger)
_MARK = (
    update(inbound)
    .where(inbound.c.update_id == _UPDATE_ID, inbound.c.handled_at.is_(None))
    .values(handled_at=bindparam("now", type_=UTCDateTime()), payload=None)
)
# read straight from SQLite's driver on the fast lane (see `bot.db.prepared`)
_HANDLED_AT = PreparedSelect(
    select(inbound.c.handled_at).where(inbound.c.update_id == _UPDATE_ID)
)


@dataclass(frozen=True)
class RawUpdate:
    """An update as Telegram sent it; `payload` is None when it could not be parsed
    (it is then stored as handled, only so that its id is not taken for a new one)."""

    update_id: int
    payload: dict[str, Any] | None


class Mark(Enum):
    MARKED = "marked"  # this handling owns the update's effect
    ALREADY_HANDLED = "already handled"  # another handling did; roll back
    NOT_STORED = "not stored"  # the update never went through the intake (a test's direct call)


def store_updates(
    connection: Connection, updates: Sequence[RawUpdate], *, worker: str, now: datetime
) -> set[int]:
    """Store the updates not seen before and return their ids (one statement)."""
    if not updates:
        return set()
    rows = [
        {
            "update_id": item.update_id,
            "payload": item.payload,
            "worker": worker,
            "received_at": now,
            "handled_at": None if item.payload is not None else now,
        }
        for item in updates
    ]
    stored = connection.execute(_store_statement(connection.dialect.name), rows)
    return {row.update_id for row in stored if row.handled_at is None}


@cache
def _store_statement(dialect: str) -> Insert:
    """One row's INSERT, run for the whole batch at once (SQLAlchemy sends it as one
    multi-row statement and gathers what RETURNING says).

    Built once per dialect: a statement with the batch's rows as its VALUES had to be built,
    coerced and keyed anew for every batch, several times what the database took to run it."""
    insert = insert_of(dialect)
    return (
        insert(inbound)
        .on_conflict_do_nothing()
        .returning(inbound.c.update_id, inbound.c.handled_at)
    )


def take_backlog(
    connection: Connection, *, worker: str, now: datetime, stale_after: timedelta
) -> list[RawUpdate]:
    """The stored updates nobody handled, oldest first, taken over by `worker`.

    Its own (stored by a process of the same identity that died) and, from other replicas,
    those that waited longer than `stale_after` (their replica is gone)."""
    waiting = and_(
        inbound.c.handled_at.is_(None),
        inbound.c.payload.is_not(None),
        or_(inbound.c.worker == worker, inbound.c.received_at < now - stale_after),
    )
    rows = connection.execute(
        select(inbound.c.update_id, inbound.c.payload).where(waiting).order_by(inbound.c.update_id)
    ).all()
    if rows:
        connection.execute(
            update(inbound)
            .where(inbound.c.update_id.in_([row.update_id for row in rows]))
            .values(worker=worker)
        )
    return [RawUpdate(row.update_id, row.payload) for row in rows]


def mark_handled(connection: Connection, update_id: int, now: datetime) -> Mark:
    """Claim the update's one effect for the transaction running on `connection`."""
    claimed = connection.execute(_MARK, {"which_update": update_id, "now": now})
    if claimed.rowcount:
        return Mark.MARKED
    stored = connection.execute(
        select(inbound.c.update_id).where(inbound.c.update_id == update_id)
    ).first()
    return Mark.ALREADY_HANDLED if stored is not None else Mark.NOT_STORED


def was_handled(connection: Connection, update_id: int, now: datetime) -> bool:
    """True for an update handled before (a redelivery); an update that did not come
    through the intake is stored here, so that it is guarded from now on."""
    handled = _HANDLED_AT.first(connection, {"which_update": update_id})
    if handled is None:
        connection.execute(
            insert_ignoring_conflicts(
                connection, InboundUpdate, update_id=update_id, received_at=now
            )
        )
        return False
    return handled.handled_at is not None


def forget_old_updates(connection: Connection, now: datetime) -> None:
    """Keep the redelivery guard small; Telegram never redelivers week-old updates."""
    connection.execute(
        delete(inbound).where(
            inbound.c.handled_at.is_not(None),
            inbound.c.handled_at < now - HANDLED_UPDATES_KEPT,
        )
    )
