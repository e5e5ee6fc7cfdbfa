"""A budget round through the real bot, the sandbox and the web server: an admin creates the
round and its projects by commands, the fake clock opens it, residents vote through the ballot
service, the clock passes the close, and the results reach voters as a photo, the public
channel, the results page and its chart; the admin exports the ballots.

Texts are matched on language-neutral marks (✅, ⚠️, 🗳, numbers, URLs) so the checks hold
before and after the Korean catalogue has the new messages.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import BudgetProject, BudgetRound, RoundPhase, User
from bot.domain.pb.ballot import Action
from bot.services import ballots
from bot.services.ballots import BallotOutcome
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.harness import running_bot, settings_for

ADMIN, CHANNEL = 9501, -100900
ROUND = """/round_new
이름: 2027 구로 주민참여예산
예산: 1억
시작: 2026-11-25 09:00
마감: 2026-11-27
방식: 예산
집계: greedy"""
PROJECTS = (("어린이공원 가로등", "5,000만"), ("경로당 냉난방기", "3,000만"),
            ("도서관 책 구입", "4,000만"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def round_id_of(runtime: Runtime) -> int | None:
    async with runtime.sessionmaker() as session:
        return await session.scalar(select(func.max(BudgetRound.id)))


async def project_ids(runtime: Runtime, round_id: int) -> list[int]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(BudgetProject.id).where(
            BudgetProject.round_id == round_id).order_by(BudgetProject.position)))


async def vote(runtime: Runtime, resident: Resident, round_id: int, choices: list[int]) -> None:
    """The resident's ballot through the ballot service (the chat flow has its own tests)."""
    await resident.say("/start")
    await resident.wait_for_message()
    now = runtime.clock.now()
    async with runtime.sessionmaker() as session, session.begin():
        user_id = await session.scalar(
            select(User.id).where(User.telegram_id == resident.user_id))
        assert user_id is not None
        view = await ballots.load_round(session, round_id)
        assert view is not None
        for project_id in choices:
            tapped = await ballots.tap(
                session, round_id=round_id, round_version=view.version, user_id=user_id,
                project_id=project_id, action=Action.TOGGLE, page=0, now=now)
            assert tapped.outcome is BallotOutcome.OK
        sent = await ballots.submit(session, round_id=round_id, round_version=view.version,
                                    user_id=user_id, now=now)
        assert sent.outcome is BallotOutcome.OK


def photos(messages: list[SentMessage]) -> list[SentMessage]:
    return [m for m in messages if m.file_kind == "photo"]


async def test_an_admin_runs_a_round_and_voters_get_the_results_with_the_chart(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    minji, yeongsu, haneul = (residents.resident(9502, "민지"), residents.resident(9503, "영수"),
                              residents.resident(9504, "하늘"))
    channel = residents.group(CHANNEL, "구로 소식")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            public_channel_id=CHANNEL, port=port, public_base_url=base)
    async with running_bot(settings, clock, serve_web=True) as runtime:
        # a resident can use none of the admin commands (refused and logged)
        for command in (ROUND, "/rounds", "/project_add 1\n제목: 가\n비용: 1억",
                        "/round_import 1", "/round_export 1"):
            await haneul.say(command)
            refused = await haneul.wait_for_message()
            assert refused.file_kind is None and "#" not in (refused.text or "")
        assert await round_id_of(runtime) is None
        # without a form, the example; with a bad form, the bad line
        await admin.say("/round_new")
        assert "/round_new" in ((await admin.wait_for_message("예산:")).text or "")
        await admin.say(ROUND.replace("예산: 1억", "예산: 0"))
        bad = await admin.wait_for_message("⚠️")
        assert "예산: 0" in (bad.text or "")
        assert await round_id_of(runtime) is None
        await admin.say(ROUND)
        created = await admin.wait_for_message("✅")
        round_id = await round_id_of(runtime)
        assert round_id is not None and f"/project_add {round_id}" in (created.text or "")

        for title, cost in PROJECTS:
            await admin.say(f"/project_add {round_id}\n제목: {title}\n비용: {cost}")
            await admin.wait_for_message(title)
        await admin.say(f"/project_add {round_id + 1}\n제목: 없는 회차\n비용: 1억")
        assert f"{round_id + 1}" in ((await admin.wait_for_message("/rounds")).text or "")
        await admin.say("/rounds")
        assert "2027 구로 주민참여예산" in ((await admin.wait_for_message("🗳")).text or "")
        lamp, hall, library = await project_ids(runtime, round_id)

        # the fake clock opens the round; the channel hears of it
        await clock.advance(timedelta(hours=19))  # 2026-11-25 10:00 KST
        opened = await channel.wait_for_message("/budget", after=0)
        assert f"{base}/budget/{round_id}" in (opened.text or "")
        told = await admin.wait_for_message(f"{base}/budget/{round_id}", after=0)
        assert told.buttons, "the admin who made the round hears it opened, with the vote button"
        await admin.say(f"/project_add {round_id}\n제목: 늦은 사업\n비용: 1,000만")
        assert "✅" not in ((await admin.wait_for_message()).text or "")
        assert len(await project_ids(runtime, round_id)) == 3
        await admin.say(f"/round_export {round_id}")
        await admin.wait_for_message(predicate=lambda m: "/round_export" not in (m.text or "")
                                     and m.from_bot and m.file_kind is None)
        assert not [m for m in admin.inbox() if m.file_kind == "document"]

        await vote(runtime, minji, round_id, [lamp, hall])
        await vote(runtime, yeongsu, round_id, [hall, library])
        await vote(runtime, haneul, round_id, [lamp])

        # past the close: counted once, published to voters (as a photo) and the channel
        await clock.advance(timedelta(days=3))  # 2026-11-28 10:00 KST
        for chat in (minji, yeongsu, haneul, channel, admin):
            await chat.wait_for_message(predicate=lambda m: m.file_kind == "photo", after=0)
        caption = photos(minji.inbox())[0].text or ""
        assert f"{base}/budget/{round_id}" in caption and "✅" in caption
        assert caption.index("경로당 냉난방기") < caption.index("어린이공원 가로등")
        # the project not funded comes after, with the money that was left at its turn
        assert caption.index("어린이공원 가로등") < caption.index("▫️ 도서관 책 구입")
        assert "2,000만 원" in caption.split("▫️ 도서관 책 구입")[1]
        photo_calls = sandbox_state.calls_to("sendPhoto")
        assert {c.params["photo"] for c in photo_calls} == {f"{base}/budget/{round_id}/chart.png"}
        async with runtime.sessionmaker() as session:
            row = await session.get(BudgetRound, round_id)
            assert row is not None and row.phase == RoundPhase.PUBLISHED
            assert row.results is not None and row.results["selected"] == [hall, lamp]

        # another sweep changes nothing
        await clock.advance(timedelta(hours=1))
        await minji.say("/start")
        await minji.wait_for_message(predicate=lambda m: m.file_kind is None, after=0)
        assert [len(photos(c.inbox())) for c in (minji, yeongsu, haneul, admin)] == [1, 1, 1, 1]
        assert len(photos(channel.bot_messages())) == 1

        # the export: a .pb and a .csv document
        await admin.say(f"/round_export {round_id}")
        await admin.wait_for_message(predicate=lambda m: (m.file_name or "").endswith(".csv"))
        names = sorted(m.file_name or "" for m in admin.inbox() if m.file_kind == "document")
        assert names == [f"budget-round-{round_id}.csv", f"budget-round-{round_id}.pb"]
        await admin.say("/rounds")
        assert f"{base}/budget/{round_id}" in ((await admin.wait_for_message("🗳")).text or "")

        # the public page and its chart
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/budget/{round_id}") as page:
                assert page.status == 200
                html = await page.text()
            async with http.get(f"{base}/budget/{round_id}/chart.png") as chart:
                assert chart.status == 200 and chart.content_type == "image/png"
                assert (await chart.read()).startswith(b"\x89PNG")
            async with http.get(f"{base}/budget/{round_id + 1}") as missing:
                assert missing.status == 404
        assert "경로당 냉난방기" in html and f"/budget/{round_id}/chart.png" in html
        assert "8,000만 원" in html  # the money used, in the Korean format
        assert "남은 예산" in html and "남은 예산 2,000만 원보다 비싸요" in html  # 도서관's why
