"""The in-process client and the state it drives, without HTTP."""

import pytest

from sandbox import SandboxClient, SandboxState
from sandbox.state import BotApiError


def test_push_update_assigns_increasing_ids_and_keeps_raw_payloads(state: SandboxState) -> None:
    first = state.push_update({"message": {"forged": True}})
    second = state.push_update({"callback_query": {"id": "fake", "data": "x" * 200}})

    assert second == first + 1
    assert state.updates[0] == {"update_id": first, "message": {"forged": True}}
    state.answer_callback_query("fake", None, False)
    assert state.callback_answers["fake"].text is None


def test_fail_next_applies_the_given_number_of_times(state: SandboxState) -> None:
    state.fail_next("sendMessage", error_code=400, description="Bad Request: boom", times=2)

    faults = [state.take_fault("SENDMESSAGE") for _ in range(3)]

    assert [f.description if f else None for f in faults] == [
        "Bad Request: boom",
        "Bad Request: boom",
        None,
    ]


async def test_group_messages_and_waiting(client: SandboxClient, state: SandboxState) -> None:
    group = client.group(-1001, "OO동 주민방")
    minji = client.resident(1001, "민지")

    await minji.say_in(group, "/propose@gonggam_sandbox_bot 가로등")
    state.send_message(-1001, "제안을 접수했어요", reply_to_message_id=1)
    reply = await group.wait_for_message("접수")

    assert reply.from_bot and reply.chat_id == -1001
    assert state.updates[-1]["message"]["entities"][0]["length"] == len(
        "/propose@gonggam_sandbox_bot"
    )
    assert minji.inbox() == []


async def test_press_lists_the_buttons_when_the_label_is_wrong(
    client: SandboxClient, state: SandboxState
) -> None:
    minji = client.resident(1001)
    state.send_message(
        1001, "고르세요",
        reply_markup={"inline_keyboard": [[{"text": "예", "callback_data": "y"}]]},
    )

    with pytest.raises(AssertionError, match=r"buttons: \['예'\]"):
        await minji.press(minji.last_message(), "아니오")


async def test_anonymous_poll_votes_arrive_as_poll_updates(
    client: SandboxClient, state: SandboxState
) -> None:
    minji = client.resident(1001)
    state.send_poll(1001, "어때요?", ["좋아요", "별로예요"], is_anonymous=True)

    await minji.answer_poll(minji.last_message(), [0])
    await minji.answer_poll(minji.last_message(), [1])

    poll = state.updates[-1]["poll"]
    assert [o["voter_count"] for o in poll["options"]] == [0, 1]
    assert poll["total_voter_count"] == 1


def test_unknown_chat_and_missing_message_errors(state: SandboxState) -> None:
    state.add_user(1001, "민지")

    with pytest.raises(BotApiError, match="chat not found"):
        state.send_message(5, "hi")
    with pytest.raises(BotApiError, match="message to edit not found"):
        state.edit_message_text(1001, 42, "hi")
