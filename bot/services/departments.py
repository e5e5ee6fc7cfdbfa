"""Departments, assigning a proposal to one, and the reply links that let it answer."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CategoryDepartment, Department, Proposal, ReplyLink
from bot.domain.departments import Named, default_first, match_departments
from bot.domain.events import DepartmentAssigned, DepartmentLink, Event, HeadAnswerRequested
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.tiers import DEPARTMENT_TRACK, HEAD_TRACK
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.outbox import enqueue, enqueue_email
from bot.services.sql import rows_affected

ASSIGNABLE = frozenset({ProposalStatus.UNDER_REVIEW, ProposalStatus.IN_DEBATE,
                        ProposalStatus.AWAITING_ANSWER, ProposalStatus.ANSWERED,
                        ProposalStatus.IN_PROGRESS})


class AssignOutcome(StrEnum):
    ASSIGNED = "assigned"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    NO_DEPARTMENT = "no_department"
    ALREADY = "already"


@dataclass(frozen=True)
class AssignResult:
    outcome: AssignOutcome
    token: str | None = None
    url: str | None = None
    link_id: int | None = None
    department: str | None = None
    link_expires_at: datetime | None = None


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    chat_id: int | None
    head_office: bool
    archived: bool


def hash_token(token: str, secret_key: str) -> str:
    """The only form in which a reply token is stored (a keyed hash)."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def reply_url(venues: Venues, token: str) -> str:
    return f"{venues.public_base_url}/r/{token}"


async def department_named(session: AsyncSession, name: str) -> int | None:
    """The department with exactly this name (archived ones too: names stay unique)."""
    return await session.scalar(select(Department.id).where(Department.name == name.strip()))


async def create_department(
    session: AsyncSession,
    *,
    name: str,
    now: datetime,
    chat_id: int | None = None,
    emails: str | None = None,
    head_office: bool = False,
    actor: str = "admin",
    head_email: str | None = None,
) -> int:
    department = Department(name=name.strip(), chat_id=chat_id, contact_emails=emails,
                            head_office=head_office, archived=False, head_email=head_email)
    session.add(department)
    await session.flush()
    record_audit(session, now, actor, "department.create", f"department:{department.id}",
           after={"name": department.name, "chat_id": chat_id, "head_office": head_office})
    return department.id


def is_head_address(raw: str) -> bool:
    """One e-mail address for the department head (where an overdue answer escalates)."""
    return _addresses(raw) == [raw] and len(raw) <= 254


async def set_head_email(
    session: AsyncSession, department_id: int, address: str | None, *, now: datetime,
    actor: str,
) -> str | None:
    """Set (or, with None, clear) the department head's e-mail; the department's name, or
    None when there is no such department."""
    department = await session.get(Department, department_id)
    if department is None:
        return None
    before, department.head_email = department.head_email, address
    record_audit(session, now, actor, "department.head_email", f"department:{department_id}",
                 before={"head_email": before}, after={"head_email": address})
    return department.name


async def list_departments(
    session: AsyncSession, *, include_archived: bool = False
) -> list[DepartmentView]:
    query = select(Department).order_by(Department.name)
    if not include_archived:
        query = query.where(Department.archived.is_(False))
    return [DepartmentView(d.id, d.name, d.chat_id, d.head_office, d.archived)
            for d in await session.scalars(query)]


async def find_department(session: AsyncSession, typed: str) -> DepartmentView | None:
    """The one active department `typed` names (its number, or its name with spacing and the
    과/팀 suffix forgiven); None for none or several."""
    views = await list_departments(session)
    if typed.strip().isdecimal():
        return next((v for v in views if v.id == int(typed)), None)
    found = match_departments(typed, [Named(view.id, view.name) for view in views])
    by_id = {view.id: view for view in views}
    return by_id[found[0].id] if len(found) == 1 else None


@dataclass(frozen=True)
class AssignChoices:
    """What `/assign <proposal> [typed]` can offer: the departments `typed` names, or, when
    it names none (or nothing was typed), every active one; the category's default first."""

    proposal_title: str
    typed: str
    departments: tuple[DepartmentView, ...]
    matched: bool
    assignable: bool

    @property
    def single(self) -> DepartmentView | None:
        """The one department typed, when the typing named exactly one."""
        return self.departments[0] if self.matched and len(self.departments) == 1 else None


async def assignment_choices(
    session: AsyncSession, proposal_id: int, typed: str = ""
) -> AssignChoices | None:
    """None when there is no such proposal."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    views = await list_departments(session)
    named = [Named(view.id, view.name) for view in views]
    found = match_departments(typed, named) if typed.strip() else []
    default = await default_department(session, proposal.category)
    by_id = {view.id: view for view in views}
    ordered = default_first(found or named, default)
    return AssignChoices(proposal.title, typed.strip(), tuple(by_id[d.id] for d in ordered),
                         matched=bool(found), assignable=proposal.status in ASSIGNABLE)


async def set_category_department(
    session: AsyncSession, *, category: str, department_id: int, now: datetime, actor: str
) -> None:
    existing = await session.get(CategoryDepartment, category)
    before: dict[str, object] | None = (
        {"department_id": existing.department_id} if existing else None
    )
    if existing:
        existing.department_id = department_id
    else:
        session.add(CategoryDepartment(category=category, department_id=department_id))
    record_audit(session, now, actor, "category.department", f"category:{category}", before=before,
           after={"department_id": department_id})


async def default_department(session: AsyncSession, category: str | None) -> int | None:
    if not category:
        return None
    return await session.scalar(
        select(CategoryDepartment.department_id)
        .join(Department, Department.id == CategoryDepartment.department_id)
        .where(CategoryDepartment.category == category, Department.archived.is_(False))
    )


async def assign_department(
    session: AsyncSession,
    proposal_id: int,
    department_id: int,
    *,
    now: datetime,
    policy: Policy,
    venues: Venues,
    secret_key: str,
    smtp_url: str | None,
    actor: str = "moderator",
    unless_already: bool = False,
) -> AssignResult:
    """Give the proposal to a department and send it a fresh reply link (old ones revoked).

    `unless_already` (a tapped button) leaves a proposal that already has this department
    alone: a double tap must not revoke the link the first tap has just shown.

    The link's token is stored hashed with `secret_key` (the current key) and lives
    `policy.reply_link_days`; it is also e-mailed when `smtp_url` is set.

    Outcomes: ASSIGNED (with the plain token, shown only here), NOT_FOUND, WRONG_STATE
    (it is not under review or later), NO_DEPARTMENT (unknown or archived), ALREADY.
    """
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None:
        return AssignResult(AssignOutcome.NOT_FOUND)
    if proposal.status not in ASSIGNABLE:
        return AssignResult(AssignOutcome.WRONG_STATE)
    department = await session.get(Department, department_id)
    if department is None or department.archived:
        return AssignResult(AssignOutcome.NO_DEPARTMENT)
    if unless_already and proposal.department_id == department_id:
        return AssignResult(AssignOutcome.ALREADY, department=department.name)
    before: dict[str, object] = {"department_id": proposal.department_id}
    proposal.department_id = department_id
    token, link = await _issue_link(session, proposal_id, department_id, now, policy,
                                    secret_key)
    url = reply_url(venues, token)
    record_audit(session, now, actor, "proposal.assign", f"proposal:{proposal_id}", before=before,
           after={"department_id": department_id, "link_id": link.id})
    await _deliver_link(session, proposal, department, url, now, venues, smtp_url)
    return AssignResult(AssignOutcome.ASSIGNED, token, url, link.id, department.name,
                        link.expires_at)


async def revoke_links(session: AsyncSession, proposal_id: int, now: datetime, actor: str) -> int:
    result = await session.execute(
        update(ReplyLink)
        .where(ReplyLink.proposal_id == proposal_id, ReplyLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    record_audit(session, now, actor, "reply_link.revoke", f"proposal:{proposal_id}")
    return int(rows_affected(result) or 0)


async def head_office(session: AsyncSession) -> Department | None:
    """The district head's office: the first active department marked `head_office`."""
    return await session.scalar(
        select(Department).where(Department.head_office.is_(True), Department.archived.is_(False))
        .order_by(Department.id).limit(1))


async def send_head_link(
    session: AsyncSession, proposal: Proposal, office: Department, *, now: datetime,
    policy: Policy, venues: Venues, secret_key: str, smtp_url: str | None,
) -> str:
    """The head's office gets its own reply link (a new one revokes only its own earlier
    ones, never the department's), pushed to its chat and e-mail; returns the address."""
    token, link = await _issue_link(session, proposal.id, office.id, now, policy, secret_key,
                                    track=HEAD_TRACK)
    url = reply_url(venues, token)
    record_audit(session, now, "자동 배정 (구청장 답변)", "proposal.head_route",
                 f"proposal:{proposal.id}", after={"department_id": office.id, "link_id": link.id})
    assert proposal.head_answer_due is not None, "routed proposals have the head's deadline"
    notice = HeadAnswerRequested(proposal.id, proposal.title, url, office.name,
                                 proposal.endorsement_count, proposal.head_answer_due,
                                 key=f"{proposal.id}:{url[-12:]}")
    await notify_department(session, office, notice, now, smtp_url)
    return url


async def issue_follow_up_link(
    session: AsyncSession, proposal_id: int, department_id: int, *, now: datetime,
    policy: Policy, venues: Venues, secret_key: str,
) -> str:
    """A fresh reply link for a reminder long after the first one (a plan's step, a progress
    request); the department's earlier links stay valid until they expire, so a page an
    official has open keeps working. Returns its address."""
    token, link = await _issue_link(session, proposal_id, department_id, now, policy,
                                    secret_key, revoke_others=False)
    record_audit(session, now, "자동 (진행 알림)", "reply_link.issue", f"proposal:{proposal_id}",
                 after={"department_id": department_id, "link_id": link.id})
    return reply_url(venues, token)


async def _issue_link(
    session: AsyncSession, proposal_id: int, department_id: int, now: datetime, policy: Policy,
    secret_key: str, *, track: str = DEPARTMENT_TRACK, revoke_others: bool = True,
) -> tuple[str, ReplyLink]:
    if revoke_others:
        await session.execute(
            update(ReplyLink)
            .where(ReplyLink.proposal_id == proposal_id, ReplyLink.revoked_at.is_(None),
                   ReplyLink.track == track)
            .values(revoked_at=now)
        )
    token = secrets.token_urlsafe(32)
    link = ReplyLink(
        token_hash=hash_token(token, secret_key),
        proposal_id=proposal_id,
        department_id=department_id,
        created_at=now,
        expires_at=now + timedelta(days=policy.reply_link_days),
        track=track,
    )
    session.add(link)
    await session.flush()
    return token, link


async def notify_department(
    session: AsyncSession, department: Department, notice: Event, now: datetime,
    smtp_url: str | None,
) -> None:
    """To the department's Telegram chat if it has one, and by e-mail when SMTP is set up."""
    if department.chat_id is not None:
        await enqueue(session, chat_id=department.chat_id, notice=notice, now=now)
    await email_department(session, department, notice, now, smtp_url)


async def email_department(
    session: AsyncSession, department: Department, notice: Event, now: datetime,
    smtp_url: str | None, *, head: bool = False,
) -> bool:
    """By e-mail alone, when SMTP is set up: to the department's addresses, or with `head`
    to the department head's. False when there was nobody to write to."""
    raw = department.head_email if head else department.contact_emails
    addresses = _addresses(raw or "") if smtp_url else []
    for address in addresses:
        await enqueue_email(session, address=address, notice=notice, now=now)
    return bool(addresses)


async def _deliver_link(
    session: AsyncSession, proposal: Proposal, department: Department, url: str, now: datetime,
    venues: Venues, smtp_url: str | None,
) -> None:
    key = f"{proposal.id}:{url[-12:]}"
    link = DepartmentLink(proposal.id, proposal.title, url, department.name, key=key)
    await notify_department(session, department, link, now, smtp_url)
    if venues.moderator_chat_id is not None:
        assigned = DepartmentAssigned(proposal.id, proposal.title, url, department.name, key=key,
                                      urgent=True)
        await enqueue(session, chat_id=venues.moderator_chat_id, notice=assigned, now=now)


def _addresses(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if "@" in part]
