"""The pure send pacer, and the grid of slots the shared send budget books from."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pacing import (
    MICROSECONDS,
    SendLimits,
    SendPacer,
    bot_slot,
    is_group_chat,
    next_slot,
)

PRIVATE, OTHER, GROUP = 1001, 1002, -100123


def test_first_message_goes_at_once() -> None:
    pacer = SendPacer()
    assert pacer.delay_for(PRIVATE, 0.0) == 0.0
    assert pacer.delay_for(GROUP, 0.0) == 0.0


def test_delay_for_does_not_record() -> None:
    pacer = SendPacer()
    for _ in range(5):
        assert pacer.delay_for(PRIVATE, 0.0) == 0.0
    assert pacer.tracked_chats() == 0


def test_one_per_second_per_private_chat() -> None:
    pacer = SendPacer()
    pacer.record(PRIVATE, 10.0)
    assert pacer.delay_for(PRIVATE, 10.0) == pytest.approx(1.0)
    assert pacer.delay_for(PRIVATE, 10.4) == pytest.approx(0.6)
    assert pacer.delay_for(PRIVATE, 11.0) == 0.0
    assert pacer.delay_for(OTHER, 10.0) == 0.0


def test_a_reply_to_a_private_chat_waits_only_for_the_bots_rate() -> None:
    pacer = SendPacer(global_per_second=2)
    pacer.record(PRIVATE, 10.0)
    assert pacer.delay_for(PRIVATE, 10.0, reply=True) == 0.0  # a second tap, answered now
    pacer.record(PRIVATE, 10.0)
    assert pacer.delay_for(PRIVATE, 10.2, reply=True) == pytest.approx(0.8)  # 2 a second
    assert pacer.delay_for(PRIVATE, 11.0) == 0.0  # a notice: its second after the reply
    pacer.record(GROUP, 20.0)
    assert pacer.delay_for(GROUP, 20.0, reply=True) == pytest.approx(1.0)  # a group's limits


def test_twenty_per_minute_per_group() -> None:
    pacer = SendPacer()
    for second in range(20):
        assert pacer.delay_for(GROUP, float(second)) == 0.0
        pacer.record(GROUP, float(second))
    assert pacer.delay_for(GROUP, 20.0) == pytest.approx(40.0)
    assert pacer.delay_for(GROUP, 59.5) == pytest.approx(0.5)
    assert pacer.delay_for(GROUP, 60.0) == 0.0
    assert pacer.delay_for(-5, 20.0) == 0.0


def test_groups_also_keep_the_per_chat_interval() -> None:
    pacer = SendPacer()
    pacer.record(GROUP, 0.0)
    assert pacer.delay_for(GROUP, 0.5) == pytest.approx(0.5)


def test_thirty_per_second_overall() -> None:
    pacer = SendPacer()
    for chat_id in range(1, 31):
        assert pacer.delay_for(chat_id, 5.0) == 0.0
        pacer.record(chat_id, 5.0)
    assert pacer.delay_for(31, 5.0) == pytest.approx(1.0)
    assert pacer.delay_for(31, 5.99) == pytest.approx(0.01)
    assert pacer.delay_for(31, 6.0) == 0.0


def test_pause_all() -> None:
    pacer = SendPacer()
    pacer.pause_all(until=30.0)
    assert pacer.delay_for(PRIVATE, 10.0) == pytest.approx(20.0)
    pacer.pause_all(until=20.0)  # an earlier pause does not shorten the longer one
    assert pacer.delay_for(GROUP, 25.0) == pytest.approx(5.0)
    assert pacer.delay_for(PRIVATE, 30.0) == 0.0


def test_custom_limits() -> None:
    pacer = SendPacer(global_per_second=2, private_interval=3.0, group_per_minute=1)
    pacer.record(1, 0.0)
    pacer.record(2, 0.0)
    assert pacer.delay_for(3, 0.0) == pytest.approx(1.0)
    assert pacer.delay_for(1, 1.0) == pytest.approx(2.0)
    pacer.record(-1, 1.0)
    assert pacer.delay_for(-1, 5.0) == pytest.approx(56.0)


def test_slow_global_rate() -> None:
    pacer = SendPacer(global_per_second=0.5)
    pacer.record(1, 0.0)
    assert pacer.delay_for(2, 1.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"global_per_second": 0}, {"private_interval": -1.0}, {"group_per_minute": 0}],
)
def test_invalid_limits(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SendPacer(**kwargs)  # type: ignore[arg-type]


def test_memory_stays_bounded() -> None:
    pacer = SendPacer()
    now = 0.0
    for chat_id in range(1, 10_001):
        now += 0.05
        pacer.record(chat_id if chat_id % 10 else -chat_id, now)
    # only chats written to within the last minute (groups) or second (private) remain
    assert pacer.tracked_chats() <= 60 / 0.05 / 10 + 1 / 0.05 + 2
    assert pacer.delay_for(1, now) == 0.0


def test_is_group_chat() -> None:
    assert is_group_chat(-100123)
    assert not is_group_chat(42)


chats = st.sampled_from([1, 2, 3, 4, -1, -2, -100500])
steps = st.lists(
    st.tuples(chats, st.floats(min_value=0, max_value=3, allow_nan=False), st.booleans()),
    min_size=1,
    max_size=200,
)


def _assert_limits(sends: list[tuple[int, float]], per_second: int, per_group: int) -> None:
    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat_id, at in sends:
        by_chat[chat_id].append(at)
    for chat_id, times in by_chat.items():
        for earlier, later in pairwise(times):
            assert later >= earlier + 1.0, f"chat {chat_id} twice within a second"
        if is_group_chat(chat_id):
            for index in range(per_group, len(times)):
                assert times[index] >= times[index - per_group] + 60.0
    all_times = [at for _, at in sends]
    for index in range(per_second, len(all_times)):
        assert all_times[index] >= all_times[index - per_second] + 1.0


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_allowed_sends_respect_every_limit(steps: list[tuple[int, float, bool]]) -> None:
    pacer = SendPacer()
    now, sent = 0.0, []
    for chat_id, gap, wait_if_needed in steps:
        now += gap / 30  # dense traffic: many attempts per second
        delay = pacer.delay_for(chat_id, now)
        if delay > 0 and wait_if_needed:
            now += delay
            delay = pacer.delay_for(chat_id, now)
        if delay == 0.0:
            pacer.record(chat_id, now)
            sent.append((chat_id, now))
    _assert_limits(sent, per_second=30, per_group=20)


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.lists(chats, min_size=1, max_size=300),
    pause_at=st.integers(min_value=0, max_value=300),
    pause_for=st.floats(min_value=0, max_value=30, allow_nan=False),
)
def test_waiting_the_delay_always_lets_the_message_go(
    attempts: list[int], pause_at: int, pause_for: float
) -> None:
    pacer = SendPacer(global_per_second=5, group_per_minute=3)
    now, sent = 0.0, []
    for index, chat_id in enumerate(attempts):
        if index == pause_at:
            pacer.pause_all(now + pause_for)
            assert pacer.delay_for(chat_id, now) >= pause_for - 1e-6
        delay = pacer.delay_for(chat_id, now)
        assert delay >= 0.0
        if delay:
            now += delay
            if pacer.delay_for(chat_id, now):  # float rounding: at most a hair more
                now += 1e-9
        assert pacer.delay_for(chat_id, now) == 0.0
        pacer.record(chat_id, now)
        sent.append((chat_id, now))
    _assert_limits(sent, per_second=5, per_group=3)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.sampled_from([1.0, 2.5, 7.0, 30.0, 45.0]),
    asks=st.lists(st.integers(min_value=0, max_value=5 * MICROSECONDS), min_size=1, max_size=120),
)
def test_the_grid_never_holds_more_than_the_rate_in_any_window(
    rate: float, asks: list[int]
) -> None:
    """Bookings asked at any instants, in order, as the shared budget hands them out."""
    limits = SendLimits(global_per_second=rate)
    slots, bot_next = [], 0
    for now in sorted(asks):
        slot = next_slot(now, bot_next=bot_next, paused_until=0, limits=limits)
        assert slot >= now and slot == bot_slot(slot, limits)  # a slot of the grid, not early
        slots.append(slot)
        bot_next = slot + limits.pitch
    for start in slots:
        inside = [s for s in slots if start <= s < start + limits.period]
        assert len(inside) <= limits.capacity
    assert all(slot % limits.period < 0.8 * limits.period for slot in slots)


def test_the_grid_has_thirty_slots_in_the_first_part_of_each_second() -> None:
    limits = SendLimits()
    assert (limits.capacity, limits.period, limits.pitch) == (30, MICROSECONDS, 26_666)
    assert bot_slot(0, limits) == 0 and bot_slot(1, limits) == limits.pitch
    assert bot_slot(29 * limits.pitch + 1, limits) == MICROSECONDS  # past the last: next second
    paused = next_slot(5, bot_next=0, paused_until=2 * MICROSECONDS, limits=limits)
    assert paused == 2 * MICROSECONDS
