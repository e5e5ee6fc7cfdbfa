"""Verification codes through the real bot and the sandbox: an admin's batch arrives as a CSV
and a printable page; residents redeem codes, mistype them, hit the limit, and find one expired.

Replies are matched on language-neutral marks (🔑 ✅ ❓ ⛔ ⌛ ⏳) so that the checks hold
before and after the Korean catalogue has the texts.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ShiftableClock
from bot.db.models import AuditEntry, User
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.harness import running_bot, settings_for

ADMIN = 9101
BOM = "\ufeff"


def file_bytes(state: SandboxState, message: SentMessage) -> bytes:
    stored = state.chat(message.chat_id).find(message.message_id)
    assert stored is not None and stored.file is not None
    return stored.file.data


async def documents(admin: Resident, count: int = 2) -> list[SentMessage]:
    await admin.state.wait_until(
        lambda: len([m for m in admin.inbox() if m.file_kind == "document"]) >= count, 5)
    return [m for m in admin.inbox() if m.file_kind == "document"]


async def test_an_admin_issues_codes_and_residents_redeem_them(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    minji, yeongsu, haneul = (residents.resident(9102, "민지"), residents.resident(9103, "영수"),
                              residents.resident(9104, "하늘"))
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        # a resident cannot issue codes
        await minji.say("/codes_new 신도림동 3 7")
        await minji.wait_for_message()
        assert not [m for m in minji.inbox() if m.file_kind]

        await admin.say("/codes_new 신도림동 3 7")
        assert "🔑" in (await admin.wait_for_message("🔑")).text
        sheet, printable = await documents(admin)
        assert sheet.file_name is not None and sheet.file_name.endswith(".csv")
        assert printable.file_name is not None and printable.file_name.endswith(".html")
        text = file_bytes(sandbox_state, sheet).decode("utf-8")
        assert text.startswith(BOM)
        rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
        codes = [row[2] for row in rows[1:]]
        assert len(codes) == 3 and all(row[1] == "신도림동" for row in rows[1:])
        page = file_bytes(sandbox_state, printable).decode("utf-8")
        assert all(f"/verify {code}" in page for code in codes)
        assert page.count('class="slip"') == 3 and "A4" in page

        # mistyped, then right (lower case, spaces)
        await minji.say("/verify ABCD-EFGH")
        wrong = (await minji.wait_for_message()).text
        assert "❓" in wrong and wrong.endswith("\n4번 더 틀리면 1시간 동안 입력할 수 없어요.")
        await minji.say(f"/verify {codes[0].lower().replace('-', ' ')}")
        reply = await minji.wait_for_message()
        assert reply.text == (
            "✅ 완료! 이제 신도림동 주민으로 주민참여예산 투표에 참여할 수 있어요."
        )
        # somebody else cannot use the same code
        await yeongsu.say(f"/verify {codes[0]}")
        assert "⛔" in (await yeongsu.wait_for_message()).text

        # five wrong codes: the fifth reply says when to try again; the right code waits too
        left = []
        for attempt in range(5):
            await haneul.say(f"/verify ZZZZ-ZZZ{'23456'[attempt]}")
            reply = await haneul.wait_for_message()
            left.append(reply.text.splitlines()[-1])
        assert left[:4] == [f"{n}번 더 틀리면 1시간 동안 입력할 수 없어요." for n in (4, 3, 2, 1)]
        assert "⏳" in reply.text and "틀리면" not in reply.text
        await haneul.say(f"/verify {codes[1]}")
        assert "⏳" in (await haneul.wait_for_message()).text

        # a week later the remaining code has expired
        await clock.advance(timedelta(days=8))
        await yeongsu.say(f"/verify {codes[2]}")
        assert "⌛" in (await yeongsu.wait_for_message()).text

        async with runtime.sessionmaker() as session:
            verified = dict((await session.execute(
                select(User.telegram_id, User.verified_area))).all())
            audit = list(await session.scalars(select(AuditEntry.action)))
    assert verified[9102] == "신도림동"
    assert verified[9103] is None and verified[9104] is None
    assert audit == ["verification.codes_created"]
