"""KakaoTalk residents: found (or made) by their botUserKey's hash, one turn at a time.

A Kakao resident is a row of `users` like a Telegram one; a Kakao-only one has a synthetic
`telegram_id` (bot/domain/kakao.py), so every handler and service treats them alike. These
are synchronous functions on a `Connection`: they run on the database's fast lane, once
before and once after each Kakao turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

from bot.db.models import KakaoAccount, KakaoHeldNotice, User
from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.permissions import Role

_accounts = cast(Table, KakaoAccount.__table__)
_users = cast(Table, User.__table__)
_held = cast(Table, KakaoHeldNotice.__table__)


@dataclass(frozen=True)
class KakaoTurn:
    """Who is writing, and what the previous answer showed them."""

    account_id: int
    user_id: int
    telegram_id: int
    language: str
    turn: int
    conversation: dict[str, Any]
    token: str = ""  # the process's hold on this turn (`begin_turn`)


@dataclass(frozen=True)
class HeldNotice:
    kind: str
    params: dict[str, Any]
    language: str
    id: int = 0


def begin_turn(connection: Connection, *, key_hashes: Sequence[str], now: datetime,
               token: str = "", hold_until: datetime | None = None) -> KakaoTurn | None:
    """The account behind the hashes (the current key's first; one found under a previous
    key is re-hashed), made with its 공감 user on first contact; its turn counted and held
    by `token` until `hold_until` (or until `end_turn`). None while another process holds a
    turn of this resident: two replicas never run one resident's turns side by side."""
    account_id = _account_under(connection, key_hashes) or _new_account(
        connection, key_hashes[0], now)
    row = connection.execute(
        update(_accounts).where(_accounts.c.id == account_id, or_(
            _accounts.c.turn_until.is_(None), _accounts.c.turn_until <= now))
        .values(turns=_accounts.c.turns + 1, turn_token=token or None, turn_until=hold_until)
        .returning(_accounts.c.user_id, _accounts.c.turns, _accounts.c.conversation)
    ).first()
    if row is None:
        return None
    user = connection.execute(
        select(_users.c.telegram_id, _users.c.language).where(_users.c.id == row.user_id)).one()
    return KakaoTurn(account_id, row.user_id, user.telegram_id, user.language, row.turns,
                     row.conversation or {}, token)


def end_turn(connection: Connection, *, account_id: int, token: str,
             conversation: dict[str, Any] | None = None) -> bool:
    """Let go of the turn held by `token`, keeping what its answer showed (`conversation`,
    for the buttons pressed next) unless it failed; False when the hold had lapsed and
    another process took the resident's turn (its conversation is then left alone)."""
    values: dict[str, Any] = {"turn_token": None, "turn_until": None}
    if conversation is not None:
        values["conversation"] = conversation
    ended = connection.execute(update(_accounts).where(
        _accounts.c.id == account_id, _accounts.c.turn_token == token).values(**values))
    return bool(ended.rowcount)


def _account_under(connection: Connection, key_hashes: Sequence[str]) -> int | None:
    found = connection.execute(
        select(_accounts.c.id, _accounts.c.key_hash).where(_accounts.c.key_hash.in_(key_hashes))
    ).first()
    if found is None:
        return None
    if found.key_hash != key_hashes[0]:
        connection.execute(update(_accounts).where(_accounts.c.id == found.id)
                           .values(key_hash=key_hashes[0]))
    return int(found.id)


def _new_account(connection: Connection, key_hash: str, now: datetime) -> int:
    """A Kakao-only resident: a user with the next synthetic id, and their account (two
    first contacts racing for one id: the loser's transaction fails on the unique id and the
    caller tries again)."""
    user_id = new_kakao_user(connection, now)
    return int(connection.execute(
        insert(_accounts).values(key_hash=key_hash, user_id=user_id, turns=0, created_at=now)
        .returning(_accounts.c.id)
    ).scalar_one())


def new_kakao_user(connection: Connection, now: datetime) -> int:
    """A fresh Kakao-only 공감 user with the next synthetic telegram id (its database id)."""
    highest = connection.execute(
        select(func.max(_users.c.telegram_id)).where(_users.c.telegram_id >= KAKAO_ID_BASE)
    ).scalar()
    return int(connection.execute(
        insert(_users).values(
            telegram_id=(highest or KAKAO_ID_BASE - 1) + 1, language="ko", language_chosen=False,
            role=Role.RESIDENT, muted_all=False, unreachable=False, created_at=now,
            last_seen_at=now,
        ).returning(_users.c.id)
    ).scalar_one())


def hold_notice(
    connection: Connection, *, chat_id: int, notice: HeldNotice, now: datetime
) -> bool:
    """Keep a push for the Kakao-only resident of `chat_id`; False when nobody has it."""
    user_id = connection.execute(
        select(_users.c.id).where(_users.c.telegram_id == chat_id)).scalar()
    if user_id is None:
        return False
    connection.execute(insert(_held).values(
        user_id=user_id, kind=notice.kind, params=notice.params, language=notice.language,
        created_at=now))
    return True


def held_notices(connection: Connection, user_id: int) -> list[HeldNotice]:
    """The pushes held for `user_id`, oldest first. They stay held until the answer that
    shows them has been handed to Kakao (`forget_held_notices`): a turn whose answer never
    reaches the resident shows them again next time."""
    rows = connection.execute(
        select(_held.c.id, _held.c.kind, _held.c.params, _held.c.language)
        .where(_held.c.user_id == user_id).order_by(_held.c.id)
    ).all()
    return [HeldNotice(row.kind, row.params, row.language, row.id) for row in rows]


def forget_held_notices(connection: Connection, ids: Sequence[int]) -> None:
    """Held pushes that an answer handed to Kakao has shown."""
    if ids:
        connection.execute(delete(_held).where(_held.c.id.in_(list(ids))))
