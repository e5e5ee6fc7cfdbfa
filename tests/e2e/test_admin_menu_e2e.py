"""The /admin menu through the real bot: sections by role, counts, paginated lists, and the
screens that point at other parts of the bot. Matched on data, numbers, titles and emoji."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import BudgetRound, Poll, RoundPhase
from bot.domain.lifecycle import ProposalStatus
from bot.handlers.exports import parse_export
from bot.services.departments import create_department
from bot.services.exports import Dataset
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MODERATOR = 8701, 8702


@dataclass
class Menu:
    runtime: Runtime
    admin: Resident
    moderator: Resident


@pytest.fixture
async def menu(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Menu]:
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}),
                            areas=("구로1동", "신도림동"), categories=("교통", "환경"))
    admin, moderator = residents.resident(ADMIN, "관리자"), residents.resident(MODERATOR, "김모더")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(admin, moderator)
        async with runtime.sessionmaker() as session, session.begin():
            author = await make_user(session, 8710, START)
            for n in range(7):
                await make_proposal(session, author, START, title=f"모으는 제안 {n + 1}")
            await make_proposal(session, author, START, title="늦은 답변 제안",
                                status=ProposalStatus.AWAITING_ANSWER,
                                answer_due=START - timedelta(days=3))
            await make_proposal(session, author, START, title="숨긴 제안", hidden=True)
            await create_department(session, name="도로과", now=START)
            session.add(BudgetRound(
                name="2027 주민참여예산", budget_krw=300_000_000, ballot_type="approval_budget",
                eligibility="everyone", rule="greedy", tie_break="cheapest", changeable=True,
                phase=RoundPhase.VOTING, opens_at=START, closes_at=START + timedelta(days=3),
                created_at=START, created_by="test"))
            session.add(Poll(question="내년에 먼저 할 사업은?", options=["가로등", "놀이터"],
                             multiple=False, closes_at=START + timedelta(days=1),
                             created_at=START, created_by="test", announced=False))
        yield Menu(runtime, admin, moderator)


def sections(message: SentMessage) -> list[str]:
    return [data.split(":")[2] for row in message.buttons for _, data in row if data]


async def go(resident: Resident, message: SentMessage, data: str) -> SentMessage:
    await resident.press_data(resident.message(message.message_id), data)
    return await resident.wait_for_edit(resident.message(message.message_id))


async def test_admins_see_every_section_and_moderators_only_theirs(menu: Menu) -> None:
    await menu.admin.say("/admin")
    full = await menu.admin.wait_for_message("🛠")
    await menu.moderator.say("/admin")
    partial = await menu.moderator.wait_for_message("🛠")
    admin_only = {"broadcasts", "codes", "audit", "roles"}
    assert admin_only <= set(sections(full))
    assert set(sections(partial)) == set(sections(full)) - admin_only
    assert {"queue", "proposals", "overdue", "departments", "taxonomy", "rounds", "polls",
            "stats", "exports"} <= set(sections(partial))


async def test_proposals_by_status_with_counts_and_pages(menu: Menu) -> None:
    await menu.moderator.say("/admin")
    screen = await menu.moderator.wait_for_message("🛠")
    overview = await go(menu.moderator, screen, "am:1:proposals:-:0")
    collecting = next(text for text, data in (b for row in overview.buttons for b in row)
                      if data == "al:1:show:s1-p0")  # the staff list of the status
    assert "(8)" in collecting  # seven plus the hidden one
    first = await go(menu.moderator, overview, "al:1:show:s1-p0")
    assert "숨긴 제안" not in first.text and "운영 원칙에 따라 숨겨진 글이에요" in first.text
    assert "모으는 제안 1" in first.text and "모으는 제안 7" in first.text  # ten a page
    assert len([d for row in first.buttons for _, d in row if d.startswith("ap:1:")]) == 8
    back = await go(menu.moderator, first, "am:1:menu:-:0")
    assert "🛠" in back.text


async def test_every_section_draws(menu: Menu) -> None:
    await menu.admin.say("/admin")
    screen = await menu.admin.wait_for_message("🛠")
    expected = {
        "queue": "📥", "overdue": "늦은 답변 제안", "departments": "도로과",
        "taxonomy": "신도림동", "rounds": "2027 주민참여예산", "polls": "내년에 먼저 할 사업은?",
        "moderation": "/merge", "codes": "/codes_new", "stats": "/stats",
        "broadcasts": "/broadcast", "exports": "/export", "audit": "/audit", "roles": "/grant",
    }
    for section, mark in expected.items():
        screen = await go(menu.admin, screen, f"am:1:{section}:-:0")
        assert mark in screen.text, (section, screen.text)
        screen = await go(menu.admin, screen, "am:1:menu:-:0")


async def test_unknown_sections_and_pages_change_nothing(menu: Menu) -> None:
    await menu.admin.say("/admin")
    screen = await menu.admin.wait_for_message("🛠")
    for data in ("am:1:nothing:-:0", "am:1:queue:-:-1"):
        answer = await menu.admin.wait_for_callback_answer(
            await menu.admin.press_data(screen, data))
        assert answer is not None
    assert menu.admin.message(screen.message_id).edit_count == 0
    odd = await go(menu.admin, screen, "am:1:proposals:nonsense:0")  # back to the overview
    assert "al:1:show:s1-p0" in [d for row in odd.buttons for _, d in row]


# ----- the UX pass (the Korean wording below needs the merged catalogue) ----------------------


def texts(message: SentMessage) -> list[list[str]]:
    return [[text for text, _ in row] for row in message.buttons]


async def test_the_pager_shows_the_page_and_pressing_it_changes_nothing(menu: Menu) -> None:
    await menu.moderator.say("/admin")
    screen = await menu.moderator.wait_for_message("🛠")
    first = await go(menu.moderator, screen, "am:1:proposals:collecting:0")
    assert texts(first)[0] == ["1/2쪽", "▶"]  # eight proposals, five a page
    answer = await menu.moderator.wait_for_callback_answer(
        await menu.moderator.press_data(first, "am:1:page:-:0"))
    assert answer is not None
    assert menu.moderator.message(first.message_id).edit_count == first.edit_count
    second = await go(menu.moderator, first, "am:1:proposals:collecting:1")
    assert texts(second)[0] == ["◀", "2/2쪽"]
    overdue = await go(menu.moderator, second, "am:1:overdue:-:0")
    assert len(texts(overdue)) == 2  # one page: no pager at all, a button to open the line
    assert texts(overdue)[0][0].startswith("#") and texts(overdue)[1] == ["↩️ 돌아가기"]


async def test_statistics_departments_and_categories_read_well(menu: Menu) -> None:
    async with menu.runtime.sessionmaker() as session, session.begin():
        await create_department(session, name="공원녹지과", now=START)
    await menu.moderator.say("/admin")
    screen = await menu.moderator.wait_for_message("🛠")
    stats = await go(menu.moderator, screen, "am:1:stats:-:0")
    assert all(stats.buttons) and texts(stats) == [["↩️ 돌아가기"]]  # no empty row
    assert re.search(r"2027 주민참여예산: \d+명 중 0명 투표 \(0%\)", stats.text), stats.text
    screen = await go(menu.moderator, stats, "am:1:departments:-:0")
    assert screen.text.index("공원녹지과") < screen.text.index("도로과")  # by name, not by id
    screen = await go(menu.moderator, screen, "am:1:taxonomy:-:0")
    assert "· 교통 → (없음)" in screen.text and "· 환경 → (없음)" in screen.text


async def test_the_staff_help_is_korean_with_an_example(menu: Menu) -> None:
    await menu.moderator.say("/admin")
    screen = await menu.moderator.wait_for_message("🛠")
    help_screen = await go(menu.moderator, screen, "am:1:moderation:-:0")
    for line in ("/hide p|o <번호> <사유> · /restore p|o <번호> (p=제안, o=의견)",
                 "예: /hide p 12 광고 글", "/ban <텔레그램 ID> <일수|영구> <사유>"):
        assert line in help_screen.text, line
    exports = await go(menu.moderator, help_screen, "am:1:exports:-:0")
    assert "/export 제안|답변|토론|예산|부서 [csv|json]\n예: /export 제안 csv" in exports.text
    await menu.moderator.say("/export")
    usage = await menu.moderator.wait_for_message()
    assert usage.text == ("사용법: /export <제안|답변|토론|예산|부서> [csv|json]\n"
                          "예: /export 제안 csv")
    await menu.moderator.say("/export 토론 json")
    sent = await menu.moderator.wait_for_message(predicate=lambda m: m.file_kind is not None)
    assert (sent.file_name or "").endswith(".json") and "debates" in (sent.file_name or "")


def test_export_takes_the_korean_names_of_the_datasets() -> None:
    assert parse_export("/export 제안") == (Dataset.PROPOSALS, "csv")
    assert parse_export("/export 답변 json") == (Dataset.ANSWERS, "json")
    assert parse_export("/export 토론") == (Dataset.DEBATES, "csv")
    assert parse_export("/export 예산 csv") == (Dataset.ROUNDS, "csv")
    assert parse_export("/export rounds") == (Dataset.ROUNDS, "csv")
    assert parse_export("/export 사람") is None and parse_export("/export 제안 xml") is None
