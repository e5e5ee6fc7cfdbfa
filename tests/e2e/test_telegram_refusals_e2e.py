"""What Telegram refuses no longer reaches residents as a false 「잠시 후 다시 시도해 주세요」.

The sandbox refuses as Telegram does (a second answer to one button press, an edit that
changes nothing, HTML it cannot parse), so these run the real bot against it: a redraw that
changes nothing is a success, every pressed button gets one answer and it is the one that
matters, and usage lines with <placeholders> go out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import ProposalDraft
from bot.domain.policy import Policy
from bot.services.bans import ban_user
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN = 9001
TRY_LATER = "잠시 후 다시 시도해 주세요"


@pytest.fixture
async def bot(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient
) -> AsyncIterator[Runtime]:
    """The bot with a threshold of 2 and one admin."""
    settings = replace(settings_for(database_url, sandbox),
                       policy=Policy(endorsement_threshold=2),
                       admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        yield runtime


async def seed_proposal(runtime: Runtime, author_telegram_id: int) -> int:
    async with runtime.sessionmaker() as session, session.begin():
        author = await make_user(session, author_telegram_id, START)
        return (await make_proposal(session, author, START)).id


async def open_card(resident: Resident, proposal_id: int) -> SentMessage:
    await resident.say(f"/start p{proposal_id}")
    return await resident.wait_for_message(f"#{proposal_id}")


async def ban(runtime: Runtime, telegram_id: int, reason: str) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        await ban_user(session, telegram_id=telegram_id, days=7, reason=reason,
                       actor="telegram:1", now=START)


def answer_calls(state: SandboxState, query_id: str) -> int:
    """How often the bot tried to answer this button press (Telegram takes only one)."""
    return sum(1 for call in state.calls_to("answerCallbackQuery")
               if call.params.get("callback_query_id") == query_id)


def said_try_later(resident: Resident) -> bool:
    return any(TRY_LATER in (message.text or "") for message in resident.inbox())


async def test_a_double_tap_on_gonggam_is_answered_once_and_is_no_failure(
    bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    pid = await seed_proposal(bot, 7100)
    yeongsu = residents.resident(7101, "영수")
    card = await open_card(yeongsu, pid)

    first = await yeongsu.press_data(card, f"e:1:{pid}")
    await yeongsu.wait_for_callback_answer(first)
    await yeongsu.wait_for_edit(card)
    second = await yeongsu.press_data(card, f"e:1:{pid}")
    again = await yeongsu.wait_for_callback_answer(second)

    assert again.text == "이미 공감하셨어요."
    assert answer_calls(sandbox_state, first) == answer_calls(sandbox_state, second) == 1
    assert not said_try_later(yeongsu)


async def test_the_authors_own_gonggam_and_a_stale_tap_after_the_threshold(
    bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    pid = await seed_proposal(bot, 7200)
    author = residents.resident(7200, "민지")
    own_card = await open_card(author, pid)
    own = await author.press_data(own_card, f"e:1:{pid}")
    assert (await author.wait_for_callback_answer(own)).text == "내 제안에는 공감할 수 없어요."

    first, second = residents.resident(7201, "영수"), residents.resident(7202, "지훈")
    cards = {person.user_id: await open_card(person, pid) for person in (first, second)}
    for person in (first, second):
        await person.wait_for_callback_answer(
            await person.press_data(cards[person.user_id], f"e:1:{pid}"))
        await person.wait_for_edit(cards[person.user_id])
    stale = await second.press_data(cards[second.user_id], f"e:1:{pid}")  # the threshold is met
    stale_answer = await second.wait_for_callback_answer(stale)

    assert stale_answer.text and TRY_LATER not in stale_answer.text
    assert answer_calls(sandbox_state, own) == answer_calls(sandbox_state, stale) == 1
    assert not any(said_try_later(person) for person in (author, first, second))


async def preview_of_a_new_proposal(resident: Resident) -> SentMessage:
    await resident.say("/propose")
    await resident.wait_for_message("1/7")
    for answer, next_step in (
        ("공원 산책로 가로등 설치", "2/7"),
        ("밤에 공원 산책로가 너무 어두워서 산책하기 무서워요.", "3/7"),
        ("산책로를 따라 가로등을 설치해 주세요.", "4/7"),
        ("밤에도 안전하게 산책할 수 있어요.", "5/7"),
    ):
        await resident.say(answer)
        await resident.wait_for_message(next_step)
    await resident.press(resident.last_message(), "건너뛰기 ⏭")
    await resident.press(await resident.wait_for_message("6/7"), "건너뛰기 ⏭")
    await resident.press(await resident.wait_for_message("7/7"), "건너뛰기 ⏭")
    return await resident.wait_for_message("미리 보기")


async def test_a_banned_resident_pressing_publish_reads_the_reason(
    bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    suji = residents.resident(7300, "수지")
    preview = await preview_of_a_new_proposal(suji)
    await ban(bot, 7300, "반복된 광고 게시")

    query_id = await suji.press(preview, "✅ 게시하기")
    answer = await suji.wait_for_callback_answer(query_id)

    assert answer.show_alert and "반복된 광고 게시" in (answer.text or "")
    assert answer_calls(sandbox_state, query_id) == 1
    assert not any("게시되었어요" in (m.text or "") for m in suji.inbox())


@pytest.mark.parametrize("opening", ["/propose", "✍️ 제안하기"])
async def test_a_banned_resident_is_told_at_the_start_of_a_proposal(
    bot: Runtime, residents: SandboxClient, opening: str
) -> None:
    suji = residents.resident(7400, "수지")
    await suji.say("/start")
    await suji.wait_for_message()
    await ban(bot, 7400, "반복된 광고 게시")

    await suji.say(opening)
    notice = await suji.wait_for_message("반복된 광고 게시")

    assert "죄송해요" in notice.text
    assert not any("1/7" in (m.text or "") for m in suji.inbox())
    async with bot.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProposalDraft)) == 0


async def test_a_ban_notice_too_long_for_a_popup_arrives_as_a_message(
    bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState
) -> None:
    pid = await seed_proposal(bot, 7500)
    reason = "같은 내용의 광고 글을 여러 동의 제안에 반복해서 올림 " * 6
    yeongsu = residents.resident(7501, "영수")
    card = await open_card(yeongsu, pid)
    await ban(bot, 7501, reason)

    query_id = await yeongsu.press_data(card, f"e:1:{pid}")
    await yeongsu.wait_for_callback_answer(query_id)
    notice = await yeongsu.wait_for_message("죄송해요")

    assert " ".join(reason.split()) in notice.text
    assert answer_calls(sandbox_state, query_id) == 1


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("/assign", "사용법: /assign <제안 번호> [부서 이름이나 번호]"),
        ("/rereview_decide", "사용법: /rereview_decide <제안 번호> yes|no"),
        ("/poll_new", "사용법: /poll_new <시간> | <질문>"),
        ("/codes_new", "사용법: /codes_new <동> <코드 개수> <유효 일수>"),
        ("/round_export", "사용법: /round_export <회차 번호>"),
    ],
)
async def test_usage_lines_with_placeholders_reach_the_admin(
    bot: Runtime, residents: SandboxClient, command: str, usage: str
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    await admin.say("/start")
    await admin.wait_for_message()

    await admin.say(command)

    assert usage in (await admin.wait_for_message("사용법")).text


async def test_a_failure_after_the_answer_is_told_by_message_not_by_a_second_answer(
    bot: Runtime, residents: SandboxClient, sandbox_state: SandboxState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pid = await seed_proposal(bot, 7700)
    yeongsu = residents.resident(7701, "영수")
    card = await open_card(yeongsu, pid)
    sandbox_state.fail_next("editMessageText", error_code=400,
                            description="Bad Request: something unexpected")

    query_id = await yeongsu.press_data(card, f"e:1:{pid}")
    answer = await yeongsu.wait_for_callback_answer(query_id)
    await yeongsu.wait_for_message(TRY_LATER)

    assert answer.text and "공감" in answer.text
    assert answer_calls(sandbox_state, query_id) == 1
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(failures) == 1 and "failed" in failures[0]
    caplog.clear()  # the one failure this test provokes on purpose
