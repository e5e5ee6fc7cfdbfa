"""Telegram's sending limits, and two pure ways of keeping them; time is passed in.

Limits: about ``global_per_second`` messages overall in any one-second window, one message
per ``private_interval`` seconds to any one chat, and ``group_per_minute`` messages to a
group or channel (negative chat id) in any rolling minute.

- `SendPacer` (one process, monotonic seconds): a sliding log of recent sends; it allows a
  burst up to each limit, then waits for the window to move. ``now`` must not go backwards.
- `bot_slot` (several processes sharing one budget, whole microseconds of the wall clock):
  every send is booked its own slot on the bot's grid: each second of the clock holds
  `capacity` slots, spread over its first 80 % (`SPREAD`). Any one-second window then holds
  at most `capacity` slots, whoever booked them; and a send that leaves up to 0.2 s late
  still lands in the second it was booked in, so the count Telegram sees in a second does
  not grow with the senders' jitter (evenly spaced slots 1/30 s apart would let a send
  34 ms late make 31). A chat's slots are at least its spacing apart (1 s), and a group has
  at most 20 in any minute, which it may get as a burst.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass

GROUP_WINDOW_SECONDS = 60.0
MICROSECONDS = 1_000_000
GROUP_WINDOW = int(GROUP_WINDOW_SECONDS * MICROSECONDS)  # a group's rolling minute, in µs
# The share of each period of the bot's grid that its slots are spread over: the rest is the
# room a late send has before it counts in the next second; the slots are closer together,
# so a dispatcher pass that waits for its last slot waits less than a full period.
SPREAD = 0.8


@dataclass(frozen=True)
class SendLimits:
    """Telegram's limits for one bot: overall, per private chat, per group."""

    global_per_second: float = 30
    private_interval: float = 1.0
    group_per_minute: int = 20

    def __post_init__(self) -> None:
        if self.global_per_second <= 0 or self.private_interval < 0 or self.group_per_minute < 1:
            raise ValueError("pacing limits must be positive")

    @property
    def capacity(self) -> int:
        """Slots in each period of the bot's grid (30: Telegram's 30 a second)."""
        return max(1, math.floor(self.global_per_second))

    @property
    def period(self) -> int:
        """Microseconds of one period of the grid: one second, unless the rate is below one
        a second (then as long as one message takes)."""
        return math.ceil(self.capacity * MICROSECONDS / self.global_per_second)

    @property
    def pitch(self) -> int:
        """Microseconds between two slots of one period (they fill its first `SPREAD`)."""
        return max(1, math.floor(SPREAD * self.period / self.capacity))

    @property
    def chat_spacing(self) -> int:
        """Microseconds between two booked slots of one chat (a private chat or a group)."""
        return math.ceil(self.private_interval * MICROSECONDS)

    def chat_burst(self, chat_id: int) -> int:
        """How many slots a chat may have in any `GROUP_WINDOW` (0: no such rule). A group
        may get its 20 a minute as a burst, as the one-process pacer lets it: a moderators'
        group with ten new work items hears of them in ten seconds, not thirty."""
        return self.group_per_minute if is_group_chat(chat_id) else 0

    def pacer(self) -> SendPacer:
        """The one-process pacer for these limits."""
        return SendPacer(self.global_per_second, self.private_interval, self.group_per_minute)


def bot_slot(earliest: int, limits: SendLimits) -> int:
    """The first slot of the bot's grid at or after `earliest` (microseconds since the epoch):
    the periods start on whole multiples of `period`, each with `capacity` slots `pitch` apart."""
    start = earliest - earliest % limits.period
    index = -(-(earliest - start) // limits.pitch)  # rounded up
    if index >= limits.capacity:
        return start + limits.period
    return start + index * limits.pitch


def next_slot(now: int, *, bot_next: int, paused_until: int, limits: SendLimits) -> int:
    """The bot's slot for a send booked at `now`: its next free slot or later, and not before
    a pause (Telegram's 429) ends."""
    return bot_slot(max(now, bot_next, paused_until), limits)


class SendPacer:
    """Tells when a message may go to a chat; remembers only sends that still matter."""

    def __init__(
        self,
        global_per_second: float = 30,
        private_interval: float = 1.0,
        group_per_minute: int = 20,
    ) -> None:
        if global_per_second <= 0 or private_interval < 0 or group_per_minute < 1:
            raise ValueError("pacing limits must be positive")
        self._global_capacity = max(1, math.floor(global_per_second))
        self._global_window = 1.0 if global_per_second >= 1 else 1.0 / global_per_second
        self._chat_interval = private_interval
        self._group_capacity = group_per_minute
        self._group_window = max(private_interval, GROUP_WINDOW_SECONDS)
        self._global_sends: deque[float] = deque(maxlen=self._global_capacity)
        # Per chat: its latest sends; each map keeps the least recently used chat first, so
        # expired chats are dropped from the front (private after 1 s, groups after 60 s).
        self._private_sends: OrderedDict[int, deque[float]] = OrderedDict()
        self._group_sends: OrderedDict[int, deque[float]] = OrderedDict()
        self._paused_until = -math.inf

    def delay_for(self, chat_id: int, now: float, *, reply: bool = False) -> float:
        """Seconds to wait before a message to ``chat_id`` may go; 0.0 when it may go now.

        A ``reply`` (the bot answering what someone just did, not a notice) to a private chat
        waits only for the bot's rate: Telegram lets a chat have a short burst, and a
        resident's second tap must not wait a second for its answer. In a group it waits
        for the group's limits like any message.
        """
        chat_due = -math.inf if reply and not is_group_chat(chat_id) else self._chat_due(chat_id)
        due = max(self._paused_until, self._global_due(), chat_due)
        return 0.0 if now >= due else due - now

    def record(self, chat_id: int, now: float) -> None:
        """Remember that a message to ``chat_id`` went at ``now``."""
        self._forget_expired(self._private_sends, self._chat_interval, now)
        self._forget_expired(self._group_sends, self._group_window, now)
        self._global_sends.append(now)
        chat_sends = self._sends_of(chat_id)
        sends = chat_sends.pop(chat_id, None)
        if sends is None:
            sends = deque(maxlen=self._group_capacity if is_group_chat(chat_id) else 1)
        sends.append(now)
        chat_sends[chat_id] = sends

    def pause_all(self, until: float) -> None:
        """Hold every message until ``until`` (Telegram answered 429 with retry_after)."""
        self._paused_until = max(self._paused_until, until)

    def tracked_chats(self) -> int:
        """How many chats the pacer currently remembers (bounded by recent traffic)."""
        return len(self._private_sends) + len(self._group_sends)

    def _global_due(self) -> float:
        if len(self._global_sends) < self._global_capacity:
            return -math.inf
        return self._global_sends[0] + self._global_window

    def _chat_due(self, chat_id: int) -> float:
        sends = self._sends_of(chat_id).get(chat_id)
        if not sends:
            return -math.inf
        due = sends[-1] + self._chat_interval
        if is_group_chat(chat_id) and len(sends) == self._group_capacity:
            due = max(due, sends[0] + GROUP_WINDOW_SECONDS)
        return due

    def _sends_of(self, chat_id: int) -> OrderedDict[int, deque[float]]:
        return self._group_sends if is_group_chat(chat_id) else self._private_sends

    @staticmethod
    def _forget_expired(
        chat_sends: OrderedDict[int, deque[float]], window: float, now: float
    ) -> None:
        while chat_sends:
            chat_id, sends = next(iter(chat_sends.items()))
            if now < sends[-1] + window:
                return
            del chat_sends[chat_id]


def is_group_chat(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return chat_id < 0
