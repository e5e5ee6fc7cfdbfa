"""What the deadline machine asks of a kind of deadline: which rows owe an action, and when.

A `Pending` names the rows (`where`) and their instant column (`at`); each row is due at
`at - lead`. From it the machine builds the two scalar subqueries of its one probe query
(the earliest due instant, the earliest later one) and knows which columns a write must touch
to move an alarm.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.visitors import iterate


@dataclass(frozen=True, eq=False)
class Pending:
    """Rows matching `where` are each due at their `at` column minus `lead`."""

    at: InstrumentedAttribute[Any]
    where: ColumnElement[bool]
    lead: timedelta = timedelta(0)

    @property
    def model(self) -> type[Any]:
        """The mapped class whose rows these are (its `id` is what a handler receives)."""
        model = self.at.class_
        assert isinstance(model, type), "a Pending is built on a mapped class, not an alias"
        return model

    def earliest_due(self, now: datetime) -> ScalarSelect[Any]:
        """The earliest instant column among rows due by `now` (NULL: none is due)."""
        return (select(func.min(self.at))
                .where(self.where, self.at <= now + self.lead).scalar_subquery())

    def earliest_later(self, now: datetime) -> ScalarSelect[Any]:
        """The earliest instant column among rows due after `now` (NULL: none)."""
        return (select(func.min(self.at))
                .where(self.where, self.at > now + self.lead).scalar_subquery())

    def columns(self) -> Iterator[tuple[str, str]]:
        """(table, column) of every column these rows are picked and timed by: a write to
        one of them may create, move or end a deadline."""
        for element in (self.at.expression, self.where):
            for node in iterate(element):
                if isinstance(node, Column) and node.table is not None:
                    yield str(node.table.name), str(node.name)
