"""Moderation through the real bot and the sandbox: reports hide a proposal and a moderator
restores it from the work item; a threshold item assigns a department by button; two
moderators press at once; merge, ban and offline intake by command.

Texts are matched on language-neutral marks (🚩 📋 #numbers, names, titles, the reply link)
or on messages the Korean catalogue already has, so the checks hold before and after the
lead merges the new catalogue entries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import (
    AuditEntry,
    Endorsement,
    Proposal,
    Report,
    SatisfactionVote,
    User,
    WorkItem,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role
from bot.domain.policy import Policy
from bot.services.departments import create_department
from bot.services.wakes import woken
from sandbox import SandboxClient, SandboxServer
from sandbox.client import Group, Resident, SentMessage
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for, staff_on_duty

pytestmark = pytest.mark.usefixtures("no_failed_updates")

MODERATORS, DEPARTMENT = -100777, -100900
ADMIN, MOD1, MOD2 = 8001, 8002, 8003
TITLE = "공원 산책로 가로등 설치"
HIDDEN = "운영 원칙에 따라 숨겨진 글이에요"

Maker = async_sessionmaker[AsyncSession]


@dataclass
class Cast:
    runtime: Runtime
    admin: Resident
    mod1: Resident
    mod2: Resident
    moderators: Group


@pytest.fixture
async def cast(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> AsyncIterator[Cast]:
    """The bot with a threshold of 3, a moderators' group, one admin and two moderators."""
    moderators = residents.group(MODERATORS, "공감 운영진")
    residents.group(DEPARTMENT, "도로과")
    settings = settings_for(database_url, sandbox, policy=Policy(endorsement_threshold=3),
                            moderator_chat_id=MODERATORS, admin_telegram_ids=frozenset({ADMIN}))
    admin = residents.resident(ADMIN, "관리자")
    mod1, mod2 = residents.resident(MOD1, "김모더"), residents.resident(MOD2, "이모더")
    async with running_bot(settings, clock) as runtime:
        await staff_on_duty(admin, mod1, mod2)
        yield Cast(runtime, admin, mod1, mod2, moderators)


async def seed(runtime: Runtime, author_tid: int, *others: int, **fields: object) -> int:
    """Users for the given Telegram ids and a proposal gathering 공감 by the first."""
    async with runtime.sessionmaker() as session, session.begin():
        author = await _user(session, author_tid)
        for tid in others:
            await _user(session, tid)
        return (await make_proposal(session, author, START, title=fields.pop("title", TITLE),
                                    **fields)).id


async def _user(session: AsyncSession, telegram_id: int) -> User:
    found = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    return found or await make_user(session, telegram_id, START)


def data_of(message: SentMessage, fragment: str) -> str:
    """The callback data of the first button whose data contains `fragment`."""
    for row in message.buttons:
        for _, data in row:
            if data is not None and fragment in data:
                return data
    raise AssertionError(f"no button with data {fragment!r}: {message.describe()}")


async def open_card(resident: Resident, proposal_id: int) -> SentMessage:
    """The card through the shared deep link (`/start p<id>`), once the menu under it came."""
    await resident.say(f"/start p{proposal_id}")
    card = await resident.wait_for_message(f"#{proposal_id}")
    await resident.wait_for_message(predicate=lambda m: m.reply_keyboard is not None,
                                    after=card.message_id)
    return card


def last_id(chat: Resident | Group) -> int:
    return max((m.message_id for m in chat.history()), default=0)


async def hidden(runtime: Runtime, proposal_id: int) -> bool:
    async with runtime.sessionmaker() as session:
        return bool(await session.scalar(select(Proposal.hidden)
                                         .where(Proposal.id == proposal_id)))


async def test_three_reports_hide_and_a_moderator_restores_from_the_work_item(
    cast: Cast, residents: SandboxClient,
) -> None:
    minji = residents.resident(8101, "민지")
    reporters = [
        residents.resident(8102 + n, name) for n, name in enumerate(["영수", "지훈", "수아"])
    ]
    pid = await seed(cast.runtime, 8101)
    before = 0
    for n, reporter in enumerate(reporters):
        card = await open_card(reporter, pid)
        if n == 2:
            before = last_id(minji)
        answer = await reporter.wait_for_callback_answer(
            await reporter.press_data(card, f"rr:1:{pid}:spam"))
        assert answer is not None
    item = await cast.moderators.wait_for_message("🚩", after=0)
    assert TITLE in item.text and "3" in item.text
    told = await minji.wait_for_message(TITLE, after=before)
    assert await hidden(cast.runtime, pid)
    onlooker = residents.resident(8110, "하늘")
    assert HIDDEN in (await open_card(onlooker, pid)).text

    await cast.mod1.press_data(item, data_of(item, ":restore:"))
    handled = await cast.moderators.wait_for_edit(item)
    assert "김모더" in handled.text and handled.buttons == ()
    assert not await hidden(cast.runtime, pid)
    restored = await minji.wait_for_message(TITLE, after=told.message_id)
    assert restored.message_id > told.message_id
    assert TITLE in (await open_card(onlooker, pid)).text


async def test_a_threshold_item_assigns_the_department_by_button_and_the_link_goes_out(
    cast: Cast, residents: SandboxClient,
) -> None:
    voters = [
        residents.resident(8201 + n, name) for n, name in enumerate(["영수", "지훈", "수아"])
    ]
    department = residents.group(DEPARTMENT, "도로과")
    async with cast.runtime.sessionmaker() as session, session.begin():
        await create_department(session, name="도로과", now=START, chat_id=DEPARTMENT)
        await create_department(session, name="공원녹지과", now=START)
    pid = await seed(cast.runtime, 8200)
    for voter in voters:
        card = await open_card(voter, pid)
        await voter.wait_for_callback_answer(await voter.press_data(card, f"e:1:{pid}"))
    item = await cast.moderators.wait_for_message("📋", after=0)
    assert {"도로과", "공원녹지과"} <= set(item.button_texts)
    first = await cast.mod1.press(item, "도로과")
    second = await cast.mod2.press(item, "공원녹지과")  # at the same moment: only one wins
    answers = [await cast.mod1.wait_for_callback_answer(first),
               await cast.mod2.wait_for_callback_answer(second)]
    handled = await cast.moderators.wait_for_edit(item)
    assert "김모더" in handled.text and handled.buttons == ()
    assert "도로과" in handled.text.split("\n\n")[-1]  # the handled line names the department
    link = await department.wait_for_message("/r/", after=0)
    assert f"#{pid}" in link.text or TITLE in link.text
    assert answers[1] is not None and "김모더" in (answers[1].text or "")
    async with cast.runtime.sessionmaker() as session:
        assigned = await session.scalar(select(Proposal.department_id).where(Proposal.id == pid))
        department_name = await session.scalar(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == "proposal.assign"))
        claims = await session.scalar(select(func.count()).select_from(WorkItem)
                                      .where(WorkItem.claimed_by.is_not(None)))
    assert assigned is not None and department_name == 1 and claims == 1


async def test_merge_with_a_person_who_endorsed_both(cast: Cast, residents: SandboxClient) -> None:
    both = residents.resident(8302, "영수")
    pid_a = await seed(cast.runtime, 8300, 8302, 8303, title="가로등 설치")
    pid_b = await seed(cast.runtime, 8301, title="공원 가로등 설치해 주세요")
    async with cast.runtime.sessionmaker() as session, session.begin():
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        for tid, target in ((8302, pid_a), (8303, pid_a), (8302, pid_b)):
            session.add(Endorsement(proposal_id=target, user_id=ids[tid], created_at=START))
        await session.execute(update(Proposal).where(Proposal.id == pid_a)
                              .values(endorsement_count=2))
        await session.execute(update(Proposal).where(Proposal.id == pid_b)
                              .values(endorsement_count=1))
    await cast.mod1.say(f"/merge {pid_a} {pid_a}")
    same = await cast.mod1.wait_for_message()
    await cast.mod1.say("/merge one two")
    usage = await cast.mod1.wait_for_message()
    assert same.text != usage.text and "/merge" in usage.text
    await cast.mod1.say(f"/merge {pid_a} {pid_b}")
    done = await cast.mod1.wait_for_message(f"{pid_a}번을 {pid_b}번으로")
    assert "2" in done.text
    await both.wait_for_message("공원 가로등 설치해 주세요", after=0)
    async with cast.runtime.sessionmaker() as session:
        count = await session.scalar(select(Proposal.endorsement_count)
                                     .where(Proposal.id == pid_b))
        merged_into = await session.scalar(select(Proposal.merged_into_id)
                                           .where(Proposal.id == pid_a))
    assert count == 2 and merged_into == pid_b


async def test_a_banned_resident_is_refused_with_the_reason_and_staff_cannot_be_banned(
    cast: Cast, residents: SandboxClient,
) -> None:
    yeongsu = residents.resident(8401, "영수")
    pid = await seed(cast.runtime, 8400, 8401)
    await cast.mod1.say("/ban 8401 7 반복된 도배")
    await cast.mod1.wait_for_message()
    card = await open_card(yeongsu, pid)
    refusal = await yeongsu.wait_for_callback_answer(await yeongsu.press_data(card, f"e:1:{pid}"))
    assert refusal is not None and "반복된 도배" in (refusal.text or "")
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(Proposal.endorsement_count)
                                    .where(Proposal.id == pid)) == 0
    replies = []
    for command in (f"/ban {ADMIN} 7 권한 남용", "/ban 999999 7 없는 사람", "/ban 8401 사흘 도배",
                    "/ban 8401 7", "/unban abc"):
        await cast.mod1.say(command)
        replies.append((await cast.mod1.wait_for_message()).text)
    assert len(set(replies)) >= 3  # staff, unknown and usage each have their own answer
    async with cast.runtime.sessionmaker() as session:
        admin_ban = await session.scalar(select(User.banned_until)
                                         .where(User.telegram_id == ADMIN))
    assert admin_ban is None
    await cast.mod1.say("/unban 8401")
    await cast.mod1.wait_for_message()
    card = await open_card(yeongsu, pid)
    await yeongsu.wait_for_callback_answer(await yeongsu.press_data(card, f"e:1:{pid}"))
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(Proposal.endorsement_count)
                                    .where(Proposal.id == pid)) == 1


async def test_a_banned_follower_is_refused_on_the_rating_buttons_with_the_reason(
    cast: Cast, residents: SandboxClient,
) -> None:
    yeongsu = residents.resident(8411, "영수")
    pid = await seed(cast.runtime, 8410, 8411, status=ProposalStatus.ANSWERED)
    async with cast.runtime.sessionmaker() as session, session.begin():
        proposal = await session.get(Proposal, pid)
        assert proposal is not None
        await follow(session, await _user(session, 8411), proposal, START)
    await cast.mod1.say("/ban 8411 7 반복된 도배")
    await cast.mod1.wait_for_message()
    card = await open_card(yeongsu, pid)
    refusal = await yeongsu.wait_for_callback_answer(
        await yeongsu.press_data(card, f"ra:1:{pid}:0"))
    assert refusal is not None and "반복된 도배" in (refusal.text or "")
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SatisfactionVote)) == 0
    await cast.mod1.say("/unban 8411")
    await cast.mod1.wait_for_message()
    await yeongsu.wait_for_callback_answer(await yeongsu.press_data(card, f"ra:1:{pid}:0"))
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(SatisfactionVote)) == 1


async def test_offline_intake_by_a_moderator(cast: Cast) -> None:
    await cast.mod1.say("/offline 전화\n제목: 경로당 난방비 지원\n"
                        "내용: 겨울마다 경로당 난방비가 부족해요.\n"
                        "동: 구로 1동\n분야: 복지\n이름: 김민수\n연락처: 010-1234-5678")
    done = await cast.mod1.wait_for_message("김*수")
    assert "010-****-****" in done.text and "1234" not in done.text
    await cast.mod1.say("/offline 편지\n제목: 제목")
    assert "/offline" in (await cast.mod1.wait_for_message()).text
    async with cast.runtime.sessionmaker() as session:
        stored = await session.scalar(
            select(Proposal).where(Proposal.offline_channel.is_not(None))
        )
    assert stored is not None and stored.offline_channel == "phone" and stored.area == "구로1동"
    assert stored.category == "복지·건강"
    assert stored.offline_contact == "김*수 · 010-****-****"
    await cast.mod2.say(f"/start p{stored.id}")
    card = await cast.mod2.wait_for_message(f"#{stored.id}")
    assert "📮" in card.text and "경로당 난방비 지원" in card.text and "1234" not in card.text


async def test_offline_intake_for_a_resident_who_uses_the_bot(
    cast: Cast, residents: SandboxClient,
) -> None:
    minji = residents.resident(8601, "민지")
    await minji.say("/start")
    await minji.wait_for_message()
    form = ("/offline 주민센터\n제목: 경로당 난방비 지원\n"
            "내용: 겨울마다 경로당 난방비가 부족해요.\n")
    await cast.mod1.say(form + "텔레그램: 424242")
    refused = await cast.mod1.wait_for_message("424242")
    await cast.mod1.say(form + "텔레그램: 8601")
    done = await cast.mod1.wait_for_message("8601")
    assert refused.text != done.text
    async with cast.runtime.sessionmaker() as session:
        stored = list(await session.scalars(select(Proposal)))
        minji_id = await session.scalar(select(User.id).where(User.telegram_id == 8601))
    assert len(stored) == 1 and stored[0].author_id == minji_id
    assert stored[0].offline_channel == "center" and stored[0].offline_contact is None


async def test_hide_settles_the_report_item_and_restore_tells_the_reason(
    cast: Cast, residents: SandboxClient,
) -> None:
    minji = residents.resident(8701, "민지")
    pid = await seed(cast.runtime, 8701, 8702, 8703, 8704)
    async with cast.runtime.sessionmaker() as session, session.begin():
        from bot.services.proposals import report_proposal

        settings = cast.runtime.application.services.settings
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        for tid in (8702, 8703, 8704):
            await report_proposal(session, proposal_id=pid, user_id=ids[tid], reason="spam",
                                  now=START, policy=settings.policy, venues=settings.venues)
    cast.runtime.application.services.wake(*woken(session))
    told = await minji.wait_for_message(TITLE, after=0)
    await cast.mod1.say(f"/hide p {pid} 광고 글")
    await cast.mod1.wait_for_message()
    async with cast.runtime.sessionmaker() as session:
        claimed = (await session.execute(select(WorkItem.claimed_by_name, WorkItem.action)
                                         .where(WorkItem.subject_id == pid))).all()
    assert claimed == [("김모더", "keep")]
    await cast.mod1.say(f"/restore p {pid} 신고 내용이 사실과 달랐어요")
    await cast.mod1.wait_for_message()
    restored = await minji.wait_for_message("신고 내용이 사실과 달랐어요", after=told.message_id)
    assert TITLE in restored.text
    assert not await hidden(cast.runtime, pid)


async def test_grant_revoke_and_the_bootstrap_admin(cast: Cast) -> None:
    await cast.admin.say("/staff")
    staff = await cast.admin.wait_for_message(str(MOD1))
    assert str(MOD2) in staff.text and str(ADMIN) in staff.text
    await cast.admin.say(f"/revoke {ADMIN}")
    refused = await cast.admin.wait_for_message("ADMIN_TELEGRAM_IDS")
    assert refused is not None
    await cast.admin.say(f"/revoke {MOD2}")
    await cast.admin.wait_for_message()
    await cast.admin.say("/grant 8002 superuser")
    assert "/grant" in (await cast.admin.wait_for_message()).text
    await cast.mod1.say(f"/grant {MOD2} admin")  # a moderator cannot grant
    await cast.mod1.wait_for_message("관리자만")
    async with cast.runtime.sessionmaker() as session:
        roles = dict((await session.execute(select(User.telegram_id, User.role))).all())
    assert roles[ADMIN] == Role.ADMIN and roles[MOD1] == Role.MODERATOR
    assert roles[MOD2] == Role.RESIDENT


async def test_the_last_admin_cannot_remove_themself(
    database_url: str, sandbox: SandboxServer, clock: ShiftableClock, residents: SandboxClient,
) -> None:
    only = residents.resident(8501, "유일관리자")
    settings = settings_for(database_url, sandbox)
    async with running_bot(settings, clock) as runtime:
        await only.say("/start")
        await only.wait_for_message()
        async with runtime.sessionmaker() as session, session.begin():
            await session.execute(update(User).where(User.telegram_id == 8501)
                                  .values(role=Role.ADMIN))
        await only.say("/revoke 8501")
        refused = await only.wait_for_message()
        assert "admin" in refused.text.lower() or "관리자" in refused.text
        async with runtime.sessionmaker() as session:
            role = await session.scalar(select(User.role).where(User.telegram_id == 8501))
            assert role == Role.ADMIN


async def test_a_pending_proposal_is_rejected_with_a_reason_button(
    cast: Cast, residents: SandboxClient,
) -> None:
    from dataclasses import replace

    from bot.services import drafts
    from bot.services.proposals import submit_draft

    author = residents.resident(8801, "민지")
    settings = cast.runtime.application.services.settings
    settings = replace(settings, policy=replace(settings.policy, pre_moderation=True))
    async with cast.runtime.sessionmaker() as session, session.begin():
        user = await _user(session, 8801)
        await drafts.save_step(session, user.id, START, step="preview", title=TITLE,
                               problem="밤에 공원 산책로가 너무 어두워서 무서워요.",
                               solution="산책로를 따라 가로등을 설치해 주세요.",
                               effect="밤에도 안전하게 산책할 수 있어요.")
        submitted = await submit_draft(session, user.id, START, settings.policy, settings.venues)
        pid = submitted.proposal_id
    cast.runtime.application.services.wake(*woken(session))
    item = await cast.moderators.wait_for_message(f"{pid}", after=0)
    await cast.mod1.press_data(item, data_of(item, ":reasons:"))
    reasons = await cast.moderators.wait_for_edit(item)
    assert len(reasons.buttons) == 7  # five reasons, one of one's own, back
    await cast.mod1.press_data(reasons, data_of(reasons, ":back:"))
    back = await cast.moderators.wait_for_edit(reasons)
    assert data_of(back, ":approve:")
    await cast.mod1.press_data(back, data_of(back, ":reasons:"))
    reasons = await cast.moderators.wait_for_edit(back)
    own = await cast.mod1.wait_for_callback_answer(
        await cast.mod1.press_data(reasons, data_of(reasons, ":other:")))
    assert own is not None and f"/reject {pid}" in (own.text or "")
    await cast.mod1.press_data(reasons, data_of(reasons, ":reject:2"))
    handled = await cast.moderators.wait_for_edit(reasons)
    assert "김모더" in handled.text and handled.buttons == ()
    told = await author.wait_for_message(TITLE, after=0)
    async with cast.runtime.sessionmaker() as session:
        status = await session.scalar(select(Proposal.status).where(Proposal.id == pid))
        note = await session.scalar(select(WorkItem.note).where(WorkItem.subject_id == pid))
    assert status == "rejected" and note is not None and note in told.text
    assert note in handled.text.split("\n\n")[-1]  # the handled line names the reason


# ----- the UX pass: the item quotes the text, the author sees their own hidden text ----------
# (the banner and the 「🚩 신고함」 / 취소 texts below need the merged Korean catalogue)

BANNER = "🙈 운영 원칙에 따라 숨겨졌어요. 운영진이 확인한 뒤 결과를 알려 드릴게요."


async def test_the_report_item_quotes_the_masked_text_and_only_the_author_sees_it_hidden(
    cast: Cast, residents: SandboxClient,
) -> None:
    minji = residents.resident(8111, "민지")
    reporters = [
        residents.resident(8112 + n, name) for n, name in enumerate(["영수", "지훈", "수아"])
    ]
    pid = await seed(cast.runtime, 8111,
                     problem="밤에 공원이 너무 어두워요.\n연락은 010-1234-5678로 주세요.",
                     solution="가로등을 설치해 주세요.", effect="밤길이 안전해져요.")
    for reporter in reporters:
        card = await open_card(reporter, pid)
        await reporter.wait_for_callback_answer(
            await reporter.press_data(card, f"rr:1:{pid}:spam"))
    item = await cast.moderators.wait_for_message("🚩", after=0)
    assert "밤에 공원이 너무 어두워요." in item.text and "가로등을 설치해 주세요." in item.text
    assert "010-****-****" in item.text and "1234" not in item.text  # masked
    assert "밤길이 안전해져요." not in item.text and item.text.endswith("…")  # three lines
    assert "<blockquote>" in (item.raw_text or "")

    own = await open_card(minji, pid)
    assert own.text.startswith(BANNER) and "가로등을 설치해 주세요." in own.text
    assert HIDDEN not in own.text
    onlooker = await open_card(residents.resident(8116, "하늘"), pid)
    assert HIDDEN in onlooker.text and "가로등" not in onlooker.text

    await cast.mod1.press_data(item, data_of(item, ":restore:"))
    handled = await cast.moderators.wait_for_edit(item)
    assert "밤에 공원이 너무 어두워요." in handled.text and "김모더" in handled.text
    assert BANNER not in (await open_card(minji, pid)).text  # visible again: the usual card


async def test_a_report_can_be_cancelled_and_the_card_then_shows_it_was_reported(
    cast: Cast, residents: SandboxClient,
) -> None:
    yeongsu = residents.resident(8121, "영수")
    pid = await seed(cast.runtime, 8120, 8121)
    card = await open_card(yeongsu, pid)
    assert "🚩 신고" in card.button_texts
    await yeongsu.press_data(card, f"rp:1:{pid}")
    reasons = await yeongsu.wait_for_message(predicate=lambda m: bool(m.buttons),
                                             after=card.message_id)
    assert reasons.button_texts[-1] == "취소"
    await yeongsu.press_data(reasons, data_of(reasons, ":cancel"))
    cancelled = await yeongsu.wait_for_edit(reasons)
    assert cancelled.text == "취소했어요. 아무것도 신고하지 않았어요." and cancelled.buttons == ()
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 0

    await yeongsu.press_data(card, f"rp:1:{pid}")
    reasons = await yeongsu.wait_for_message(predicate=lambda m: bool(m.buttons),
                                             after=reasons.message_id)
    card = yeongsu.message(card.message_id)
    await yeongsu.press_data(reasons, data_of(reasons, ":spam"))
    thanked = await yeongsu.wait_for_edit(reasons)
    assert thanked.text == "신고해 주셔서 감사합니다. 운영진이 살펴볼게요."
    marked = await yeongsu.wait_for_edit(card)
    assert "🚩 신고함" in marked.button_texts and "🚩 신고" not in marked.button_texts
    assert "🚩 신고함" in (await open_card(yeongsu, pid)).button_texts  # a fresh card too

    latest = last_id(yeongsu)
    again = await yeongsu.wait_for_callback_answer(await yeongsu.press_data(marked, f"rp:1:{pid}"))
    assert again.text == "이미 신고한 제안이에요."
    assert last_id(yeongsu) == latest  # no second reason choice
    async with cast.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1


async def test_ban_accepts_the_korean_word_for_permanent_and_usage_gives_an_example(
    cast: Cast, residents: SandboxClient,
) -> None:
    await seed(cast.runtime, 8130, 8131)
    await cast.mod1.say("/ban 8131 영구 반복된 도배")
    await cast.mod1.wait_for_message()
    async with cast.runtime.sessionmaker() as session:
        until = await session.scalar(select(User.banned_until).where(User.telegram_id == 8131))
    assert until is not None and until.year == 9999
    await cast.mod1.say("/ban 8131")
    usage = await cast.mod1.wait_for_message()
    assert usage.text == ("사용법: /ban <텔레그램 ID> <일수|영구> <사유>\n"
                          "예: /ban 123456789 7 반복된 광고")
    for command, expected in (
        ("/hide", "사용법: /hide p|o <번호> <사유> (p=제안, o=의견)\n예: /hide p 12 광고 글"),
        ("/restore", "사용법: /restore p|o <번호> [사유] (p=제안, o=의견)\n예: /restore o 34"),
    ):
        await cast.mod1.say(command)
        assert (await cast.mod1.wait_for_message()).text == expected
