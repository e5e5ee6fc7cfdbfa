"""Linking a KakaoTalk account and a Telegram account into one 공감 user (and unlinking).

`issue_link_code` gives an account a one-time code (a new one replaces its unused one); the
other account redeems it with `redeem_link_code`. Redeeming is one guarded UPDATE
(`used_at IS NULL AND expires_at > now`), so a code links once however often it is sent; the
join itself runs in the same transaction (bot/domain/account_links.py says which side gives
way). The side that gives way is deleted after what is not history has moved over: its Kakao
account, its held pushes, its pending Telegram pushes, its link codes (so that a code sent
again finds its way to the survivor and reads "already linked").

Activity is any row that points at the user from a table not in `NOT_ACTIVITY` (read from the
metadata, so a table added later counts until it is listed here), and a staff role, a
verification or a ban on the user itself: a ban can never be shed by linking.

Wrong codes are limited per user (`FAILURES_PER_HOUR` in any rolling hour,
bot/services/wrong_codes.py, counted from
`account_link_failures`); only codes that do not exist count, as for verification codes.

Outcomes of `redeem_link_code`: LINKED, ALREADY_LINKED, OWN_CODE, SAME_CHANNEL, BOTH_ACTIVE,
UNKNOWN, USED, EXPIRED, RATE_LIMITED. Of `unlink_accounts`: UNLINKED, NOT_LINKED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AccountLinkCode,
    AccountLinkFailure,
    Base,
    KakaoAccount,
    KakaoHeldNotice,
    OutboxMessage,
    OutboxStatus,
    TextContact,
    User,
)
from bot.domain.account_links import (
    CODE_LIFETIME,
    Join,
    join_for,
    link_code_hash,
    new_link_code,
    normalise_link_code,
)
from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.permissions import Role
from bot.services.audit import record_audit
from bot.services.kakao_accounts import new_kakao_user
from bot.services.sql import rows_affected
from bot.services.wrong_codes import locked_out_until, record_wrong_code

# Rows about a user that are not their history: they move with the join or go with the user
# (a Kakao-only resident's 알림톡 number is only a way to reach them; once linked, their news
# goes to Telegram).
NOT_ACTIVITY = frozenset({
    "kakao_accounts", "kakao_held_notices", "account_link_codes", "account_link_failures",
    "verification_failures", "outbox", "text_contacts",
})
CODES_KEPT = timedelta(days=1)  # used and expired codes are kept this long, then dropped


class IssueOutcome(StrEnum):
    ISSUED = "issued"
    ALREADY_LINKED = "already_linked"


class LinkOutcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"
    OWN_CODE = "own_code"
    SAME_CHANNEL = "same_channel"
    BOTH_ACTIVE = "both_active"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    RATE_LIMITED = "rate_limited"


class UnlinkOutcome(StrEnum):
    UNLINKED = "unlinked"
    NOT_LINKED = "not_linked"


@dataclass(frozen=True)
class IssuedCode:
    """A code in clear, shown once; `from_kakao`: shown in KakaoTalk, to enter in Telegram."""

    outcome: IssueOutcome
    code: str | None = None
    expires_at: datetime | None = None
    from_kakao: bool = False


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    join: Join | None = None
    retry_at: datetime | None = None
    tries_left: int | None = None  # after a wrong code: how many more before the lock


@dataclass(frozen=True)
class Side:
    """One of the two users a code would join."""

    id: int
    telegram_id: int
    linked: bool  # a Telegram user with a Kakao account already

    @property
    def on_kakao(self) -> bool:
        return self.telegram_id >= KAKAO_ID_BASE


# ----- issuing ---------------------------------------------------------------------------------


async def issue_link_code(
    session: AsyncSession, *, user_id: int, secret_key: str, now: datetime
) -> IssuedCode:
    """A new code for `user_id`'s account, valid `CODE_LIFETIME`; none when already linked."""
    side = await _side(session, user_id)
    if side.linked:
        return IssuedCode(IssueOutcome.ALREADY_LINKED)
    await session.execute(delete(AccountLinkCode).where(
        or_(AccountLinkCode.expires_at < now - CODES_KEPT,
            (AccountLinkCode.user_id == user_id) & AccountLinkCode.used_at.is_(None))))
    code = await _unused_code(session, secret_key, now)
    expires_at = now + CODE_LIFETIME
    session.add(AccountLinkCode(user_id=user_id, code_hash=link_code_hash(code, secret_key),
                                expires_at=expires_at, created_at=now))
    await session.flush()
    return IssuedCode(IssueOutcome.ISSUED, code, expires_at, side.on_kakao)


async def _unused_code(session: AsyncSession, secret_key: str, now: datetime) -> str:
    """A code no live code has: the one that is entered must name one account."""
    while True:
        code = new_link_code()
        taken = await session.scalar(select(exists().where(
            AccountLinkCode.code_hash == link_code_hash(code, secret_key),
            AccountLinkCode.used_at.is_(None), AccountLinkCode.expires_at > now)))
        if not taken:
            return code


# ----- redeeming -------------------------------------------------------------------------------


async def redeem_link_code(
    session: AsyncSession, *, user_id: int, typed: str, secret_keys: Sequence[str],
    actor: str, now: datetime,
) -> LinkResult:
    """Link `user_id`'s account with the account that showed the code (see the module)."""
    if (await _side(session, user_id)).linked:
        return LinkResult(LinkOutcome.ALREADY_LINKED)
    retry_at = await _locked_out_until(session, user_id, now)
    if retry_at is not None:
        return LinkResult(LinkOutcome.RATE_LIMITED, retry_at=retry_at)
    code = await _find_code(session, typed, secret_keys)
    if code is None:
        return await _wrong_code(session, user_id, now)
    refusal = _code_refusal(code, user_id, now)
    if refusal is not None:
        return LinkResult(refusal)
    await _lock_users(session, code.user_id, user_id)
    if not await _still_unused(session, code.id):  # taken while we waited for the lock
        return LinkResult(LinkOutcome.USED)
    return await _link(session, code, await _side(session, user_id), actor, now)


async def _still_unused(session: AsyncSession, code_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(
        AccountLinkCode.id == code_id, AccountLinkCode.used_at.is_(None)))))


async def _lock_users(session: AsyncSession, *user_ids: int) -> None:
    """Both users' rows, locked in id order (PostgreSQL; SQLite has one writer anyway): two
    links of the same accounts at once take turns, and the second sees the first's join."""
    await session.execute(select(User.id).where(User.id.in_(user_ids)).order_by(User.id)
                          .with_for_update())


async def _find_code(
    session: AsyncSession, typed: str, secret_keys: Sequence[str]
) -> AccountLinkCode | None:
    """The newest code with this hash under any of the keys (a rotation keeps codes alive)."""
    digits = normalise_link_code(typed)
    if digits is None:
        return None
    hashes = [link_code_hash(digits, key) for key in secret_keys]
    return await session.scalar(
        select(AccountLinkCode).where(AccountLinkCode.code_hash.in_(hashes))
        .order_by(AccountLinkCode.expires_at.desc()).limit(1))


def _code_refusal(code: AccountLinkCode, user_id: int, now: datetime) -> LinkOutcome | None:
    """Why this code cannot link `user_id` (its own code, used, expired), if it cannot."""
    if code.user_id == user_id:
        return LinkOutcome.ALREADY_LINKED if code.used_at is not None else LinkOutcome.OWN_CODE
    if code.used_at is not None:
        return LinkOutcome.USED
    if code.expires_at <= now:
        return LinkOutcome.EXPIRED
    return None


async def _link(
    session: AsyncSession, code: AccountLinkCode, redeemer: Side, actor: str, now: datetime
) -> LinkResult:
    shower = await _side(session, code.user_id)
    if shower.linked:
        return LinkResult(LinkOutcome.ALREADY_LINKED)
    if shower.on_kakao == redeemer.on_kakao:
        return LinkResult(LinkOutcome.SAME_CHANNEL)
    kakao, telegram = (shower, redeemer) if shower.on_kakao else (redeemer, shower)
    join = join_for(kakao_active=await _has_activity(session, kakao.id),
                    telegram_active=await _has_activity(session, telegram.id))
    if join is None:
        return LinkResult(LinkOutcome.BOTH_ACTIVE)
    if not await _consume(session, code.id, now):
        return LinkResult(LinkOutcome.USED)  # another account took it a moment ago
    survivor = await _join(session, join, kakao, telegram)
    record_audit(session, now, actor, "account.linked", f"user:{survivor}",
                 after={"join": str(join), "kakao_user": kakao.id, "telegram_user": telegram.id})
    return LinkResult(LinkOutcome.LINKED, join=join)


async def _consume(session: AsyncSession, code_id: int, now: datetime) -> bool:
    """The guarded UPDATE: True only for the one caller that marks the code used."""
    result = await session.execute(
        update(AccountLinkCode)
        .where(AccountLinkCode.id == code_id, AccountLinkCode.used_at.is_(None),
               AccountLinkCode.expires_at > now)
        .values(used_at=now))
    return bool(rows_affected(result))


async def _join(session: AsyncSession, join: Join, kakao: Side, telegram: Side) -> int:
    """Make the two one user; the survivor's database id. A 알림톡 number given in KakaoTalk
    goes: the resident's news goes to Telegram from now on, and a number kept for nothing
    is a number kept too long (after an unlink it is asked for again)."""
    await session.execute(delete(TextContact).where(
        TextContact.user_id.in_([kakao.id, telegram.id])))
    if join is Join.KAKAO_JOINS_TELEGRAM:
        await _move_belongings(session, kakao, telegram)
        await session.execute(delete(User).where(User.id == kakao.id))
        return telegram.id
    await _move_belongings(session, telegram, kakao)
    await session.execute(delete(User).where(User.id == telegram.id))
    # after the delete: users.telegram_id is unique
    await session.execute(update(User).where(User.id == kakao.id)
                          .values(telegram_id=telegram.telegram_id))
    return kakao.id


async def _move_belongings(session: AsyncSession, source: Side, target: Side) -> None:
    """What is not history moves from the side that gives way to the survivor; pushes still
    waiting for either chat go to the survivor's Telegram chat."""
    for table in (KakaoAccount, KakaoHeldNotice, AccountLinkCode):
        await session.execute(update(table).where(table.user_id == source.id)
                              .values(user_id=target.id))
    real_chat = min(source.telegram_id, target.telegram_id)  # synthetic ids are above it
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == "telegram", OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.chat_id.in_([source.telegram_id, target.telegram_id]))
        .values(chat_id=real_chat, user_id=target.id))


# ----- activity --------------------------------------------------------------------------------


async def _has_activity(session: AsyncSession, user_id: int) -> bool:
    """Whether the user has history that linking would have to merge (see the module)."""
    standing = exists().where(User.id == user_id, or_(
        User.role != Role.RESIDENT, User.verified_area.is_not(None),
        User.banned_until.is_not(None)))
    return bool(await session.scalar(select(or_(standing, *_rows_of(user_id)))))


def _rows_of(user_id: int) -> list[ColumnElement[bool]]:
    """`EXISTS` for every column of every table that points at users, `NOT_ACTIVITY` aside."""
    users = User.__table__
    return [
        exists().where(key.parent == user_id)
        for table in Base.metadata.sorted_tables if table.name not in NOT_ACTIVITY
        for key in table.foreign_keys if key.column.table is users
    ]


# ----- unlinking -------------------------------------------------------------------------------


async def unlink_accounts(
    session: AsyncSession, *, user_id: int, actor: str, now: datetime
) -> UnlinkOutcome:
    """Give the user's Kakao account a fresh Kakao-only user again; every history stays with
    the Telegram side."""
    if not (await _side(session, user_id)).linked:
        return UnlinkOutcome.NOT_LINKED
    fresh = await session.run_sync(lambda sync: new_kakao_user(sync.connection(), now))
    await session.execute(update(KakaoAccount).where(KakaoAccount.user_id == user_id)
                          .values(user_id=fresh))
    record_audit(session, now, actor, "account.unlinked", f"user:{user_id}",
                 after={"kakao_user": fresh})
    return UnlinkOutcome.UNLINKED


# ----- shared ----------------------------------------------------------------------------------


async def _side(session: AsyncSession, user_id: int) -> Side:
    row = (await session.execute(
        select(User.telegram_id, exists().where(KakaoAccount.user_id == User.id))
        .where(User.id == user_id))).one()
    telegram_id, has_kakao = int(row[0]), bool(row[1])
    return Side(user_id, telegram_id, linked=has_kakao and telegram_id < KAKAO_ID_BASE)


async def _wrong_code(session: AsyncSession, user_id: int, now: datetime) -> LinkResult:
    wrong = await record_wrong_code(session, AccountLinkFailure, user_id, now)
    if wrong.retry_at is not None:
        return LinkResult(LinkOutcome.RATE_LIMITED, retry_at=wrong.retry_at)
    return LinkResult(LinkOutcome.UNKNOWN, tries_left=wrong.tries_left)


async def _locked_out_until(session: AsyncSession, user_id: int, now: datetime) -> datetime | None:
    return await locked_out_until(session, AccountLinkFailure, user_id, now)
