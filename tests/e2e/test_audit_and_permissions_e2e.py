"""Through the real bot: the /audit viewer with its pages and filters, /stats and /export for
staff, and a resident's attempts at every admin action of this area (commands and forged
buttons), which change nothing and are logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import ShiftableClock
from bot.db.models import AuditEntry, Broadcast, OutboxMessage, VerificationCode
from bot.handlers.audit_log import filter_tag
from bot.services.audit import AuditFilter, record_audit
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.conftest import START
from tests.support.harness import running_bot, settings_for

ADMIN, RESIDENT = 9601, 9602


async def test_the_audit_viewer_pages_and_filters(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            for n in range(7):
                record_audit(session, START + timedelta(minutes=n), "telegram:1",
                             "proposal.assign" if n < 2 else "proposal.hide", f"proposal:{n}",
                             before={"hidden": False}, after={"hidden": True})
        await admin.say("/audit")
        first = await admin.wait_for_message("#7")
        assert "#3" in first.text and "#2" not in first.text  # five a page, newest first
        assert first.button_texts == ["▶"]
        await admin.press(first, "▶")
        second = await admin.wait_for_edit(first)
        assert "#2" in second.text and "#1" in second.text and second.button_texts == ["◀"]
        assert "오후 3:01" in second.text  # KST
        await admin.say("/audit action=assign")
        filtered = await admin.wait_for_message("#2")
        assert "#3" not in filtered.text and filtered.buttons == ()
        # the first list is stale now: its button does not mix the two filters
        query = await admin.press(second, "◀")
        assert (await admin.wait_for_callback_answer(query)).show_alert
        await admin.say("/audit nonsense")
        assert "/audit" in (await admin.wait_for_message()).text


async def test_staff_get_stats_and_exports(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        await admin.say("/stats")
        await admin.wait_for_message("📈")
        assert [m.file_kind for m in admin.inbox()][-2:] == ["photo", None]
        await admin.say("/export proposals json")
        export = await admin.wait_for_message(predicate=lambda m: m.file_kind == "document")
        assert export.file_name is not None and export.file_name.endswith(".json")
        await admin.say("/export people")
        assert "/export" in (await admin.wait_for_message()).text
        async with runtime.sessionmaker() as session:
            actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions == ["data.export"]


async def test_a_residents_admin_commands_and_forged_buttons_do_nothing_and_are_logged(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin, resident = residents.resident(ADMIN, "관리자"), residents.resident(RESIDENT, "민지")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        await admin.say("/broadcast")
        await admin.wait_for_message("📣")
        await admin.say("관리자가 쓰는 중인 안내")
        await admin.wait_for_message(predicate=lambda m: bool(m.buttons))
        async with runtime.sessionmaker() as session:
            broadcast_id = await session.scalar(select(Broadcast.id))
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.handlers.access"):
            for command in ("/codes_new 신도림동 5 30", "/broadcast", "/audit", "/stats",
                            "/export proposals"):
                await resident.say(command)
                await resident.wait_for_message()
            await resident.say("안녕하세요")  # not taken as a broadcast text
            await resident.wait_for_message()
            anchor = resident.last_message()
            for data in (f"bca:1:{broadcast_id}:all:0", f"bcx:1:{broadcast_id}:send",
                         f"bcx:1:{broadcast_id}:cancel", f"aud:1:1:{filter_tag(AuditFilter())}"):
                query = await resident.press_data(anchor, data)
                assert (await resident.wait_for_callback_answer(query)).show_alert
        refusals = [r for r in caplog.records if "refused" in r.getMessage()]
        assert len(refusals) == 9
        assert not [m for m in resident.inbox() if m.file_kind]
        async with runtime.sessionmaker() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            assert broadcast is not None and broadcast.status == "draft"
            assert broadcast.audience is None
            assert await session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.broadcast_id.is_not(None))) == 0
            assert await session.scalar(select(func.count()).select_from(VerificationCode)) == 0
            assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0
