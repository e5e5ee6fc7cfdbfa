"""Verification codes: an admin issues single-use codes for a 동; a resident redeems one.

A code exists in clear only in the admin's download (CSV and printable page, made once when
the batch is created); the database keeps its keyed hash (HMAC-SHA256 with SECRET_KEY), so a
leaked database cannot be turned into codes. During a key rotation a code is also looked up
under SECRET_KEY_PREVIOUS, and a code found that way is re-hashed to the current key: unused
codes of older batches stay redeemable while the previous key is kept.

Redeeming is one guarded UPDATE (`used_at IS NULL AND expires_at > now`): of two residents
racing for one code, exactly one wins.

Wrong codes are limited per user (`FAILURES_PER_HOUR` in any rolling hour,
bot/services/wrong_codes.py), counted from
`verification_failures` rows so that a restart does not reset the limit. Only codes that do
not exist count as wrong: an expired or used code is a real code, and guessing those gains
an attacker nothing.

Outcomes of `redeem_code`: VERIFIED, ALREADY_YOURS (the same resident entered their own
code again), UNKNOWN, USED, EXPIRED, RATE_LIMITED (with the moment to try again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User, VerificationBatch, VerificationCode, VerificationFailure
from bot.domain.deadlines import resident_deadline
from bot.services.audit import record_audit
from bot.services.sql import rows_affected
from bot.services.wrong_codes import locked_out_until, record_wrong_code

# No 0/O, 1/I: what is read aloud or copied from paper must not be confused.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
GROUP = 4
MAX_BATCH = 500
MAX_DAYS = 365
# Hyphens and dashes people (or phones) type between the groups, all ignored.
_SEPARATORS = frozenset("-‐‑‒–—―−ー_.·・ ")


class BatchOutcome(StrEnum):
    CREATED = "created"
    UNKNOWN_AREA = "unknown_area"
    BAD_COUNT = "bad_count"
    BAD_DAYS = "bad_days"


class RedeemOutcome(StrEnum):
    VERIFIED = "verified"
    ALREADY_YOURS = "already_yours"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class BatchRequest:
    area: str
    count: int
    days: int


@dataclass(frozen=True)
class IssuedBatch:
    """A new batch with its codes in clear: shown once, never stored."""

    batch_id: int
    area: str
    codes: tuple[str, ...]
    expires_at: datetime


@dataclass(frozen=True)
class BatchResult:
    outcome: BatchOutcome
    batch: IssuedBatch | None = None


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    area: str | None = None
    retry_at: datetime | None = None
    tries_left: int | None = None  # after a wrong code: how many more before the lock


# ----- pure helpers ----------------------------------------------------------------------------


def new_code() -> str:
    """Eight random characters of the unambiguous alphabet, grouped: `K7QM-3XWD`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_code(typed: str) -> str | None:
    """The code's canonical characters, tolerating spaces, dashes, lower and full-width case;
    None when what remains cannot be a code."""
    folded = unicodedata.normalize("NFKC", typed).upper()
    raw = "".join(char for char in folded if char not in _SEPARATORS and not char.isspace())
    if len(raw) != CODE_LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return raw


def code_hash(raw: str, secret_key: str) -> str:
    """Keyed hash of a normalised code (without the dash)."""
    return hmac.new(secret_key.encode(), f"verify:{raw}".encode(), hashlib.sha256).hexdigest()


def check_request(request: BatchRequest, areas: tuple[str, ...]) -> BatchOutcome:
    if request.area not in areas:
        return BatchOutcome.UNKNOWN_AREA
    if not 1 <= request.count <= MAX_BATCH:
        return BatchOutcome.BAD_COUNT
    if not 1 <= request.days <= MAX_DAYS:
        return BatchOutcome.BAD_DAYS
    return BatchOutcome.CREATED


# ----- use cases -------------------------------------------------------------------------------


async def create_batch(
    session: AsyncSession,
    request: BatchRequest,
    *,
    areas: tuple[str, ...],
    secret_key: str,
    actor: str,
    now: datetime,
) -> BatchResult:
    """Issue `count` codes for `area`, valid until 24:00 KST of the `days`-th day; audited."""
    outcome = check_request(request, areas)
    if outcome is not BatchOutcome.CREATED:
        return BatchResult(outcome)
    expires_at = resident_deadline(now, request.days)
    batch = VerificationBatch(area=request.area, size=request.count, expires_at=expires_at,
                              created_at=now, created_by=actor[:120])
    session.add(batch)
    await session.flush()
    codes = _distinct_codes(request.count)
    session.add_all(
        VerificationCode(batch_id=batch.id, area=request.area, expires_at=expires_at,
                         code_hash=code_hash(normalise_code(code) or "", secret_key))
        for code in codes
    )
    record_audit(session, now, actor, "verification.codes_created",
                 f"verification_batch:{batch.id}",
                 after={"area": request.area, "count": request.count,
                        "expires_at": expires_at.isoformat()})
    await session.flush()
    return BatchResult(outcome, IssuedBatch(batch.id, request.area, codes, expires_at))


def _distinct_codes(count: int) -> tuple[str, ...]:
    """Distinct within the batch; a clash with an older batch (1 in 10^12) fails the insert."""
    codes: dict[str, None] = {}
    while len(codes) < count:
        codes[new_code()] = None
    return tuple(codes)


async def redeem_code(
    session: AsyncSession, *, user_id: int, typed: str, secret_key: str, now: datetime,
    previous_key: str | None = None,
) -> RedeemResult:
    """Make the user a verified resident of the code's 동, consuming the code once."""
    retry_at = await _locked_out_until(session, user_id, now)
    if retry_at is not None:
        return RedeemResult(RedeemOutcome.RATE_LIMITED, retry_at=retry_at)
    raw = normalise_code(typed)
    row = None
    if raw is not None:
        row = await _find_code(session, raw, secret_key, previous_key)
    if row is None:
        return await _wrong_code(session, user_id, now)
    if await _consume(session, row.id, user_id, now):
        await session.execute(
            update(User).where(User.id == user_id).values(verified_area=row.area, verified_at=now)
        )
        return RedeemResult(RedeemOutcome.VERIFIED, area=row.area)
    await session.refresh(row)
    if row.used_by == user_id:
        return RedeemResult(RedeemOutcome.ALREADY_YOURS, area=row.area)
    if row.used_at is not None:
        return RedeemResult(RedeemOutcome.USED)
    return RedeemResult(RedeemOutcome.EXPIRED)


async def _find_code(
    session: AsyncSession, raw: str, secret_key: str, previous_key: str | None
) -> VerificationCode | None:
    """The code under the current key, or under the previous one (then re-hashed)."""
    current = code_hash(raw, secret_key)
    hashes = [current] if previous_key is None else [current, code_hash(raw, previous_key)]
    row = await session.scalar(
        select(VerificationCode).where(VerificationCode.code_hash.in_(hashes))
    )
    if row is not None and row.code_hash != current:
        await session.execute(
            update(VerificationCode)
            .where(VerificationCode.id == row.id, VerificationCode.code_hash == row.code_hash)
            .values(code_hash=current)
        )
    return row


async def _consume(session: AsyncSession, code_id: int, user_id: int, now: datetime) -> bool:
    """The guarded UPDATE: True only for the one caller that marks the code used."""
    result = await session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == code_id, VerificationCode.used_at.is_(None),
               VerificationCode.expires_at > now)
        .values(used_at=now, used_by=user_id)
    )
    return bool(rows_affected(result))


async def _wrong_code(session: AsyncSession, user_id: int, now: datetime) -> RedeemResult:
    wrong = await record_wrong_code(session, VerificationFailure, user_id, now)
    if wrong.retry_at is not None:
        return RedeemResult(RedeemOutcome.RATE_LIMITED, retry_at=wrong.retry_at)
    return RedeemResult(RedeemOutcome.UNKNOWN, tries_left=wrong.tries_left)


async def _locked_out_until(session: AsyncSession, user_id: int, now: datetime) -> datetime | None:
    return await locked_out_until(session, VerificationFailure, user_id, now)
