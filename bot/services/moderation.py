"""Moderation: merging duplicates, offline intake, and what the buttons of the moderators'
work items do (hiding, restoring and the report threshold live in `bot/services/hiding.py`).

Each function takes a session whose transaction the caller owns and `now`; every change
writes an audit entry (who, what, before and after) and its outbox rows in that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Department, Endorsement, Proposal, User
from bot.domain.complaints import LEGAL_NAMES, read_route_argument
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import AnswerReminderOverdue, ProposalMerged
from bot.domain.lifecycle import LIVE_STATUSES, ProposalStatus
from bot.domain.permissions import Action, Refused, Subject, subject_rules
from bot.domain.policy import Policy
from bot.domain.text import mask_personal_data, normalise_text, phone_hash
from bot.domain.venues import Venues
from bot.services import answers as answer_services
from bot.services import proposals as proposal_services
from bot.services.audit import record_audit
from bot.services.callbacks import erase_if_closed
from bot.services.complaints import RouteOutcome, route_complaint
from bot.services.contact_vault import Contact, seal
from bot.services.departments import AssignOutcome, assign_department, notify_department
from bot.services.hiding import HideOutcome, restore_content
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue_for_users
from bot.services.search import index_proposal
from bot.services.sql import insert_ignoring_conflicts, is_postgres, rows_affected
from bot.services.work_items import ClaimOutcome, WorkItemView, WorkKind, claim, open_items_for
from bot.services.workgroups import decide_update

S = ProposalStatus


# ----- merging duplicates ---------------------------------------------------------------------


class MergeOutcome(StrEnum):
    MERGED = "merged"
    SAME = "same"
    NOT_FOUND = "not_found"
    SOURCE_NOT_COLLECTING = "source_not_collecting"
    TARGET_HIDDEN = "target_hidden"
    TARGET_CLOSED = "target_closed"


@dataclass(frozen=True)
class MergeResult:
    outcome: MergeOutcome
    moved: int = 0
    count: int = 0


async def merge_proposals(
    session: AsyncSession, *, source_id: int, target_id: int, actor: str, actor_id: int | None,
    now: datetime, policy: Policy | None = None, venues: Venues | None = None,
    secret_key: str | None = None, smtp_url: str | None = None,
    calendar: BusinessCalendar | None = None,
) -> MergeResult:
    """Merge duplicate A (`source_id`) into B (`target_id`).

    A must still be gathering 공감; it is closed the way the lifecycle already knows
    (COLLECTING → WITHDRAWN, noted as a merge) and points at B (`merged_into_id`). A's
    endorsers move to B, except people who had endorsed both and B's author; B's count is
    recomputed from the rows. A's endorsers and author are told where their 공감 went. With
    `policy`, `venues`, `secret_key` and `calendar` (what starting a review needs, see
    `proposals.endorse`), a B that now reaches the threshold goes to review.
    Outcomes: MERGED; SAME; NOT_FOUND; SOURCE_NOT_COLLECTING; TARGET_HIDDEN; TARGET_CLOSED.
    """
    if source_id == target_id:
        return MergeResult(MergeOutcome.SAME)
    locked = await _lock_proposals(session, (source_id, target_id))
    source, target = locked.get(source_id), locked.get(target_id)
    if source is None or target is None:
        return MergeResult(MergeOutcome.NOT_FOUND)
    if target.hidden:
        return MergeResult(MergeOutcome.TARGET_HIDDEN)
    if target.status not in LIVE_STATUSES or target.merged_into_id is not None:
        return MergeResult(MergeOutcome.TARGET_CLOSED)
    before = {"source_status": source.status, "source_count": source.endorsement_count,
              "target_count": target.endorsement_count}
    moved_away = await transition(
        session, source_id, expected=S.COLLECTING, new=S.WITHDRAWN, now=now, actor_id=actor_id,
        changes={"merged_into_id": target_id, "halfway_at": None, "closing_soon_at": None},
        note=f"merged into #{target_id}", push=False,
    )
    if not moved_away:
        return MergeResult(MergeOutcome.SOURCE_NOT_COLLECTING)
    endorsers = list(await session.scalars(
        select(Endorsement.user_id).where(Endorsement.proposal_id == source_id)))
    moved = 0
    target_subject = Subject(author_id=target.author_id)
    for user_id in endorsers:
        if isinstance(subject_rules(user_id, Action.ENDORSE, target_subject), Refused):
            continue  # no 공감 for one's own proposal
        added = await session.execute(insert_ignoring_conflicts(
            session, Endorsement, proposal_id=target_id, user_id=user_id, created_at=now))
        moved += int(rows_affected(added) or 0)
        await proposal_services.set_muted(session, proposal_id=target_id, user_id=user_id,
                                          muted=False, now=now)
    count = await _recount(session, target_id)
    record_audit(session, now, actor, "proposal.merge", f"proposal:{source_id}", before=before,
                 after={"merged_into_id": target_id, "moved": moved, "target_count": count})
    notice = ProposalMerged(target_id, source.title, target.title, key=f"{source_id}:{target_id}")
    await enqueue_for_users(session, sorted({*endorsers, source.author_id}), notice, now)
    await erase_if_closed(session, source_id, actor=actor, now=now)
    if policy is not None and venues is not None and secret_key is not None \
            and calendar is not None:
        await proposal_services.start_review_if_reached(
            session, target_id, now, policy=policy, venues=venues, secret_key=secret_key,
            smtp_url=smtp_url, calendar=calendar)
    return MergeResult(MergeOutcome.MERGED, moved, count)


async def _lock_proposals(session: AsyncSession, ids: tuple[int, ...]) -> dict[int, Proposal]:
    """Load (and on PostgreSQL lock) the proposals in id order before any check.

    Merging A→B and B→A at the same moment would otherwise both pass the checks and close
    each other; with the rows locked in one order the second merge waits, then sees the
    first one's result (SQLite has a single writer and needs no lock)."""
    query = select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id)
    if is_postgres(session):
        query = query.with_for_update()
    rows = await session.scalars(query.execution_options(populate_existing=True))
    return {row.id: row for row in rows}


async def _recount(session: AsyncSession, proposal_id: int) -> int:
    count = int(await session.scalar(select(func.count()).select_from(Endorsement)
                                     .where(Endorsement.proposal_id == proposal_id)) or 0)
    await session.execute(update(Proposal).where(Proposal.id == proposal_id)
                          .values(endorsement_count=count)
                          .execution_options(synchronize_session=False))
    return count


# ----- offline intake -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfflineForm:
    """A proposal received on paper, by phone or at a 동 주민센터."""

    channel: str
    title: str
    body: str
    area: str | None
    category: str | None
    name: str = ""
    contact: str = ""
    telegram_id: int | None = None  # a resident who uses the bot: they become the author
    callback: bool = False  # the resident agreed to be phoned with news of it (연락 동의)
    texts: bool = False  # … or to get its news by 알림톡/SMS at that number (문자 동의)


class UnknownResident(LookupError):
    """The form names a Telegram id that nobody has used the bot with; nothing was written."""


def mask_name(name: str) -> str:
    """김민수 → 김*수, 김민 → 김*: enough to recognise the person, not to expose them."""
    clean = "".join(name.split())
    if len(clean) <= 1:
        return clean
    if len(clean) == 2:
        return clean[0] + "*"
    return clean[0] + "*" * (len(clean) - 2) + clean[-1]


def masked_contact(name: str, contact: str) -> str:
    masked, _ = mask_personal_data(normalise_text(contact))
    digits = "".join(ch for ch in masked if ch.isdigit())
    if len(digits) > 4:  # not recognised as a number: keep no more than the last 4 digits
        masked = "*" * max(0, len(masked) - 4) + masked[-4:]
    return " · ".join(part for part in (mask_name(name), masked) if part)[:120]


async def enter_offline_proposal(
    session: AsyncSession, *, form: OfflineForm, moderator_id: int, actor: str, now: datetime,
    policy: Policy, secret_key: str, contact_key: str | None = None,
) -> int:
    """Publish a proposal received offline on a resident's behalf, marked 오프라인 접수.

    With the resident's Telegram id (someone who has used the bot) they are the author and
    follow it like any proposal of theirs, so no contact is needed or kept. Otherwise the
    moderator is the author of record and the resident's name and contact are kept only
    masked, plus a keyed hash of the number; with the resident's consent to be called back,
    or to get its news by 알림톡/SMS, also encrypted with `contact_key` (see
    `bot.services.callbacks`). An unknown Telegram id raises `UnknownResident`.
    """
    resident = await _offline_author(session, form.telegram_id)
    proposal = Proposal(
        author_id=resident or moderator_id, title=form.title, problem=form.body, solution="",
        effect="", area=form.area, category=form.category, status=S.PENDING_MODERATION,
        hidden=False, flagged=False, endorsement_count=0, created_at=now,
        offline_channel=form.channel,
        offline_contact=None if resident else masked_contact(form.name, form.contact),
        offline_contact_hash=None if resident else phone_hash(form.contact, secret_key),
        offline_contact_secret=_sealed(form, contact_key) if not resident else None,
        offline_text_secret=_sealed_for_texts(form, contact_key) if not resident else None,
    )
    session.add(proposal)
    await session.flush()
    await index_proposal(session, proposal.id, proposal.title, proposal.problem)
    await proposal_services.publish(session, proposal.id, now, policy, moderator_id)
    if resident or form.callback or form.texts:  # the author of record follows it: its
        # news then goes by text or to the call-back list (bot.services.callbacks), never
        # to the moderator's chat
        await proposal_services.set_muted(session, proposal_id=proposal.id,
                                          user_id=resident or moderator_id, muted=False, now=now)
    record_audit(session, now, actor, "proposal.offline", f"proposal:{proposal.id}",
                 after={"channel": form.channel, "contact": proposal.offline_contact,
                        "author_telegram_id": form.telegram_id if resident else None,
                        "callback_consent": proposal.offline_contact_secret is not None,
                        "text_consent": proposal.offline_text_secret is not None})
    return proposal.id


def _sealed(form: OfflineForm, contact_key: str | None) -> str | None:
    """The contact encrypted for call-backs, only with the resident's consent."""
    if not form.callback:
        return None
    if contact_key is None:
        raise ValueError("a call-back contact needs the contact key")
    return seal(Contact(form.name, form.contact), contact_key)


def _sealed_for_texts(form: OfflineForm, contact_key: str | None) -> str | None:
    """The contact encrypted for 처리과정 알림 by 알림톡/SMS, only with the resident's consent."""
    if not form.texts:
        return None
    if contact_key is None:
        raise ValueError("a contact for texts needs the contact key")
    return seal(Contact(form.name, form.contact), contact_key)


async def _offline_author(session: AsyncSession, telegram_id: int | None) -> int | None:
    """The users.id of the resident named on the form; None when the form names nobody."""
    if telegram_id is None:
        return None
    user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    if user_id is None:
        raise UnknownResident(telegram_id)
    return int(user_id)


# ----- work item buttons ----------------------------------------------------------------------


ACTIONS: dict[WorkKind, frozenset[str]] = {
    WorkKind.PENDING: frozenset({"approve", "reject"}),
    WorkKind.FLAGGED_OPINION: frozenset({"publish", "keep"}),
    WorkKind.REPORTED: frozenset({"restore", "keep"}),
    WorkKind.THRESHOLD: frozenset({"assign"}),
    WorkKind.OVERDUE: frozenset({"remind", "noted"}),
    WorkKind.RE_REVIEW: frozenset({"accept", "decline"}),
    WorkKind.DISSATISFIED: frozenset({"noted"}),
    WorkKind.INTERIM_MISSING: frozenset({"noted"}),
    WorkKind.HEAD_OFFICE: frozenset({"noted"}),
    WorkKind.HEAD_OVERDUE: frozenset({"noted"}),
    WorkKind.COMPLAINT: frozenset({"route", "reject"}),
    WorkKind.WORKGROUP_UPDATE: frozenset({"publish", "keep"}),
}


class ActOutcome(StrEnum):
    DONE = "done"
    NO_EFFECT = "no_effect"  # claimed, but the subject had already moved on
    ALREADY_HANDLED = "already_handled"
    INVALID = "invalid"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ActResult:
    outcome: ActOutcome
    item: WorkItemView | None = None
    url: str | None = None


@dataclass(frozen=True)
class Moderator:
    user_id: int
    name: str
    actor: str


async def act_on_item(
    session: AsyncSession, item: WorkItemView, action: str, *, moderator: Moderator,
    now: datetime, policy: Policy, venues: Venues, secret_key: str, smtp_url: str | None,
    calendar: BusinessCalendar, argument: int = 0, reason_text: str = "",
    message_id: int | None = None,
) -> ActResult:
    """Claim the item for `action` and carry it out; the loser of a race changes nothing."""
    if action not in ACTIONS[item.kind] or not await _names_a_department(
            session, item, action, argument):
        return ActResult(ActOutcome.INVALID, item)
    note = reason_text or _chosen(item, action, argument)
    claimed = await claim(session, item.id, user_id=moderator.user_id, name=moderator.name,
                          action=action, now=now, note=note or None, message_id=message_id)
    if claimed.outcome is ClaimOutcome.NOT_FOUND:
        return ActResult(ActOutcome.NOT_FOUND)
    if claimed.outcome is ClaimOutcome.ALREADY_HANDLED:
        return ActResult(ActOutcome.ALREADY_HANDLED, claimed.item)
    done, url = await _carry_out(
        session, item, action, moderator, now, policy=policy, venues=venues,
        secret_key=secret_key, smtp_url=smtp_url, calendar=calendar, argument=argument,
        reason_text=reason_text)
    record_audit(session, now, moderator.actor, f"work_item.{action}", f"work_item:{item.id}",
                 before={"kind": item.kind, "subject": f"{item.subject_kind}:{item.subject_id}"},
                 after={"action": action, "effect": done, "argument": argument or None})
    return ActResult(ActOutcome.DONE if done else ActOutcome.NO_EFFECT, claimed.item, url)


async def _names_a_department(
    session: AsyncSession, item: WorkItemView, action: str, argument: int
) -> bool:
    """A 민원 triage button must name a kind and one of the item's departments, still active:
    a forged or stale one must not claim the item (it stays open to the right buttons)."""
    if action != "route":
        return True
    route = read_route_argument(argument)
    if route is None or chosen_department(item, route[0]) == "":
        return False
    department = await session.get(Department, route[0])
    return department is not None and not department.archived


def _chosen(item: WorkItemView, action: str, argument: int) -> str:
    """What a button chose, kept as the item's note: a department, or a 민원's department and
    kind."""
    if action == "assign":
        return chosen_department(item, argument)
    route = read_route_argument(argument) if action == "route" else None
    if route is None:
        return ""
    department_id, kind = route
    return f"{chosen_department(item, department_id)} · {LEGAL_NAMES[kind]}"


def chosen_department(item: WorkItemView, argument: int) -> str:
    """The name of the department a threshold item's button `argument` names ("" if none):
    kept as the item's note, so every copy of the item can say which one was chosen."""
    names = {int(d): str(n) for d, n in item.params.get("departments", [])}
    return names.get(argument, "")


async def _carry_out(
    session: AsyncSession, item: WorkItemView, action: str, moderator: Moderator, now: datetime,
    *, policy: Policy, venues: Venues, secret_key: str, smtp_url: str | None,
    calendar: BusinessCalendar, argument: int, reason_text: str,
) -> tuple[bool, str | None]:
    subject = item.subject_id
    if item.kind is WorkKind.WORKGROUP_UPDATE:  # publish or keep back a 워킹그룹 report
        return await decide_update(session, subject, approve=action == "publish",
                                   actor=moderator.actor, now=now, venues=venues), None
    if action == "approve":
        return await proposal_services.approve_pending(
            session, subject, now, policy, moderator.user_id), None
    if action == "reject":
        return await proposal_services.reject_pending(
            session, subject, now, moderator.user_id, reason_text), None
    if action in ("publish", "restore"):
        outcome = await restore_content(session, kind=item.subject_kind, content_id=subject,
                                        actor=moderator.actor, now=now)
        return outcome is HideOutcome.DONE, None
    if action == "assign":
        if await _already_assigned(session, subject, argument):
            return True, None  # a confirmation: the department already has its link
        result = await assign_department(session, subject, argument, now=now, policy=policy,
                                         venues=venues, secret_key=secret_key,
                                         smtp_url=smtp_url, actor=moderator.actor)
        return result.outcome is AssignOutcome.ASSIGNED, result.url
    if action in ("accept", "decline"):
        return await answer_services.decide_re_review(
            session, proposal_id=subject, approve=action == "accept", moderator=moderator.actor,
            now=now, policy=policy, calendar=calendar), None
    if action == "remind":
        return await _remind_again(session, item, now, smtp_url), None
    if action == "route":
        return await _route(session, item, moderator, now, policy=policy, venues=venues,
                            secret_key=secret_key, smtp_url=smtp_url, calendar=calendar,
                            argument=argument)
    return True, None  # keep hidden, noted: the claim itself is the record


async def _route(
    session: AsyncSession, item: WorkItemView, moderator: Moderator, now: datetime, *,
    policy: Policy, venues: Venues, secret_key: str, smtp_url: str | None,
    calendar: BusinessCalendar, argument: int,
) -> tuple[bool, str | None]:
    """A 민원 triage button: its kind and department (a forged number changes nothing)."""
    route = read_route_argument(argument)
    if route is None:
        return False, None
    department_id, kind = route
    result = await route_complaint(session, item.subject_id, department_id, kind, now=now,
                                   policy=policy, venues=venues, secret_key=secret_key,
                                   smtp_url=smtp_url, calendar=calendar, actor=moderator.actor)
    return result.outcome is RouteOutcome.ROUTED, result.url


async def _already_assigned(session: AsyncSession, proposal_id: int, department_id: int) -> bool:
    """The threshold item pre-selects the department the proposal was given automatically
    (its link already sent); pressing it confirms that choice instead of re-issuing the link,
    which would revoke the one the department has and message it twice."""
    current = await session.scalar(select(Proposal.department_id)
                                   .where(Proposal.id == proposal_id))
    return current is not None and current == department_id


async def _remind_again(
    session: AsyncSession, item: WorkItemView, now: datetime, smtp_url: str | None
) -> bool:
    proposal = await session.get(Proposal, item.subject_id)
    if proposal is None or proposal.department_id is None:
        return False
    department = await session.get(Department, proposal.department_id)
    if department is None:
        return False
    reminder = AnswerReminderOverdue.from_params(
        item.params, key=f"{item.subject_id}:again:{now.isoformat()}")
    await notify_department(session, department, reminder, now, smtp_url)
    return True


async def settle_items(
    session: AsyncSession, subject_kind: str, subject_id: int, action: str, *,
    moderator: Moderator, now: datetime, kinds: frozenset[WorkKind], note: str = "",
) -> None:
    """A command did what an open item asked (e.g. /restore, /hide): mark those items handled."""
    for item in await open_items_for(session, subject_kind, subject_id):
        if item.kind in kinds:
            await claim(session, item.id, user_id=moderator.user_id, name=moderator.name,
                        action=action, now=now, note=note[:500] or "command")
