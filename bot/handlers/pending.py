"""The one-message answer a resident owes the bot: one typed value per user, never one loose
`user_data` key per feature.

When every feature kept its own key, two questions could be open at once, and a sentence
typed after a search could be posted as a public opinion asked for earlier. Now there is
one slot: asking a new question replaces the old one, and /cancel or the menu empties it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PENDING_KEY = "pending"


@dataclass(frozen=True)
class AwaitingSearch:
    """🔍 was tapped: the next text is a keyword."""


@dataclass(frozen=True)
class AwaitingOpinion:
    """✍️ was tapped: the next text is an opinion on this proposal."""

    proposal_id: int


@dataclass(frozen=True)
class AwaitingBroadcast:
    """/broadcast: the admin's next message is the draft."""


@dataclass(frozen=True)
class PendingEndorsement:
    """A 공감 waits for the resident's phone number (ENDORSEMENT_REQUIRES=contact)."""

    proposal_id: int


@dataclass(frozen=True)
class AwaitingRatingReason:
    """✍️ under 🙁: the next text says why the answer to this proposal disappointed."""

    proposal_id: int


@dataclass(frozen=True)
class AwaitingAdminSearch:
    """🔍 in /admin's proposal list: the next text is a proposal number or a keyword."""


@dataclass(frozen=True)
class AwaitingAdminPage:
    """🔢 in /admin's proposal list: the next text is a page number of this list (its code)."""

    query: str


@dataclass(frozen=True)
class AwaitingMergeTarget:
    """🔗 in /admin's staff view: the next text is the number of the proposal to keep."""

    proposal_id: int


@dataclass(frozen=True)
class AwaitingQuestion:
    """「운영진에게 묻기」: the next text is a question to the staff."""


@dataclass(frozen=True)
class AwaitingAnswer:
    """💬 답하기 on a resident's question: the staff member's next text is the answer."""

    item_id: int
    question_id: int


@dataclass(frozen=True)
class AwaitingConsultationOpinion:
    """✍️ under a consultation: the next text is an opinion under one's choice."""

    consultation_id: int


Pending = (AwaitingSearch | AwaitingOpinion | AwaitingBroadcast | PendingEndorsement
           | AwaitingRatingReason | AwaitingAdminSearch | AwaitingAdminPage
           | AwaitingMergeTarget | AwaitingQuestion | AwaitingAnswer
           | AwaitingConsultationOpinion)


def pending_in(user_data: Mapping[Any, Any] | None) -> Pending | None:
    """The question noted in one user's `user_data`, if any."""
    value = user_data.get(PENDING_KEY) if user_data is not None else None
    return value if isinstance(value, Pending) else None
