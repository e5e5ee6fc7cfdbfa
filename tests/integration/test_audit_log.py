"""The audit log: append-only in the database itself, and read through filtered pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AuditEntry
from bot.handlers.audit_log import filter_tag, parse_filter
from bot.i18n import I18n
from bot.rendering.audit_log import entry
from bot.services.audit import AuditFilter, AuditRow, query_audit, record_audit
from tests.conftest import START


async def fill(maker: async_sessionmaker[AsyncSession]) -> None:
    async with maker() as session, session.begin():
        for n in range(12):
            record_audit(session, START + timedelta(minutes=n), f"telegram:{100 + n % 2}",
                         "proposal.assign" if n % 3 == 0 else "proposal.hide",
                         f"proposal:{n}", before={"department": None},
                         after={"department": "교통행정과"})
        record_audit(session, START, "telegram:100", "proposal.assign", "proposal:120")


async def test_updates_and_deletes_of_audit_entries_are_rejected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await fill(sessionmaker)
    for statement in (update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"):
            async with sessionmaker() as session, session.begin():
                await session.execute(statement)
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 13
        assert await session.scalar(
            select(func.count()).where(AuditEntry.actor == "someone else")) == 0


async def test_filters_and_pages(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await fill(sessionmaker)
    async with sessionmaker() as session:
        everything = await query_audit(session, AuditFilter(), page=0, per_page=5)
        assigns = await query_audit(session, AuditFilter(action="assign"), page=0, per_page=5)
        subject = await query_audit(session, AuditFilter(subject="proposal:1"), page=0, per_page=5)
        kind = await query_audit(session, AuditFilter(subject="proposal"), page=2, per_page=5)
        actor = await query_audit(session, AuditFilter(actor="101", action="hide"), page=9,
                                  per_page=5)
        wildcard = await query_audit(session, AuditFilter(action="%"), page=0, per_page=5)
    assert (everything.total, everything.pages) == (13, 3)
    assert [r.id for r in everything.rows] == [13, 12, 11, 10, 9]  # newest first
    assert assigns.total == 5 and {r.action for r in assigns.rows} == {"proposal.assign"}
    assert [r.subject for r in subject.rows] == ["proposal:1"]  # not proposal:10, :11, :120
    assert (kind.page, len(kind.rows)) == (2, 3)
    assert actor.page == actor.pages - 1  # a page past the end shows the last one
    assert {r.actor for r in actor.rows} == {"telegram:101"}
    assert wildcard.total == 0  # LIKE wildcards are matched literally


def test_filters_parse_and_entries_read_well() -> None:
    assert parse_filter("/audit") == AuditFilter()
    assert parse_filter("/audit action=assign subject=proposal:12") == AuditFilter(
        action="assign", subject="proposal:12")
    assert parse_filter("/audit nonsense") is None
    assert parse_filter("/audit password=1") is None
    assert filter_tag(AuditFilter()) != filter_tag(AuditFilter(action="assign"))
    t = I18n().get("ko")
    row = AuditRow(7, START, "telegram:100", "proposal.assign", "proposal:12",
                   {"department": None, "same": 1}, {"department": "교통<행정>과", "same": 1})
    text = entry(t, row)
    assert "#7" in text and "오후 3:00" in text and "telegram:100" in text
    assert '{"department":null} → {"department":"교통&lt;행정&gt;과"}' in text
