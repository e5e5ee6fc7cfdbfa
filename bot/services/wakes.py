"""Which background workers a transaction left work for, so that its committer wakes just
those: an update that wrote nothing for them wakes nothing.

A service that writes work for a worker (an outbox row, a poll copy, a forum topic request)
names that worker on the session with `wake_after_commit`; whoever commits the session (the
handler transaction, a reply page) reads `woken` after the commit and hands the names to the
runtime's `Waker`, which routes each to its loop. The loops still poll on their idle timer,
so work committed by another process is picked up all the same, only later.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

_WOKEN = "gonggam.wake_after_commit"


class Wake(Enum):
    """A background worker that a commit can leave work for (one per loop the runtime runs;
    a new worker is one member here and one entry in the runtime's routing table)."""

    TELEGRAM_OUTBOX = "telegram outbox"  # the dispatcher: outbox rows on the telegram channel
    EMAIL_OUTBOX = "email outbox"  # the mail dispatcher: outbox rows on the email channel
    POLL_SENDER = "poll sender"  # poll copies to send or stop
    BROADCAST_PROGRESS = "broadcast progress"  # a confirmed broadcast's progress message
    FORUM_MIRROR = "forum mirror"  # debate topics to open or close


class Waker(Protocol):
    """Wakes the named workers now (the runtime's routing; a test's counter)."""

    def __call__(self, *targets: Wake) -> None: ...


def wake_after_commit(session: AsyncSession, *targets: Wake) -> None:
    """Note that this session wrote work for `targets`: whoever commits it wakes them, so
    the work leaves now, not at their next idle tick."""
    woken_set = session.info.setdefault(_WOKEN, set())
    woken_set.update(targets)


def woken(session: AsyncSession) -> frozenset[Wake]:
    """The workers that the transactions of this session left work for."""
    return frozenset(session.info.get(_WOKEN, ()))
