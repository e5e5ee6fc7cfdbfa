"""The 주민자치회 recruitment through the real bot and the sandbox: an admin opens a call, a
verified resident reads the consent, answers, applies, changes an answer and withdraws;
others are refused (not verified, another 동, after the close, a forged press); the admin
records the completers and gets the table that `python -m bot sortition prepare` reads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.buttons import CouncilApply, CouncilOfferAnswer
from bot.clock import ShiftableClock
from bot.db.models import AuditEntry, CouncilApplication
from bot.domain.council import Step
from bot.domain.lottery import DrawInputs, describe_rule, next_reserve
from bot.domain.lottery_tables import parse_pool, parse_rules
from bot.services import council
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.factories import make_user
from tests.support.harness import running_bot, settings_for

pytestmark = pytest.mark.usefixtures("no_failed_updates")

ADMIN, MINJI, YEONGSU, HANEUL = 9301, 9302, 9303, 9304


async def step(person: Resident, message: SentMessage, label: str) -> SentMessage:
    """Press `label` on `message` and return the message as the press redrew it."""
    query = await person.press(message, label)
    await person.wait_for_callback_answer(query)
    return await person.wait_for_edit(message)


def file_text(state: SandboxState, message: SentMessage) -> str:
    stored = state.chat(message.chat_id).find(message.message_id)
    assert stored is not None and stored.file is not None
    return stored.file.data.decode("utf-8-sig")


async def test_a_resident_applies_changes_and_withdraws_and_staff_get_the_table(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin, minji = residents.resident(ADMIN, "관리자"), residents.resident(MINJI, "민지")
    yeongsu, haneul = residents.resident(YEONGSU, "영수"), residents.resident(HANEUL, "하늘")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        async with runtime.sessionmaker() as session, session.begin():
            await make_user(session, MINJI, clock.now(), verified_area="신도림동")
            await make_user(session, YEONGSU, clock.now(), verified_area="구로1동")
        await minji.say("/council")
        assert "진행 중인 주민자치회 위원 모집이 없어요" in (await minji.wait_for_message()).text

        await minji.say("/council_new 신도림동 50 10 2026-12-15")  # residents cannot
        await minji.wait_for_message()
        await admin.say("/council_new 신도림동 50 10 2026-12-15")
        opened = (await admin.wait_for_message("🏛")).text
        assert "신도림동 1번 모집을 열었어요. 12월 15일(화)까지 위원 50명, 예비 10명" in opened
        await admin.say("/council_rules 1\ntong,3,이하,5,")  # the form asks no 통
        assert "이 규칙은 쓸 수 없어요: 신청서는 age, sex만 물어요" in (
            await admin.wait_for_message()).text
        await admin.say("/council_rules 1\nage,20대 이하|30대,이상,,20\nsex,여,이상,,50")
        assert (await admin.wait_for_message()).text.startswith(
            "1번 모집의 구성 규칙:\n• age 20대 이하·30대 20% 이상\n• sex 여 50% 이상\n")

        await minji.say("/council")
        call = await minji.wait_for_message("🏛")
        assert "위원 50명(예비 10명)을 주민자치학교를 마친 신청자 가운데" in call.text
        consent = await step(minji, call, "✍️ 신청하기")
        assert "• 묻는 것: 연령대와 성별" in consent.text
        assert "구성 규칙(연령대 20대 이하·30대 20% 이상, 성별 여 50% 이상)을" in consent.text
        assert "이름과 연락처는 나가지 않아요" in consent.text
        ages = await step(minji, consent, "✅ 동의하고 계속")
        sexes = await step(minji, ages, "40대")
        review = await step(minji, sexes, "여성")
        assert review.text == "이대로 신청할까요?\n연령대: 40대\n성별: 여성"
        receipt = await step(minji, review, "✅ 신청하기")
        assert receipt.text.startswith("✅ 신청했어요.\n신청 번호: 0001 · 40대 · 여성\n")
        assert "12월 15일(화)까지 답을 바꾸거나 취소할 수 있어요" in receipt.text

        changed = await step(minji, await step(minji, await step(minji, await step(
            minji, receipt, "답 바꾸기"), "✅ 동의하고 계속"), "50대"), "여성")
        again = await step(minji, changed, "✅ 신청하기")
        assert again.text.startswith("✅ 신청 내용을 바꿨어요.\n신청 번호: 0001 · 50대 · 여성")

        await yeongsu.say("/council")  # verified in another 동: no call there
        assert "지금 구로1동에서 진행 중인" in (await yeongsu.wait_for_message()).text
        forged = await yeongsu.press_data(call, CouncilApply(1, Step.SUBMIT, 0, 0).pack())
        refused = await yeongsu.wait_for_callback_answer(forged)
        assert refused.show_alert and "거주를 확인한 신도림동 주민만" in (refused.text or "")
        await haneul.say("/council")
        assert "/verify <코드>" in (await haneul.wait_for_message()).text

        stale = await minji.press_data(receipt, CouncilApply(1, Step.REVIEW, 9, 0).pack())
        assert (await minji.wait_for_callback_answer(stale)).show_alert  # no such age band

        kept = await step(minji, await step(minji, again, "신청 취소"), "아니요")
        assert "신청 번호: 0001 · 50대 · 여성" in (kept.text or "")  # the call, as /council
        gone = await step(minji, await step(minji, kept, "신청 취소"), "네, 취소할게요")
        assert gone.text.startswith("신청을 취소했어요. 12월 15일(화)까지 다시 신청할 수 있어요.")
        back = await step(minji, await step(minji, await step(minji, await step(
            minji, gone, "✍️ 다시 신청하기"), "✅ 동의하고 계속"), "30대"), "남성")
        assert (await step(minji, back, "✅ 신청하기")).text.startswith("✅ 신청 내용을 바꿨어요.")

        await admin.say("/council_completed 1\n0001,\n0002 일곱")  # as pasted from a sheet
        recorded = (await admin.wait_for_message("✅")).text
        assert recorded.startswith(
            "✅ 1명을 기록했어요.\n이 모집의 신청자가 아니거나 신청을 취소한 번호: 0002")
        assert "번호가 아닌 것: 일곱" in recorded
        await admin.say("/council_pool 1")
        summary = (await admin.wait_for_message("📋")).text
        assert summary.startswith(
            "📋 신도림동 1번 모집: 신청자 1명 가운데 1명이 주민자치학교를 마쳤어요.")
        pool_file, rules_file = [m for m in admin.inbox() if m.file_kind == "document"]
        pool = parse_pool(file_text(sandbox_state, pool_file))
        assert [(a.number, dict(a.features)) for a in pool] == [
            ("0001", {"age": "30대", "sex": "남"})]
        assert [describe_rule(r) for r in parse_rules(file_text(sandbox_state, rules_file))] \
            == ["age 20대 이하·30대 20% 이상", "sex 여 50% 이상"]  # the call's own

        await clock.advance(timedelta(days=22))  # past 12/15 24:00 KST
        late = await minji.press_data(back, CouncilApply(1, Step.CONSENT).pack())
        assert "신청이 끝났어요" in ((await minji.wait_for_callback_answer(late)).text or "")
        async with runtime.sessionmaker() as session:
            rows = list(await session.scalars(select(CouncilApplication)))
        assert [(r.age_band, r.sex, r.withdrawn_at) for r in rows] == [("30대", "남", None)]


async def test_the_admin_prepares_and_draws_and_every_completer_hears(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    people = [residents.resident(9400 + n, f"주민{n}") for n in range(6)]
    answers = [("30대", "여"), ("50대", "남"), ("40대", "남"), ("60대 이상", "여"),
               ("50대", "여"), ("20대 이하", "남")]
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        await admin.say("/council_new 신도림동 2 1 2026-12-15")
        await admin.wait_for_message("🏛")
        async with runtime.sessionmaker() as session, session.begin():
            for person, (age, sex) in zip(people, answers, strict=True):
                user = await make_user(session, person.user_id, clock.now(),
                                       verified_area="신도림동")
                await council.apply(session, recruitment_id=1, user_id=user.id, age_band=age,
                                    sex=sex, now=clock.now())
        await admin.say("/council_prepare 1")
        assert "아직 신청을 받고 있어요" in (await admin.wait_for_message()).text
        await admin.say("/council_completed 1 0001 0002 0003 0004 0005")  # 0006 did not
        await admin.wait_for_message("✅")
        await clock.advance(timedelta(days=22))

        await admin.say("/council_draw 1 7 21 33")
        assert "추첨을 아직 준비하지 않았어요" in (await admin.wait_for_message()).text
        await admin.say("/council_prepare 1")
        assert (await admin.wait_for_message("⏳")).text.startswith("⏳ 1번 모집의 추첨을")
        ready = await admin.wait_for_message("🔒", timeout=60)
        assert "/council_draw 1 <숫자들>" in ready.text
        assert "\n공개 주소: " in ready.text and ready.text.endswith(
            "/data/council/1/announcement.json")
        await admin.say("/council_draw 1 ７, 21  33")
        summary = (await admin.wait_for_message("🎲")).text
        assert summary.startswith("🎲 1번 모집을 「7 21 33」으로 추첨했어요.\n선발: ")
        assert any((m.text or "").endswith("/data/council/1/record.json") for m in admin.inbox())
        names = [m.file_name for m in admin.inbox() if m.file_kind == "document"]
        assert names == ["council-1-announcement.json", "council-1-announcement.json",
                         "council-1-record.json"]
        record_file = next(m for m in admin.inbox() if m.file_name == "council-1-record.json")
        record = json.loads(file_text(sandbox_state, record_file))
        assert record["public_randomness"] == "7 21 33" and len(record["selected"]) == 2

        heard = {person.user_id: await person.wait_for_message("🏛", after=0)
                 for person in people[:5]}
        selected = [p for p in people[:5] if "뽑혔어요" in heard[p.user_id].text]
        reserve = [p for p in people[:5] if "예비 1번이에요" in heard[p.user_id].text]
        assert len(selected) == 2 and len(reserve) == 1
        assert sum("이번에는 뽑히지 않았어요" in m.text for m in heard.values()) == 2
        assert "12월 23일(수)까지 알려 주세요" in heard[selected[0].user_id].text  # 7 days
        assert not [m for m in people[5].inbox() if "🏛" in (m.text or "")]

        await admin.say("/council_draw 1 1 2 3")
        assert "이미 추첨했어요" in (await admin.wait_for_message()).text

        taken = await step(selected[0], heard[selected[0].user_id], "✅ 위원을 맡을게요")
        assert taken.text.startswith("✅ 신도림동 주민자치회 위원을 맡아 주셔서 감사합니다.")
        await reserve[0].say("/council")  # the call is closed: the number and the result
        shown = (await reserve[0].wait_for_message("🏛")).text
        assert shown.startswith(
            "🏛 신도림동 주민자치회 위원 모집은 신청이 끝났어요(12월 15일(화)까지).")
        assert shown.endswith("추첨 결과: 예비 1번이에요.")
        declined = await step(selected[1], heard[selected[1].user_id], "🙏 사양할게요")
        assert declined.text.startswith("🙏 위원 자리를 사양하셨어요.")
        # The seat goes to the reserve only if the rules allow it (the draw decides who is
        # who): the chat and the database must tell the same story either way.
        inputs = DrawInputs.from_json(record["inputs"])
        moved = next_reserve(inputs, [f"{selected[0].user_id - 9399:04d}"], record["reserves"])
        async with runtime.sessionmaker() as session:
            reserve_now = await session.scalar(select(CouncilApplication.outcome).where(
                CouncilApplication.id == reserve[0].user_id - 9399))
            unfilled = await session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "council.seat_unfilled"))
        assert (reserve_now == "selected", unfilled) == ((True, 0) if moved else (False, 1))
        if moved:
            offer = await reserve[0].wait_for_message("빈자리가 생겼어요")
            assert "예비 1번이셔서 이 자리를 맡으실 수 있어요" in offer.text
        number = selected[1].user_id - 9399  # a second tap, from a copy of the old buttons
        again = await selected[1].press_data(declined, CouncilOfferAnswer(number, 1).pack())
        late = await selected[1].wait_for_callback_answer(again)
        assert "이미 답하셨어요" in (late.text or "")
