"""The final answer through the real bot and the sandbox: its push says the decision, the
completion date and the budget; 🙂 / 🙁 are ticked on the push itself (a double tap changes
nothing and the strict sandbox sees no edit that changes nothing); 🙁 asks why, by one tap or
one typed sentence (masked before it is kept), and says when the department is asked to
review again; the moderators' alert counts the reasons; forged buttons get a polite answer.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import SatisfactionVote, User
from bot.domain.policy import Policy
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.answering import final_answer_followed_by
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS = -100777
AUTHOR, YEONGSU, JIHUN = 8701, 8702, 8703
async def publish_final_answer(runtime: Runtime) -> int:
    """A proposal awaiting its answer, followed by three residents; the department answers."""
    return await final_answer_followed_by(runtime, author=AUTHOR,
                                          followers=[AUTHOR, YEONGSU, JIHUN])


async def tap(resident: Resident, message: SentMessage, data: str) -> str:
    """Press and return the toast or pop-up text."""
    answer = await resident.wait_for_callback_answer(await resident.press_data(message, data))
    return answer.text or ""


async def stored_votes(runtime: Runtime) -> dict[int, tuple[bool, str | None, str | None]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            select(User.telegram_id, SatisfactionVote.satisfied, SatisfactionVote.reason_code,
                   SatisfactionVote.reason_text)
            .join(User, User.id == SatisfactionVote.user_id))
        return {tid: (satisfied, code, text) for tid, satisfied, code, text in rows}


async def test_the_answer_push_says_what_was_decided_and_a_rating_feels_answered(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
    sandbox_state: SandboxState,
) -> None:
    moderators = residents.group(MODERATORS, "공감 운영진")
    author, yeongsu = residents.resident(AUTHOR, "민지"), residents.resident(YEONGSU, "영수")
    jihun = residents.resident(JIHUN, "지훈")
    policy = Policy(dissatisfaction_percent=30, dissatisfaction_min_responses=3)
    settings = settings_for(database_url, sandbox, policy=policy, moderator_chat_id=MODERATORS)
    async with running_bot(settings, clock) as runtime:
        pid = await publish_final_answer(runtime)
        push = await yeongsu.wait_for_message("📨", after=0)
        assert "<b>" not in push.text and "수용" in push.text
        assert "완료 예정: 2027년 3월 31일(수)까지" in push.text
        assert "예산: 1억 2,000만 원" in push.text
        assert push.button_texts[:2] == ["🙂 만족", "🙁 불만족"]

        assert "불만족으로 기록했어요" in await tap(yeongsu, push, f"ra:1:{pid}:0")
        marked = await yeongsu.wait_for_edit(push)
        assert marked.button_texts[:2] == ["🙂 만족", "✓ 🙁 불만족"]
        question = await yeongsu.wait_for_message("어떤 점이 아쉬웠나요", after=push.message_id)
        assert "3명 이상" in question.text and "30%를 넘게" in question.text
        assert "재검토" in question.text
        edits = len(sandbox_state.calls_to("editMessageReplyMarkup"))
        assert "이미 불만족" in await tap(yeongsu, marked, f"ra:1:{pid}:0")  # a double tap
        assert len(sandbox_state.calls_to("editMessageReplyMarkup")) == edits
        await yeongsu.press(question, "답변이 늦어요")
        thanked = await yeongsu.wait_for_edit(question)
        assert "감사합니다" in thanked.text and not thanked.buttons

        # forged or stale buttons: a polite pop-up, nothing stored
        for forged in (f"ry:1:{pid}:drop_table", f"ra:1:{pid}:7"):
            assert "더 이상" in await tap(yeongsu, marked, forged)
        assert "🙁" in await tap(author, push, f"ry:1:{pid}:vague")  # never rated: no reason

        # 🙂 moves the tick; the reason given with 🙁 goes with it
        assert "만족으로 기록했어요" in await tap(yeongsu, marked, f"ra:1:{pid}:1")
        happy = await yeongsu.wait_for_edit(marked)
        assert happy.button_texts[:2] == ["✓ 🙂 만족", "🙁 불만족"]
        assert (await stored_votes(runtime))[YEONGSU] == (True, None, None)

        # a reason in one typed sentence, personal data masked before it is kept
        jihun_push = await jihun.wait_for_message("📨", after=0)
        await tap(jihun, jihun_push, f"ra:1:{pid}:0")
        ask = await jihun.wait_for_message("어떤 점이 아쉬웠나요", after=jihun_push.message_id)
        await jihun.press(ask, "✍️ 직접 쓸게요")
        await jihun.wait_for_edit(ask)
        await jihun.say("짧아")
        await jihun.wait_for_message("5자 이상")
        await jihun.say("공사 일정이 하나도 없어요. 010-1234-5678로 알려 주세요")
        await jihun.wait_for_message("이유를 전달할게요")

        # the third response passes the share: the moderators see the reasons counted
        author_push = await author.wait_for_message("📨", after=0)
        await tap(author, author_push, f"ra:1:{pid}:0")
        ask = await author.wait_for_message("어떤 점이 아쉬웠나요", after=author_push.message_id)
        alert = await moderators.wait_for_message("⚠️", after=0)
        assert "· 기타(직접 작성): 1명" in alert.text and "010-****-****" in alert.text
        assert "1234" not in alert.text
        await author.press(ask, "건너뛰기")
        assert "감사합니다" in (await author.wait_for_edit(ask)).text
    votes = await stored_votes(runtime)
    assert votes[JIHUN] == (False, "other",
                            "공사 일정이 하나도 없어요. 010-****-****로 알려 주세요")
    assert votes[AUTHOR] == (False, None, None)
