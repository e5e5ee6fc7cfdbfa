"""Where the bot publishes and what its links point to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Venues:
    """The public web address and the Telegram chats the bot posts to (None: not used)."""

    public_base_url: str = "http://127.0.0.1:8080"
    moderator_chat_id: int | None = None
    public_channel_id: int | None = None
    debate_forum_chat_id: int | None = None
    # without a moderators' group, work items go to every moderator's and admin's own chat
    staff_private_queue: bool = True
