"""Moderation services on both backends: reports and hiding, work items and their claims,
merges, bans, offline intake and roles."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    AuditEntry,
    CategoryDepartment,
    Endorsement,
    OutboxMessage,
    Proposal,
    ReplyLink,
    User,
    WorkItem,
)
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ModerationPending
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role
from bot.domain.policy import Policy
from bot.domain.text import phone_hash
from bot.services import bans, hiding, moderation, roles, work_items
from bot.services.bans import BanOutcome, UserBanned
from bot.services.departments import create_department
from bot.services.moderation import ActOutcome, MergeOutcome, Moderator, OfflineForm
from bot.services.proposals import EndorseOutcome, endorse, report_proposal
from bot.services.roles import RoleOutcome
from bot.services.wakes import Wake
from bot.services.work_items import WorkKind
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
T = TypeVar("T")
U = TypeVar("U")
CALENDAR = BusinessCalendar()
MODERATORS = -100500
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=MODERATORS,
                    policy=Policy(endorsement_threshold=3))


async def people(sessionmaker: Maker, count: int, first: int = 100) -> list[User]:
    async with sessionmaker() as session, session.begin():
        return [await make_user(session, first + n, START) for n in range(count)]


async def outbox(sessionmaker: Maker, kind: str) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        return list(await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


async def race_behind(
    sessionmaker: Maker, hold: Callable[[AsyncSession], Awaitable[T]],
    then: Callable[[], Awaitable[U]],
) -> tuple[T, U]:
    """Run `hold` in a transaction kept open until `then` (in its own transaction) has
    finished or waits for a row lock, then commit. On PostgreSQL this is the worst
    interleaving of two simultaneous requests, made certain without sleeping."""
    async with sessionmaker() as session, session.begin():
        first = await hold(session)
        racing = asyncio.create_task(then())
        while not racing.done() and not await waiting_for_a_lock(sessionmaker):
            pass
    return first, await racing


async def waiting_for_a_lock(sessionmaker: Maker) -> bool:
    async with sessionmaker() as session:
        return bool(await session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'")))


async def reload(sessionmaker: Maker, proposal_id: int) -> Proposal:
    async with sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


def moderator(user: User, name: str = "김모더") -> Moderator:
    return Moderator(user.id, name, f"telegram:{user.telegram_id}")


async def report(sessionmaker: Maker, proposal_id: int, user: User, reason: str = "spam") -> bool:
    async with sessionmaker() as session, session.begin():
        return await report_proposal(session, proposal_id=proposal_id, user_id=user.id,
                                     reason=reason, now=START, policy=SETTINGS.policy,
                                     venues=SETTINGS.venues)


async def only_item(sessionmaker: Maker, kind: WorkKind) -> work_items.WorkItemView:
    async with sessionmaker() as session:
        ids = list(await session.scalars(select(WorkItem.id).where(WorkItem.kind == kind)))
        assert len(ids) == 1, ids
        item = await work_items.load_item(session, ids[0])
    assert item is not None
    return item


async def act(sessionmaker: Maker, item: work_items.WorkItemView, action: str, who: User,
              argument: int = 0, name: str = "김모더") -> moderation.ActResult:
    async with sessionmaker() as session, session.begin():
        return await moderation.act_on_item(
            session, item, action, moderator=moderator(who, name), now=START,
            **review_start(SETTINGS), calendar=CALENDAR, argument=argument)


# ----- reports, hiding, work items ------------------------------------------------------------


async def test_three_reports_hide_the_proposal_tell_the_author_and_open_one_item(
    sessionmaker: Maker,
) -> None:
    author, *reporters = await people(sessionmaker, 5)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    assert await report(sessionmaker, pid, reporters[0])
    assert not await report(sessionmaker, pid, reporters[0], "abuse")  # once per person
    assert await report(sessionmaker, pid, reporters[1], "abuse")
    assert not (await reload(sessionmaker, pid)).hidden
    assert await report(sessionmaker, pid, reporters[2])
    hidden = await reload(sessionmaker, pid)
    assert hidden.hidden and hidden.hidden_reason == "reports"
    assert hidden.status == ProposalStatus.COLLECTING  # state and history are kept
    hidden_notices = await outbox(sessionmaker, "content_hidden")
    assert [m.chat_id for m in hidden_notices] == [author.telegram_id]
    posted = await outbox(sessionmaker, "moderation_reported")
    assert [m.chat_id for m in posted] == [MODERATORS]
    assert posted[0].params["reasons"] == {"spam": 2, "abuse": 1}
    assert await report(sessionmaker, pid, reporters[3])  # a fourth report: no second item
    item = await only_item(sessionmaker, WorkKind.REPORTED)
    assert posted[0].params["work_item_id"] == item.id and item.open


async def test_the_first_moderator_restores_and_the_second_is_told_who_did(
    sessionmaker: Maker,
) -> None:
    author, *others = await people(sessionmaker, 6)
    first, second = others[3], others[4]
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    for reporter in others[:3]:
        await report(sessionmaker, pid, reporter)
    item = await only_item(sessionmaker, WorkKind.REPORTED)
    done = await act(sessionmaker, item, "restore", first, name="김모더")
    late = await act(sessionmaker, item, "keep", second, name="이모더")
    assert done.outcome is ActOutcome.DONE
    assert late.outcome is ActOutcome.ALREADY_HANDLED and late.item is not None
    assert late.item.claimed_by_name == "김모더" and late.item.action == "restore"
    restored = await reload(sessionmaker, pid)
    assert not restored.hidden and restored.hidden_reason is None
    assert len(await outbox(sessionmaker, "content_restored")) == 1
    async with sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["proposal.hide", "proposal.restore", "work_item.restore"]


async def test_simultaneous_presses_claim_once(sessionmaker: Maker, backend: str) -> None:
    author, *others = await people(sessionmaker, 6)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    for reporter in others[:3]:
        await report(sessionmaker, pid, reporter)
    item = await only_item(sessionmaker, WorkKind.REPORTED)
    if backend == "sqlite":  # one writer at a time: the second press sees the first's claim
        results = [await act(sessionmaker, item, "restore", others[3]),
                   await act(sessionmaker, item, "restore", others[4])]
    else:
        results = list(await asyncio.gather(act(sessionmaker, item, "restore", others[3]),
                                            act(sessionmaker, item, "restore", others[4])))
    assert sorted(r.outcome for r in results) == [ActOutcome.ALREADY_HANDLED, ActOutcome.DONE]
    assert len(await outbox(sessionmaker, "content_restored")) == 1


async def test_an_action_that_does_not_belong_to_the_item_is_refused(sessionmaker: Maker) -> None:
    author, *others = await people(sessionmaker, 4)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    for reporter in others:
        await report(sessionmaker, pid, reporter)
    item = await only_item(sessionmaker, WorkKind.REPORTED)
    assert (await act(sessionmaker, item, "approve", others[0])).outcome is ActOutcome.INVALID
    assert (await only_item(sessionmaker, WorkKind.REPORTED)).open
    assert (await reload(sessionmaker, pid)).hidden


async def test_hide_and_restore_an_opinion_by_command_keep_a_reason(sessionmaker: Maker) -> None:
    from bot.db.models import Opinion

    author, writer, mod = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
        opinion = Opinion(proposal_id=pid, user_id=writer.id, stance="for",
                          text="좋은 의견입니다 정말로", source="chat", hidden=False,
                          flagged=False, like_count=0, created_at=START)
        session.add(opinion)
        await session.flush()
        oid = opinion.id
    async with sessionmaker() as session, session.begin():
        first = await hiding.hide_content(session, kind="opinion", content_id=oid,
                                          reason="광고 글", actor="telegram:1", now=START)
        again = await hiding.hide_content(session, kind="opinion", content_id=oid,
                                          reason="spam", actor="telegram:1", now=START)
        missing = await hiding.hide_content(session, kind="opinion", content_id=oid + 99,
                                            reason="spam", actor="telegram:1", now=START)
    assert (first, again, missing) == (hiding.HideOutcome.DONE, hiding.HideOutcome.UNCHANGED,
                                       hiding.HideOutcome.NOT_FOUND)
    [told] = await outbox(sessionmaker, "content_hidden")
    assert told.chat_id == writer.telegram_id and told.params["reason_text"] == "광고 글"
    async with sessionmaker() as session:
        stored = await session.get(Opinion, oid)
    assert stored is not None and stored.hidden and stored.hidden_reason == "other"


# ----- threshold item: department buttons ----------------------------------------------------


async def test_threshold_item_offers_departments_preselected_and_another_one_reassigns(
    sessionmaker: Maker,
) -> None:
    author, *voters = await people(sessionmaker, 5)
    async with sessionmaker() as session, session.begin():
        roads = await create_department(session, name="도로과", now=START, chat_id=-900)
        parks = await create_department(session, name="공원녹지과", now=START, chat_id=-901)
        session.add(CategoryDepartment(category="교통", department_id=roads))
        pid = (await make_proposal(session, author, START, category="교통")).id
    for voter in voters[:3]:
        async with sessionmaker() as session, session.begin():
            await endorse(session, proposal_id=pid, user_id=voter.id, now=START,
                          **review_start(SETTINGS), calendar=CALENDAR)
    [posted] = await outbox(sessionmaker, "moderation_threshold")
    assert posted.params["preselected"] == roads
    assert sorted(d for d, _ in posted.params["departments"]) == sorted([roads, parks])
    item = await only_item(sessionmaker, WorkKind.THRESHOLD)
    result = await act(sessionmaker, item, "assign", voters[3], argument=parks)
    assert result.outcome is ActOutcome.DONE and result.url is not None
    assert (await reload(sessionmaker, pid)).department_id == parks
    links = [m.chat_id for m in await outbox(sessionmaker, "department_link")]
    assert links == [-900, -901]  # the automatic assignment, then the moderator's choice
    async with sessionmaker() as session:
        live = await session.scalar(select(func.count()).select_from(ReplyLink)
                                    .where(ReplyLink.revoked_at.is_(None)))
    assert live == 1


async def test_pressing_the_preselected_department_confirms_without_a_new_link(
    sessionmaker: Maker,
) -> None:
    author, *voters = await people(sessionmaker, 5)
    async with sessionmaker() as session, session.begin():
        roads = await create_department(session, name="도로과", now=START, chat_id=-900)
        await create_department(session, name="공원녹지과", now=START, chat_id=-901)
        session.add(CategoryDepartment(category="교통", department_id=roads))
        pid = (await make_proposal(session, author, START, category="교통")).id
    for voter in voters[:3]:
        async with sessionmaker() as session, session.begin():
            await endorse(session, proposal_id=pid, user_id=voter.id, now=START,
                          **review_start(SETTINGS), calendar=CALENDAR)
    async with sessionmaker() as session:
        first_link = await session.scalar(select(ReplyLink.id))
    item = await only_item(sessionmaker, WorkKind.THRESHOLD)
    result = await act(sessionmaker, item, "assign", voters[3], argument=roads)
    assert result.outcome is ActOutcome.DONE and result.url is None
    assert not (await only_item(sessionmaker, WorkKind.THRESHOLD)).open
    assert (await reload(sessionmaker, pid)).department_id == roads
    assert [m.chat_id for m in await outbox(sessionmaker, "department_link")] == [-900]
    assert len(await outbox(sessionmaker, "department_assigned")) == 1
    async with sessionmaker() as session:
        live = list(await session.scalars(select(ReplyLink.id)
                                          .where(ReplyLink.revoked_at.is_(None))))
    assert live == [first_link]  # the department's link still works


# ----- reports after a restore, the threshold under load -------------------------------------


async def test_a_restored_proposal_is_hidden_again_by_new_reporters_and_alerts_again(
    sessionmaker: Maker,
) -> None:
    author, *others = await people(sessionmaker, 8)
    mod = others.pop()
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    for reporter in others[:3]:
        await report(sessionmaker, pid, reporter)
    first = await only_item(sessionmaker, WorkKind.REPORTED)
    assert (await act(sessionmaker, first, "restore", mod)).outcome is ActOutcome.DONE
    later = START + timedelta(hours=1)
    for n, reporter in enumerate(others[3:6]):
        async with sessionmaker() as session, session.begin():
            assert await report_proposal(session, proposal_id=pid, user_id=reporter.id,
                                         reason="abuse", now=later, policy=SETTINGS.policy,
                                         venues=SETTINGS.venues)
        assert (await reload(sessionmaker, pid)).hidden is (n == 2)  # old reports don't count
    posted = await outbox(sessionmaker, "moderation_reported")
    assert len(posted) == 2 and posted[1].params["count"] == 3
    assert posted[1].params["reasons"] == {"abuse": 3}
    async with sessionmaker() as session:
        items = list(await session.scalars(select(WorkItem).where(
            WorkItem.kind == WorkKind.REPORTED).order_by(WorkItem.id)))
    assert [i.claimed_at is None for i in items] == [False, True]
    assert len(await outbox(sessionmaker, "content_hidden")) == 2


async def test_reports_past_a_lowered_threshold_still_hide_once(sessionmaker: Maker) -> None:
    author, *reporters = await people(sessionmaker, 6)
    lenient = Settings(secret_key="k" * 40, moderator_chat_id=MODERATORS,
                       policy=Policy(report_hide_threshold=5))
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    for reporter in reporters[:3]:
        async with sessionmaker() as session, session.begin():
            await report_proposal(session, proposal_id=pid, user_id=reporter.id, reason="spam",
                                  now=START, policy=lenient.policy, venues=lenient.venues)
    assert not (await reload(sessionmaker, pid)).hidden
    await report(sessionmaker, pid, reporters[3])  # 4 reporters, the threshold is now 3
    assert (await reload(sessionmaker, pid)).hidden
    await report(sessionmaker, pid, reporters[4])
    assert len(await outbox(sessionmaker, "moderation_reported")) == 1
    assert len(await outbox(sessionmaker, "content_hidden")) == 1


async def test_simultaneous_reports_reaching_the_threshold_hide_once(
    sessionmaker: Maker, backend: str,
) -> None:
    author, *reporters = await people(sessionmaker, 4)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
    await report(sessionmaker, pid, reporters[0])
    if backend == "sqlite":  # one writer at a time
        for reporter in reporters[1:]:
            await report(sessionmaker, pid, reporter)
    else:  # without the row lock both would count 2 and nobody would hide it
        await race_behind(
            sessionmaker,
            lambda session: report_proposal(session, proposal_id=pid, user_id=reporters[1].id,
                                            reason="spam", now=START, policy=SETTINGS.policy,
                                            venues=SETTINGS.venues),
            lambda: report(sessionmaker, pid, reporters[2]))
    assert (await reload(sessionmaker, pid)).hidden
    assert len(await outbox(sessionmaker, "moderation_reported")) == 1
    assert len(await outbox(sessionmaker, "content_hidden")) == 1


async def test_restore_with_a_reason_tells_the_author_and_keeps_it_in_the_audit(
    sessionmaker: Maker,
) -> None:
    author, = await people(sessionmaker, 1)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START, hidden=True)).id
    async with sessionmaker() as session, session.begin():
        done = await hiding.restore_content(session, kind="proposal", content_id=pid,
                                            actor="telegram:1", now=START,
                                            reason="  신고 내용이   사실과 달랐어요 ")
    assert done is hiding.HideOutcome.DONE
    [told] = await outbox(sessionmaker, "content_restored")
    assert told.params["reason_text"] == "신고 내용이 사실과 달랐어요"
    async with sessionmaker() as session:
        entry = await session.scalar(select(AuditEntry)
                                     .where(AuditEntry.action == "proposal.restore"))
    assert entry is not None and entry.after is not None
    assert entry.after["reason"] == "신고 내용이 사실과 달랐어요"


# ----- merge ---------------------------------------------------------------------------------


async def test_merging_a_into_b_and_b_into_a_at_once_lets_only_one_through(
    sessionmaker: Maker, backend: str,
) -> None:
    author, one, two = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        a = (await make_proposal(session, author, START, title="가로등 설치")).id
        b = (await make_proposal(session, author, START, title="공원 가로등 설치")).id
        session.add(Endorsement(proposal_id=a, user_id=one.id, created_at=START))
        session.add(Endorsement(proposal_id=b, user_id=two.id, created_at=START))

    async def merge(source: int, target: int) -> MergeOutcome:
        async with sessionmaker() as session, session.begin():
            return (await moderation.merge_proposals(session, source_id=source, target_id=target,
                                                     actor="t", actor_id=None, now=START)).outcome

    if backend == "sqlite":  # one writer at a time
        outcomes = [await merge(a, b), await merge(b, a)]
    else:  # B→A starts while A→B is not yet committed
        first, second = await race_behind(
            sessionmaker,
            lambda session: moderation.merge_proposals(session, source_id=a, target_id=b,
                                                       actor="t", actor_id=None, now=START),
            lambda: merge(b, a))
        outcomes = [first.outcome, second]
    assert sorted(outcomes) == sorted([MergeOutcome.MERGED, MergeOutcome.TARGET_CLOSED])
    statuses = {(await reload(sessionmaker, pid)).status for pid in (a, b)}
    assert statuses == {ProposalStatus.WITHDRAWN, ProposalStatus.COLLECTING}



async def test_merge_moves_endorsements_without_double_counting(sessionmaker: Maker) -> None:
    author_a, author_b, both, only_a, only_b = await people(sessionmaker, 5)
    async with sessionmaker() as session, session.begin():
        a = await make_proposal(session, author_a, START, title="가로등 설치")
        b = await make_proposal(session, author_b, START, title="공원 가로등 설치")
        a_id, b_id = a.id, b.id
    big = Settings(secret_key="k" * 40, policy=Policy(endorsement_threshold=50))
    for user, target in ((both, a_id), (only_a, a_id), (author_b, a_id), (both, b_id),
                         (only_b, b_id)):
        async with sessionmaker() as session, session.begin():
            await endorse(session, proposal_id=target, user_id=user.id, now=START,
                          **review_start(big), calendar=CALENDAR)
    async with sessionmaker() as session, session.begin():
        result = await moderation.merge_proposals(session, source_id=a_id, target_id=b_id,
                                                  actor="telegram:1", actor_id=None, now=START)
    assert result.outcome is MergeOutcome.MERGED and result.moved == 1 and result.count == 3
    merged_b, closed_a = await reload(sessionmaker, b_id), await reload(sessionmaker, a_id)
    assert merged_b.endorsement_count == 3
    assert closed_a.status == ProposalStatus.WITHDRAWN and closed_a.merged_into_id == b_id
    async with sessionmaker() as session:
        on_b = set(await session.scalars(select(Endorsement.user_id)
                                         .where(Endorsement.proposal_id == b_id)))
    assert on_b == {both.id, only_a.id, only_b.id}
    told = sorted(m.chat_id for m in await outbox(sessionmaker, "proposal_merged"))
    assert told == sorted(u.telegram_id for u in (author_a, author_b, both, only_a))
    assert all(m.params["proposal_id"] == b_id for m in await outbox(sessionmaker,
                                                                     "proposal_merged"))


async def test_a_merge_that_reaches_the_threshold_starts_the_review(sessionmaker: Maker) -> None:
    author, one, two, three = await people(sessionmaker, 4)
    async with sessionmaker() as session, session.begin():
        a = (await make_proposal(session, author, START)).id
        b = (await make_proposal(session, author, START, title="같은 제안")).id
        for user in (one, two):
            session.add(Endorsement(proposal_id=a, user_id=user.id, created_at=START))
        session.add(Endorsement(proposal_id=b, user_id=three.id, created_at=START))
    async with sessionmaker() as session, session.begin():
        result = await moderation.merge_proposals(
            session, source_id=a, target_id=b, actor="t", actor_id=None, now=START,
            **review_start(SETTINGS), calendar=CALENDAR)
    assert result.count == 3
    assert (await reload(sessionmaker, b)).status == ProposalStatus.UNDER_REVIEW
    assert len(await outbox(sessionmaker, "moderation_threshold")) == 1


async def test_bad_merges_are_refused_with_a_reason(sessionmaker: Maker) -> None:
    author, = await people(sessionmaker, 1)
    async with sessionmaker() as session, session.begin():
        a = (await make_proposal(session, author, START)).id
        hidden = (await make_proposal(session, author, START, hidden=True)).id
        expired = (await make_proposal(session, author, START,
                                       status=ProposalStatus.EXPIRED)).id
        reviewed = (await make_proposal(session, author, START,
                                        status=ProposalStatus.UNDER_REVIEW)).id

    async def merge(source: int, target: int) -> MergeOutcome:
        async with sessionmaker() as session, session.begin():
            return (await moderation.merge_proposals(session, source_id=source, target_id=target,
                                                     actor="t", actor_id=None, now=START)).outcome

    assert await merge(a, a) is MergeOutcome.SAME
    assert await merge(a, hidden) is MergeOutcome.TARGET_HIDDEN
    assert await merge(a, expired) is MergeOutcome.TARGET_CLOSED
    assert await merge(a, 9999) is MergeOutcome.NOT_FOUND
    assert await merge(reviewed, a) is MergeOutcome.SOURCE_NOT_COLLECTING
    assert (await reload(sessionmaker, a)).status == ProposalStatus.COLLECTING


# ----- bans ----------------------------------------------------------------------------------


async def test_a_banned_resident_cannot_endorse_report_or_propose_until_the_end(
    sessionmaker: Maker,
) -> None:
    author, banned, staff = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START)).id
        await session.execute(User.__table__.update().where(User.id == staff.id)
                              .values(role=Role.MODERATOR))
    async with sessionmaker() as session, session.begin():
        assert await bans.ban_user(session, telegram_id=banned.telegram_id, days=7,
                                   reason="반복 도배", actor="telegram:1",
                                   now=START) is BanOutcome.BANNED
        assert await bans.ban_user(session, telegram_id=staff.telegram_id, days=7,
                                   reason="x", actor="telegram:1", now=START) is BanOutcome.STAFF
        assert await bans.ban_user(session, telegram_id=424242, days=7, reason="x",
                                   actor="telegram:1", now=START) is BanOutcome.UNKNOWN_USER
        assert await bans.ban_user(session, telegram_id=banned.telegram_id, days=0, reason="x",
                                   actor="telegram:1", now=START) is BanOutcome.INVALID
    with pytest.raises(UserBanned) as refused:
        async with sessionmaker() as session, session.begin():
            await endorse(session, proposal_id=pid, user_id=banned.id, now=START,
                          **review_start(SETTINGS), calendar=CALENDAR)
    assert refused.value.reason == "반복 도배" and refused.value.until == START + timedelta(days=7)
    with pytest.raises(UserBanned):
        await report(sessionmaker, pid, banned)
    assert (await reload(sessionmaker, pid)).endorsement_count == 0
    later = START + timedelta(days=7, seconds=1)
    async with sessionmaker() as session, session.begin():
        result = await endorse(session, proposal_id=pid, user_id=banned.id, now=later,
                               **review_start(SETTINGS), calendar=CALENDAR)
    assert result.outcome is EndorseOutcome.ENDORSED


async def test_permanent_ban_and_unban(sessionmaker: Maker) -> None:
    banned, = await people(sessionmaker, 1)
    async with sessionmaker() as session, session.begin():
        assert await bans.ban_user(session, telegram_id=banned.telegram_id, days=None,
                                   reason="욕설", actor="a", now=START) is BanOutcome.BANNED
    async with sessionmaker() as session:
        ban = await bans.current_ban(session, banned.id, START + timedelta(days=3000))
    assert ban is not None and ban.permanent
    async with sessionmaker() as session, session.begin():
        assert await bans.unban_user(session, telegram_id=banned.telegram_id, actor="a",
                                     now=START) is BanOutcome.UNBANNED
        assert await bans.unban_user(session, telegram_id=banned.telegram_id, actor="a",
                                     now=START) is BanOutcome.NOT_BANNED
    async with sessionmaker() as session:
        assert await bans.current_ban(session, banned.id, START) is None


# ----- offline intake ------------------------------------------------------------------------


async def test_offline_intake_publishes_with_only_a_masked_contact(sessionmaker: Maker) -> None:
    mod, = await people(sessionmaker, 1)
    form = OfflineForm("phone", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.",
                       "구로1동", None, "김민수", "010-1234-5678")
    async with sessionmaker() as session, session.begin():
        pid = await moderation.enter_offline_proposal(session, form=form, moderator_id=mod.id,
                                                      actor="telegram:1", now=START,
                                                      policy=SETTINGS.policy,
                                                      secret_key=SETTINGS.secret_key)
    stored = await reload(sessionmaker, pid)
    assert stored.status == ProposalStatus.COLLECTING and stored.offline_channel == "phone"
    assert stored.offline_contact == "김*수 · 010-****-****"
    assert stored.offline_contact_hash == phone_hash("01012345678", "k" * 40)
    assert "1234" not in (stored.offline_contact or "")
    async with sessionmaker() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "proposal.offline")
        )
    assert entry is not None and "5678" not in str(entry.after)


async def test_offline_intake_for_a_resident_on_telegram_makes_them_the_author(
    sessionmaker: Maker,
) -> None:
    mod, resident = await people(sessionmaker, 2)
    form = OfflineForm("center", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.", None,
                       None, telegram_id=resident.telegram_id)
    async with sessionmaker() as session, session.begin():
        pid = await moderation.enter_offline_proposal(session, form=form, moderator_id=mod.id,
                                                      actor="telegram:1", now=START,
                                                      policy=SETTINGS.policy,
                                                      secret_key=SETTINGS.secret_key)
    stored = await reload(sessionmaker, pid)
    assert stored.author_id == resident.id and stored.offline_channel == "center"
    assert stored.offline_contact is None and stored.offline_contact_hash is None
    async with sessionmaker() as session:
        from bot.services.outbox import proposal_followers

        assert await proposal_followers(session, pid) == [resident.id]
    unknown = OfflineForm("phone", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.",
                          None, None, telegram_id=424242)
    with pytest.raises(moderation.UnknownResident):
        async with sessionmaker() as session, session.begin():
            await moderation.enter_offline_proposal(session, form=unknown, moderator_id=mod.id,
                                                    actor="telegram:1", now=START,
                                                    policy=SETTINGS.policy,
                                                    secret_key=SETTINGS.secret_key)
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_names_and_contacts_are_masked() -> None:
    assert moderation.mask_name("김민수") == "김*수"
    assert moderation.mask_name("남궁민수") == "남**수"
    assert moderation.mask_name("김민") == "김*"
    assert moderation.masked_contact("이영희", "+82 10 9876 5432") == "이*희 · +82 10 **** ****"
    assert moderation.masked_contact("박", "구로구 경인로 123-45") .endswith("**3-45")


# ----- roles ---------------------------------------------------------------------------------


async def test_roles_grant_revoke_last_admin_and_the_bootstrap_list(sessionmaker: Maker) -> None:
    admin, resident, other_admin = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        await session.execute(User.__table__.update().where(User.id == admin.id)
                              .values(role=Role.ADMIN))

    async def set_role(telegram_id: int, role: Role, boot: frozenset[int] = frozenset()
                       ) -> RoleOutcome:
        async with sessionmaker() as session, session.begin():
            return await roles.set_role(session, telegram_id=telegram_id, role=role, actor="a",
                                        now=START, bootstrap_ids=boot)

    assert await set_role(resident.telegram_id, Role.MODERATOR) is RoleOutcome.CHANGED
    assert await set_role(resident.telegram_id, Role.MODERATOR) is RoleOutcome.ALREADY
    assert await set_role(999999, Role.ADMIN) is RoleOutcome.UNKNOWN_USER
    assert await set_role(admin.telegram_id, Role.RESIDENT) is RoleOutcome.LAST_ADMIN
    assert await set_role(admin.telegram_id, Role.MODERATOR) is RoleOutcome.LAST_ADMIN
    assert await set_role(other_admin.telegram_id, Role.ADMIN) is RoleOutcome.CHANGED
    assert await set_role(admin.telegram_id, Role.RESIDENT,
                          frozenset({admin.telegram_id})) is RoleOutcome.BOOTSTRAP
    assert await set_role(admin.telegram_id, Role.RESIDENT) is RoleOutcome.CHANGED
    assert await set_role(other_admin.telegram_id, Role.RESIDENT) is RoleOutcome.LAST_ADMIN
    async with sessionmaker() as session:
        staff = await roles.list_staff(session, frozenset())
        audited = await session.scalar(select(func.count()).select_from(AuditEntry)
                                       .where(AuditEntry.action == "user.role"))
    assert [(m.telegram_id, m.role) for m in staff] == [
        (other_admin.telegram_id, Role.ADMIN), (resident.telegram_id, Role.MODERATOR)]
    assert audited == 3


# ----- the public page shows the marks and the hidden text -----------------------------------


async def test_public_page_marks_offline_intake_and_merges_and_hides_hidden_text(
    sessionmaker: Maker,
) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.clock import fake_clock
    from bot.i18n import I18n
    from bot.web.pages import PageDeps, add_page_routes

    mod, author = await people(sessionmaker, 2)
    form = OfflineForm("center", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.", None,
                       None, "김민수", "010-1234-5678")
    async with sessionmaker() as session, session.begin():
        offline_id = await moderation.enter_offline_proposal(
            session, form=form, moderator_id=mod.id, actor="t", now=START,
            policy=SETTINGS.policy, secret_key=SETTINGS.secret_key)
        target = (await make_proposal(session, author, START, title="큰 제안")).id
        source = (await make_proposal(session, author, START, title="작은 제안")).id
        secret = (await make_proposal(session, author, START, title="비밀 제목")).id
        await moderation.merge_proposals(session, source_id=source, target_id=target,
                                         actor="t", actor_id=None, now=START)
        await hiding.hide_content(session, kind="proposal", content_id=secret, reason="spam",
                                  actor="t", now=START)

    class NoWakes:
        def __call__(self, *targets: Wake) -> None:
            return None

    app = web.Application()
    add_page_routes(app, PageDeps(sessionmaker, SETTINGS, fake_clock(START), I18n(),
                                  CALENDAR, NoWakes()))
    async with TestClient(TestServer(app)) as client:
        offline_page = await (await client.get(f"/p/{offline_id}")).text()
        merged_page = await (await client.get(f"/p/{source}")).text()
        hidden_page = await (await client.get(f"/p/{secret}")).text()
    assert "📮" in offline_page and "010-1234" not in offline_page and "김민수" not in offline_page
    assert f"제안 {target}번으로" in merged_page and "➡️" in merged_page
    assert "비밀 제목" not in hidden_page and "운영 원칙에 따라 숨겨진 글이에요" in hidden_page


# ----- the other work items: approve / reject, held opinions, 재심의, overdue ----------------


async def test_pending_items_approve_or_reject_with_a_reason_told_to_the_author(
    sessionmaker: Maker,
) -> None:
    from bot.services import drafts
    from bot.services.proposals import submit_draft

    first, second, mod = await people(sessionmaker, 3)
    moderated = Settings(secret_key="k" * 40, moderator_chat_id=MODERATORS,
                         policy=Policy(pre_moderation=True))
    ids = []
    for author in (first, second):
        async with sessionmaker() as session, session.begin():
            await drafts.save_step(session, author.id, START, step="preview",
                                   title="공원 산책로에 가로등을 설치해 주세요",
                                   problem="밤에 공원 산책로가 너무 어두워서 무서워요.",
                                   solution="산책로를 따라 가로등을 설치해 주세요.",
                                   effect="밤에도 안전하게 산책할 수 있어요.")
            submitted = await submit_draft(session, author.id, START, moderated.policy,
                                           moderated.venues)
            ids.append(submitted.proposal_id)
    async with sessionmaker() as session:
        items = {i.subject_id: i for i in [await work_items.load_item(session, n)
                                           for n in await session.scalars(select(WorkItem.id))]
                 if i is not None}
    assert {i.kind for i in items.values()} == {WorkKind.PENDING}
    approved = await act(sessionmaker, items[ids[0]], "approve", mod)
    async with sessionmaker() as session, session.begin():
        rejected = await moderation.act_on_item(
            session, items[ids[1]], "reject", moderator=moderator(mod), now=START,
            **review_start(SETTINGS), calendar=CALENDAR, reason_text="개인정보 포함")
    assert approved.outcome is rejected.outcome is ActOutcome.DONE
    assert (await reload(sessionmaker, ids[0])).status == ProposalStatus.COLLECTING
    assert (await reload(sessionmaker, ids[1])).status == ProposalStatus.REJECTED
    [notice] = await outbox(sessionmaker, "proposal_rejected")
    assert notice.chat_id == second.telegram_id and notice.params["reason"] == "개인정보 포함"
    assert [m.params["work_kind"] for m in await outbox(sessionmaker, "moderation_pending")] \
        == ["pending", "pending"]


async def test_a_held_opinion_is_published_from_its_item(sessionmaker: Maker) -> None:
    from bot.db.models import Opinion
    from bot.services import debates

    author, writer, mod = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START, status=ProposalStatus.IN_DEBATE,
                                   debate_closes_at=START + timedelta(days=30))).id
    async with sessionmaker() as session, session.begin():
        held = await debates.write_opinion(session, proposal_id=pid, user_id=writer.id,
                                           text="아 시발 또 공사야 이런 건 필요 없어요",
                                           now=START, venues=SETTINGS.venues)
    assert held.outcome is debates.OpinionOutcome.HELD
    item = await only_item(sessionmaker, WorkKind.FLAGGED_OPINION)
    assert (await act(sessionmaker, item, "publish", mod)).outcome is ActOutcome.DONE
    async with sessionmaker() as session:
        opinion = await session.get(Opinion, held.opinion_id)
    assert opinion is not None and not opinion.hidden and not opinion.flagged


async def test_re_review_and_overdue_items(sessionmaker: Maker) -> None:
    from bot.services import answers

    author, mod = await people(sessionmaker, 2)
    async with sessionmaker() as session, session.begin():
        refused = (await make_proposal(session, author, START,
                                       status=ProposalStatus.NOT_FEASIBLE)).id
        roads = await create_department(session, name="도로과", now=START, chat_id=-900)
        # an overdue review reaches the moderators at once (an overdue final answer escalates
        # a business day at a time: tests/integration/test_answer_steps.py)
        late = (await make_proposal(session, author, START, status=ProposalStatus.UNDER_REVIEW,
                                    department_id=roads, review_due=START - timedelta(days=2),
                                    next_reminder_at=START - timedelta(hours=1))).id
    async with sessionmaker() as session, session.begin():
        assert await answers.request_re_review(
            session, proposal_id=refused, user_id=author.id,
            reason="주민 200명이 다시 서명했어요. 다시 봐 주세요.", now=START,
            venues=SETTINGS.venues)
        assert await answers.remind_department(session, late, START, SETTINGS.venues,
                                               SETTINGS.smtp_url)
    accepted = await act(sessionmaker, await only_item(sessionmaker, WorkKind.RE_REVIEW),
                         "accept", mod)
    assert accepted.outcome is ActOutcome.DONE
    assert (await reload(sessionmaker, refused)).status == ProposalStatus.UNDER_REVIEW
    before = len(await outbox(sessionmaker, "answer_reminder_overdue"))
    reminded = await act(sessionmaker, await only_item(sessionmaker, WorkKind.OVERDUE),
                         "remind", mod)
    assert reminded.outcome is ActOutcome.DONE
    assert len(await outbox(sessionmaker, "answer_reminder_overdue")) == before + 1


async def test_three_reports_hide_an_opinion_and_open_an_item_about_it(
    sessionmaker: Maker,
) -> None:
    from bot.db.models import Opinion
    from bot.services import debates

    author, writer, *reporters = await people(sessionmaker, 5)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START, status=ProposalStatus.IN_DEBATE,
                                   debate_closes_at=START + timedelta(days=30))).id
    async with sessionmaker() as session, session.begin():
        oid = (await debates.write_opinion(session, proposal_id=pid, user_id=writer.id,
                                           text="이 제안은 예산 낭비라고 생각합니다.", now=START,
                                           venues=SETTINGS.venues)).opinion_id
    assert oid is not None
    for reporter, reason in zip(reporters, ("abuse", "abuse", "duplicate"), strict=True):
        async with sessionmaker() as session, session.begin():
            assert await debates.report_opinion(session, opinion_id=oid, user_id=reporter.id,
                                                reason=reason, now=START,
                                                policy=SETTINGS.policy, venues=SETTINGS.venues)
    async with sessionmaker() as session:
        opinion = await session.get(Opinion, oid)
    assert opinion is not None and opinion.hidden and opinion.hidden_reason == "reports"
    item = await only_item(sessionmaker, WorkKind.REPORTED)
    assert (item.subject_kind, item.subject_id) == ("opinion", oid)
    [told] = await outbox(sessionmaker, "content_hidden")
    assert told.chat_id == writer.telegram_id and told.params["target"] == "opinion"


async def test_a_banned_author_keeps_the_draft_and_a_banned_writer_posts_no_opinion(
    sessionmaker: Maker,
) -> None:
    from bot.db.models import Opinion
    from bot.services import debates, drafts
    from bot.services.proposals import submit_draft

    author, banned = await people(sessionmaker, 2)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START, status=ProposalStatus.IN_DEBATE,
                                   debate_closes_at=START + timedelta(days=30))).id
        await drafts.save_step(session, banned.id, START, step="preview", title="가로등 설치 요청",
                               problem="밤에 너무 어두워요 정말로요.",
                               solution="가로등을 설치해 주세요.", effect="안전해져요.")
        await bans.ban_user(session, telegram_id=banned.telegram_id, days=3, reason="도배",
                            actor="a", now=START)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await submit_draft(session, banned.id, START, SETTINGS.policy, SETTINGS.venues)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await debates.write_opinion(session, proposal_id=pid, user_id=banned.id,
                                        text="이 제안에 찬성합니다 정말로요.", now=START,
                                        venues=SETTINGS.venues)
    async with sessionmaker() as session:
        assert await drafts.load_draft(session, banned.id) is not None
        assert await session.scalar(select(func.count()).select_from(Opinion)) == 0
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 1


async def banned_resident(sessionmaker: Maker, user: User) -> None:
    async with sessionmaker() as session, session.begin():
        await bans.ban_user(session, telegram_id=user.telegram_id, days=3, reason="도배",
                            actor="a", now=START)


async def test_a_banned_resident_cannot_choose_a_stance_or_like_an_opinion(
    sessionmaker: Maker,
) -> None:
    from bot.db.models import DebateStance, OpinionLike
    from bot.domain.debate import Stance
    from bot.services import debates

    author, writer, banned = await people(sessionmaker, 3)
    async with sessionmaker() as session, session.begin():
        pid = (await make_proposal(session, author, START, status=ProposalStatus.IN_DEBATE,
                                   debate_closes_at=START + timedelta(days=30))).id
    async with sessionmaker() as session, session.begin():
        oid = (await debates.write_opinion(session, proposal_id=pid, user_id=writer.id,
                                           text="이 제안은 예산 낭비라고 생각합니다.", now=START,
                                           venues=SETTINGS.venues)).opinion_id
    assert oid is not None
    await banned_resident(sessionmaker, banned)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await debates.choose_stance(session, proposal_id=pid, user_id=banned.id,
                                        stance=Stance.FOR, now=START)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await debates.like_opinion(session, opinion_id=oid, user_id=banned.id, now=START)
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(DebateStance)) == 0
        assert await session.scalar(select(func.count()).select_from(OpinionLike)) == 0


async def test_a_banned_resident_cannot_ask_for_re_review_or_rate_an_answer(
    sessionmaker: Maker,
) -> None:
    from bot.db.models import ReReviewRequest, SatisfactionVote
    from bot.services import answers

    author, = await people(sessionmaker, 1)
    async with sessionmaker() as session, session.begin():
        refused = (await make_proposal(session, author, START,
                                       status=ProposalStatus.NOT_FEASIBLE)).id
        answered = (await make_proposal(session, author, START,
                                        status=ProposalStatus.ANSWERED)).id
    await banned_resident(sessionmaker, author)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await answers.request_re_review(
                session, proposal_id=refused, user_id=author.id,
                reason="주민 200명이 다시 서명했어요. 다시 봐 주세요.", now=START,
                venues=SETTINGS.venues)
    with pytest.raises(UserBanned):
        async with sessionmaker() as session, session.begin():
            await answers.rate_answer(session, proposal_id=answered, user_id=author.id,
                                      satisfied=False, now=START, policy=SETTINGS.policy,
                                      venues=SETTINGS.venues)
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ReReviewRequest)) == 0
        assert await session.scalar(select(func.count()).select_from(SatisfactionVote)) == 0


async def test_items_about_a_text_carry_its_first_lines_masked(sessionmaker: Maker) -> None:
    author, = await people(sessionmaker, 1, first=900)
    async with sessionmaker() as session, session.begin():
        proposal = await make_proposal(
            session, author, START, problem="첫 줄이에요.\n\n메일 hong@example.com 으로 주세요.",
            solution="셋째 줄이에요.", effect="넷째 줄은 안 보여요.")
        notice = ModerationPending(proposal.id, "t", key=str(proposal.id))
        pending = await work_items.post_work_item(
            session, SETTINGS.venues, kind=WorkKind.PENDING, subject_kind="proposal",
            subject_id=proposal.id, notice=notice, now=START)
        threshold = await work_items.post_work_item(
            session, SETTINGS.venues, kind=WorkKind.THRESHOLD, subject_kind="proposal",
            subject_id=proposal.id, notice=notice, now=START)
    async with sessionmaker() as session:
        assert pending is not None and threshold is not None
        item = await work_items.load_item(session, pending)
        other = await work_items.load_item(session, threshold)
    assert item is not None and other is not None
    assert item.params["excerpt"] == (
        "첫 줄이에요.\n메일 h***@example.com 으로 주세요.\n셋째 줄이에요. …"
    )
    assert "excerpt" not in other.params  # a department choice needs no quote
    posted = [m for m in await outbox(sessionmaker, "moderation_pending")]
    assert posted and "hong@" not in str(posted[-1].params)


def test_the_excerpt_cuts_long_lines_and_says_nothing_more_when_all_is_shown() -> None:
    short = work_items.content_excerpt("한 줄뿐이에요.")
    assert short == "한 줄뿐이에요."
    long = work_items.content_excerpt("가" * 500, width=50)
    assert len(long) == 50 and long.endswith("…")
    excerpt = work_items.content_excerpt("주민번호 900101-1234567\nb\nc")
    assert excerpt == "주민번호 900101-*******\nb\nc"
