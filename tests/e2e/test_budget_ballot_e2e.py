"""The participatory-budget ballot through the real bot and the sandbox: two residents vote
with the chat buttons, a tap over the budget is refused with the reason, a double submit
keeps one receipt, a left draft is reminded 48 h and 6 h before the close and finished from
the reminder, an old button after the close is refused, and a restart keeps the draft.

Texts are matched on language-neutral marks (💰 ✅ ⬜ ▶ 📨 🧾 ⏰ 🗳, amounts, names) so that
the checks hold before and after the Korean catalogue has the new messages.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import BudgetBallot, BudgetProject, BudgetRound, RoundPhase, User
from bot.i18n import I18n
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Resident, SentMessage
from tests.integration.test_budget_ballot_services import make_round
from tests.support.harness import running_bot, settings_for

RECEIPT = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}")


def data_of(message: SentMessage, label_part: str) -> str:
    """The callback data of the first button whose label contains `label_part`."""
    for row in message.buttons:
        for text, data in row:
            if label_part in text and data is not None:
                return data
    raise AssertionError(f"no button with {label_part!r}: {message.button_texts}")


async def press(resident: Resident, message: SentMessage, label_part: str) -> SentMessage:
    """Tap a button and wait for the message to be redrawn."""
    current = resident.message(message.message_id)
    await resident.press_data(current, data_of(current, label_part))
    return await resident.wait_for_edit(current)


async def open_ballot(resident: Resident) -> SentMessage:
    await resident.say("/budget")
    return await resident.wait_for_message("💰")


async def seed_round(runtime: Runtime, clock: ShiftableClock, **overrides: object) -> int:
    async with runtime.sessionmaker() as session, session.begin():
        round_, _ = await make_round(session, clock.now(), **overrides)  # type: ignore[arg-type]
    return round_.id


async def ballots_of(runtime: Runtime) -> dict[int, BudgetBallot]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(select(User.telegram_id, BudgetBallot).join(
            User, User.id == BudgetBallot.user_id))
        return {telegram_id: ballot for telegram_id, ballot in rows}


def reminders(resident: Resident) -> list[SentMessage]:
    return [m for m in resident.inbox() if "⏰" in (m.text or "")]


async def test_two_residents_vote_and_a_left_draft_is_reminded_and_finished(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji, yeongsu = residents.resident(8101, "민지"), residents.resident(8102, "영수")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock)

        # 민지 chooses within the budget; the running line follows every tap
        ballot = await open_ballot(minji)
        assert "3억 원" in (ballot.text or "")
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        ballot = await press(minji, ballot, "1. 가로등 교체")
        ballot = await press(minji, ballot, "2. 놀이터 그늘막")
        assert "✅ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        assert "1억 2,000만 원" in (ballot.text or "") and "1억 8,000만 원" in (ballot.text or "")
        ballot = await press(minji, ballot, "3. 작은 도서관")  # 2억 7,000만 of 3억
        ballot = await press(minji, ballot, "▶")
        assert "⬜ 6. 공원 산책로 · 2억 원" in ballot.button_texts

        # 2억 more would go over by 1억 7,000만: refused with the reason, nothing changes
        query = await minji.press_data(ballot, data_of(ballot, "6. 공원 산책로"))
        answer = await minji.wait_for_callback_answer(query)
        assert answer.show_alert and "1억 7,000만 원" in (answer.text or "")
        assert minji.message(ballot.message_id).edit_count == ballot.edit_count
        assert len((await ballots_of(runtime))[8101].draft) == 3

        # submit: a summary and a confirmation; a double tap on ✅ keeps one receipt
        confirm = await press(minji, ballot, "📨")
        assert "작은 도서관" in (confirm.text or "") and "2억 7,000만 원" in (confirm.text or "")
        yes = data_of(confirm, "✅")
        first = await minji.press_data(confirm, yes)
        second = await minji.press_data(confirm, yes)
        await minji.wait_for_callback_answer(first)
        await minji.wait_for_callback_answer(second)
        receipt = minji.message(confirm.message_id)
        assert "🧾" in (receipt.text or "")
        stored = (await ballots_of(runtime))[8101]
        assert stored.submitted_at is not None and len(stored.choices or {}) == 3
        assert stored.receipt is not None and stored.receipt in (receipt.text or "")
        assert RECEIPT.fullmatch(stored.receipt)

        # 영수 starts a ballot and leaves it
        left = await open_ballot(yeongsu)
        left = await press(yeongsu, left, "5. 골목 CCTV")

        # 48 hours before the close (Wednesday 15:00 KST): one reminder, to 영수 only
        await clock.advance(timedelta(hours=24))
        first_reminder = await yeongsu.wait_for_message("⏰", after=left.message_id)
        await clock.advance(timedelta(hours=1))
        # 6 hours before the close (Friday 09:00 KST): the second and last one
        await clock.advance(timedelta(hours=41))
        last = await yeongsu.wait_for_message("⏰", after=first_reminder.message_id)
        await clock.advance(timedelta(minutes=30))
        await open_ballot(yeongsu)  # a round trip, so a wrongly repeated reminder had its chance
        assert len(reminders(yeongsu)) == 2 and reminders(minji) == []

        # 영수 finishes from the reminder
        resumed = await press(yeongsu, last, "🗳")
        assert "✅ 5. 골목 CCTV · 5,000만 원" in resumed.button_texts
        confirm = await press(yeongsu, resumed, "📨")
        done = await press(yeongsu, confirm, "✅")
        assert "🧾" in (done.text or "") and RECEIPT.search(done.text or "")

        # after the close, a button on an old message is refused and changes nothing
        await clock.advance(timedelta(hours=6))
        query = await yeongsu.press_data(left, data_of(left, "1. 가로등 교체"))
        answer = await yeongsu.wait_for_callback_answer(query)
        assert answer.show_alert and "2027 우리 동네 주민참여예산" in (answer.text or "")
        closed = await yeongsu.wait_for_edit(left)
        assert closed.buttons == ()
        stored_all = await ballots_of(runtime)
        assert len(stored_all[8102].choices or {}) == 1
        assert all(b.submitted_at is not None for b in stored_all.values())

        # the close was counted once: both voters get the results with the chart
        for voter in (minji, yeongsu):
            result = await voter.wait_for_message(
                predicate=lambda m: m.file_kind == "photo", after=0)
            assert "가로등 교체" in (result.text or "") and "/budget/" in (result.text or "")
        assert [len([m for m in v.inbox() if m.file_kind == "photo"]) for v in (minji, yeongsu)] \
            == [1, 1]


async def test_a_restart_keeps_the_draft_and_the_page(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    haneul = residents.resident(8103, "하늘")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        await seed_round(runtime, clock)
        ballot = await open_ballot(haneul)
        ballot = await press(haneul, ballot, "1. 가로등 교체")
        await press(haneul, ballot, "▶")
    async with running_bot(settings, clock):
        again = await open_ballot(haneul)
        assert "⬜ 6. 공원 산책로 · 2억 원" in again.button_texts  # the same page
        assert "1억 원" in (again.text or "")  # the same choices
        back = await press(haneul, again, "◀")
        assert "✅ 1. 가로등 교체 · 1억 원" in back.button_texts


async def test_no_round_the_next_round_and_a_choice_of_rounds(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8104, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await minji.say(I18n().get("ko").gettext("💰 Participatory budget"))  # the menu button
        assert "💰" in (await minji.wait_for_message()).text  # type: ignore[operator]
        await seed_round(runtime, clock, name="내년 예산", phase=RoundPhase.PREPARING,
                         opens_at=clock.now() + timedelta(days=2))
        await minji.say("/budget")
        assert "내년 예산" in ((await minji.wait_for_message("💰")).text or "")
        await seed_round(runtime, clock, name="가 동 예산")
        await seed_round(
            runtime, clock, name="나 동 예산", closes_at=clock.now() + timedelta(days=5)
        )
        await minji.say("/budget")
        picker = await minji.wait_for_message("💰")
        names = [label.split(" (")[0] for label in picker.button_texts]
        assert names == ["가 동 예산", "나 동 예산"]
        ballot = await press(minji, picker, "나 동 예산")
        assert "나 동 예산" in (ballot.text or "")
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts


async def test_a_contact_round_asks_for_the_phone_number_first(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8105, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock, eligibility="contact")
        await minji.say("/budget")
        asked = await minji.wait_for_message()
        assert asked.reply_keyboard is not None and "💰" not in (asked.text or "")
        await minji.share_contact("+82 10-1234-5678")
        await minji.wait_for_message()
        ballot = await open_ballot(minji)
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        async with runtime.sessionmaker() as session:
            round_ = (await session.scalars(select(BudgetRound))).one()
        assert round_.eligibility == "contact"


async def test_a_button_drawn_before_the_project_list_changed_is_refused_with_a_fresh_view(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8106, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        round_id = await seed_round(runtime, clock, projects=(("가로등 교체", 10**8),))
        ballot = await open_ballot(minji)
        async with runtime.sessionmaker() as session, session.begin():
            session.add(BudgetProject(round_id=round_id, title="새 쉼터", description="",
                                      cost_krw=10**7, position=1))
        query = await minji.press_data(ballot, data_of(ballot, "1. 가로등 교체"))
        answer = await minji.wait_for_callback_answer(query)
        fresh = await minji.wait_for_edit(ballot)
        assert answer.show_alert
        assert fresh.button_texts[:2] == [
            "⬜ 1. 가로등 교체 · 1억 원", "⬜ 2. 새 쉼터 · 1,000만 원",
        ]
        assert (await ballots_of(runtime)) == {}  # the stale tap changed nothing
        chosen = await press(minji, fresh, "1. 가로등 교체")  # the fresh buttons work
        assert "✅ 1. 가로등 교체 · 1억 원" in chosen.button_texts


async def test_a_cumulative_ballot_moves_points_within_the_limits(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8107, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock, ballot_type="cumulative", points_total=3,
                         points_per_project=2)
        ballot = await open_ballot(minji)
        ballot = await press(minji, ballot, "➕")
        ballot = await press(minji, ballot, "➕")
        assert "1. 가로등 교체 · 2 · 1억 원" in ballot.button_texts
        query = await minji.press_data(ballot, data_of(ballot, "➕"))  # a third point: refused
        assert (await minji.wait_for_callback_answer(query)).show_alert
        query = await minji.press_data(ballot, data_of(ballot, "1. 가로등 교체"))  # the details
        details = await minji.wait_for_callback_answer(query)
        assert "가로등 교체 사업입니다." in (details.text or "")
        assert "1억 원" in (details.text or "")
        ballot = await press(minji, ballot, "➖")
        assert "1. 가로등 교체 · 1 · 1억 원" in ballot.button_texts
        assert list((await ballots_of(runtime))[8107].draft.values()) == [1]



async def test_the_channel_link_opens_the_ballot_and_a_change_starts_on_page_one(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8108, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await seed_round(runtime, clock)
        await minji.say("/start budget")  # what t.me/<bot>?start=budget sends
        ballot = await minji.wait_for_message("💰")
        assert "⬜ 1. 가로등 교체 · 1억 원" in ballot.button_texts
        ballot = await press(minji, ballot, "▶")
        ballot = await press(minji, ballot, "6. 공원 산책로")
        confirm = await press(minji, ballot, "📨")
        receipt = await press(minji, confirm, "✅")
        assert "🧾" in (receipt.text or "")
        change = await press(minji, receipt, "✏️")
        assert "⬜ 1. 가로등 교체 · 1억 원" in change.button_texts  # page 1, not the last one
        assert "공원 산책로" in (change.text or "").split("\n")[-1]  # the chosen line


async def test_after_the_close_budget_points_to_the_results_and_the_unsent_draft(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient, clock: ShiftableClock,
) -> None:
    minji = residents.resident(8109, "민지")
    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        round_id = await seed_round(runtime, clock, name="올해 예산")
        ballot = await open_ballot(minji)
        await press(minji, ballot, "1. 가로등 교체")  # a draft, never submitted
        async with runtime.sessionmaker() as session, session.begin():
            round_ = await session.get(BudgetRound, round_id)
            assert round_ is not None
            round_.phase, round_.published_at = RoundPhase.PUBLISHED, clock.now()
        await minji.say("/budget")
        text = (await minji.wait_for_message("📊")).text or ""
        assert "올해 예산" in text and f"/budget/{round_id}" in text
        assert len(text.split("\n")) == 5  # no vote · results · link · the unsent draft
