"""Timed debates: opening, stances, opinions, 👍, moderation, extension, reminder and closing.

Each use case has its module; the SQL they share is in `queries`. Each function takes a
session whose transaction the caller owns, and `now`; every message a change causes is
written to the outbox in that same transaction. The optional forum mirror is driven from the
`debate_forum_topics` rows written here (see `bot/forum.py`): services never call the Bot API.

The use cases are re-exported here, so callers write `debates.write_opinion(...)`.
"""

from __future__ import annotations

from bot.domain.debate import OpinionSort, Stance
from bot.services.debates.closing import finish_debate, summary_text
from bot.services.debates.extension import ExtendOutcome, ExtendResult, extend_debate
from bot.services.debates.forum_topics import (
    ForumWork,
    claim_topics_to_open,
    debate_for_thread,
    mark_forum_closed,
    record_forum_thread,
    topics_to_close,
)
from bot.services.debates.likes import LikeOutcome, LikeResult, like_opinion
from bot.services.debates.moderation import hide_opinion, report_opinion, restore_opinion
from bot.services.debates.opening import OpenOutcome, announce_debate_opened, open_debate
from bot.services.debates.opinions import OpinionOutcome, OpinionResult, write_opinion
from bot.services.debates.queries import load_summary, opinion_count, participants
from bot.services.debates.reading import (
    OPINION_PAGE_SIZE,
    DebateTally,
    OpinionPage,
    OpinionView,
    list_opinions,
    load_tally,
)
from bot.services.debates.reminder import remind_debate
from bot.services.debates.stances import StanceOutcome, StanceResult, choose_stance

__all__ = [
    "OPINION_PAGE_SIZE",
    "DebateTally",
    "ExtendOutcome",
    "ExtendResult",
    "ForumWork",
    "LikeOutcome",
    "LikeResult",
    "OpenOutcome",
    "OpinionOutcome",
    "OpinionPage",
    "OpinionResult",
    "OpinionSort",
    "OpinionView",
    "Stance",
    "StanceOutcome",
    "StanceResult",
    "announce_debate_opened",
    "choose_stance",
    "claim_topics_to_open",
    "debate_for_thread",
    "extend_debate",
    "finish_debate",
    "hide_opinion",
    "like_opinion",
    "list_opinions",
    "load_summary",
    "load_tally",
    "mark_forum_closed",
    "open_debate",
    "opinion_count",
    "participants",
    "record_forum_thread",
    "remind_debate",
    "report_opinion",
    "restore_opinion",
    "summary_text",
    "topics_to_close",
    "write_opinion",
]
