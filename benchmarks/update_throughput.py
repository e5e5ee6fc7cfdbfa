"""Update throughput: 공감 against a bare PTB echo bot, over the same sandbox Bot API server.

What is measured: how many updates per second a bot handles when a burst of updates is
waiting for it — half are text messages (`/start`), half are inline-button presses. The clock
starts when the updates are injected into the sandbox and stops when every expected effect has
reached the sandbox: one reply per message, and one callback answer plus one message edit per
press. Updates are handled one at a time (PTB's default), so this is per-update cost. 공감's
send budget counts every reply but is set far above the burst (`UNLIMITED`): at Telegram's 30
messages a second it would measure the limit, not the bot (the booking's cost is still paid).

- 공감 is the real runtime (`build_runtime`, long polling) on a fresh migrated SQLite file with a
  frozen clock. `/start` records the update and upserts the resident, then sends the greeting
  with the main-menu keyboard; a press on the `/settings` card ("🔕 알림 끄기" / "🔔 알림 켜기")
  also stores the choice, answers the query and edits the card.
- The baseline is a bare PTB `Application` with one text handler and one press handler that
  send exactly what 공감 sends: before the rounds, a probe resident says `/start`, opens
  `/settings` and mutes and unmutes once on 공감, and the text, parse mode and reply markup of
  each call (the greeting, the card, the two edits) are kept. The baseline's residents get 공감's
  card, it replies to text with 공감's greeting and answers a press with 공감's edit for that
  button. Per update both bots make the same Bot API calls with the same payloads, which the
  in-process sandbox parses alike: the comparison measures the bots, not what they send.

Why a ratio: absolute rates depend on the machine and on whatever else it is doing, so both bots
are measured in the same process, against the same server, in interleaved rounds, and 공감 is
reported as a share of the baseline. The goal is at least 70%. Each figure is the median of
`--repeats` rounds; every round starts its bot afresh and warms it up before the timed burst.
Beside the rates, the process's CPU time per update of each timed burst is reported (the
sandbox and the injecting client run in the same process, so it includes their share, the same
for both bots): on a busy machine it moves much less than the wall-clock rates.

    python -m benchmarks.update_throughput [--updates 400] [--repeats 3] [--json]

The exit status is 0 whatever the ratio (this is a measurement, not a test); it is non-zero
only when the benchmark itself failed (an expected reply never came, or came out wrong).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import gc
import itertools
import json
import logging
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

if __package__ in (None, ""):  # run as `python benchmarks/update_throughput.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.app import Mode, build_runtime
from bot.clock import fake_clock
from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.domain.pacing import SendLimits
from bot.settings import Settings
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from sandbox.state import ApiCall, JSONDict, SandboxMessage

GOAL = 0.7
DEFAULT_UPDATES = 400
DEFAULT_REPEATS = 3
DEFAULT_RESIDENTS = 50
WARMUP_UPDATES = 40
SETUP_TIMEOUT = 30.0
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # a Tuesday afternoon in Seoul
UNLIMITED = SendLimits(global_per_second=100_000, private_interval=0.0)
MUTE_LABEL = "🔕 알림 끄기"
UNMUTE_LABEL = "🔔 알림 켜기"
PROBE_USER_ID = 999_999  # named like the residents (주민999): its greeting, the one both bots send
FIRST_RESIDENT_ID = 1_000_000
# What the user saw when pressing: text, formatting and buttons of the message (not its id).
LOOK_FIELDS = ("text", "entities", "reply_markup", "edit_date")
Look = tuple[str, JSONDict]  # the data of the button pressed, and the message as it was shown


class BenchmarkError(RuntimeError):
    """The bots did not do what the benchmark expected; the figures would be meaningless."""


# ----- the work: cards to press, bursts of updates, and checking that all of it happened -----


@dataclass(frozen=True)
class Card:
    """A message with a toggle button, and how it looks to its user before each press.

    `looks[n % len(looks)]` is (callback data, the message as shown) for the n-th press: a
    toggle alternates between its two states, and the user presses what they currently see.
    """

    user_id: int
    message: SandboxMessage
    looks: tuple[Look, ...]

    @property
    def key(self) -> tuple[int, int]:
        return self.message.chat_id, self.message.message_id

    def press(self, n: int) -> Look:
        return self.looks[n % len(self.looks)]


@dataclass(frozen=True)
class TextStep:
    user_id: int
    text: str


@dataclass(frozen=True)
class PressStep:
    query: JSONDict


Step = TextStep | PressStep


@dataclass
class Burst:
    """The updates of one timed run, and the effects they must have on the sandbox."""

    steps: list[Step]
    cards: list[Card]
    texts_per_user: Counter[int] = field(default_factory=Counter)
    presses_per_card: Counter[tuple[int, int]] = field(default_factory=Counter)
    messages_before: dict[int, int] = field(default_factory=dict)
    edits_before: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.steps)

    @property
    def query_ids(self) -> list[str]:
        return [str(step.query["id"]) for step in self.steps if isinstance(step, PressStep)]

    def expected_calls(self) -> dict[str, int]:
        presses = sum(self.presses_per_card.values())
        return {
            "sendmessage": sum(self.texts_per_user.values()),
            "answercallbackquery": presses,
            "editmessagetext": presses,
        }


_query_ids = itertools.count(1)


def bot_message_count(state: SandboxState, chat_id: int) -> int:
    return sum(1 for m in state.chat(chat_id).messages if m.sender_id == state.bot.id)


def plan_burst(state: SandboxState, cards: Sequence[Card], updates: int) -> Burst:
    """`updates // 2` pairs of (`/start`, a press), dealt round-robin to the cards' owners."""
    burst = Burst(steps=[], cards=list(cards))
    for pair in range(updates // 2):
        card = cards[pair % len(cards)]
        data, seen = card.press(burst.presses_per_card[card.key])
        burst.steps.append(TextStep(card.user_id, "/start"))
        burst.steps.append(PressStep(_callback_query(state, card, data, seen)))
        burst.texts_per_user[card.user_id] += 1
        burst.presses_per_card[card.key] += 1
    for card in cards:
        burst.messages_before[card.user_id] = bot_message_count(state, card.user_id)
        burst.edits_before[card.key] = card.message.edit_count
    return burst


def _callback_query(state: SandboxState, card: Card, data: str, seen: JSONDict) -> JSONDict:
    return {
        "id": f"bench-{next(_query_ids)}",
        "from": state.user(card.user_id).to_api(),
        "message": seen,
        "chat_instance": f"sandbox-{card.user_id}",
        "data": data,
    }


def inject(state: SandboxState, burst: Burst) -> None:
    """Queue every update at once, as Telegram would after a busy moment."""
    for step in burst.steps:
        if isinstance(step, TextStep):
            state.user_sends(step.user_id, text=step.text)
        else:
            state.push_update({"callback_query": step.query})


class CallTally:
    """Counts the Bot API calls the sandbox records, looking only at new ones on each check."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._seen = len(state.calls)
        self.counts: Counter[str] = Counter()

    def reached(self, expected: dict[str, int]) -> bool:
        calls = self._state.calls
        for index in range(self._seen, len(calls)):
            self.counts[calls[index].method.lower()] += 1
        self._seen = len(calls)
        return all(self.counts[method] >= count for method, count in expected.items())


def burst_timeout(updates: int) -> float:
    """Generous: a burst that takes this long is broken, not slow."""
    return max(60.0, updates * 0.25)


@dataclass(frozen=True)
class Timing:
    """One timed burst: updates per second, and the process's CPU seconds per update."""

    rate: float
    cpu_per_update: float


async def timed_burst(
    state: SandboxState, burst: Burst, profiler: cProfile.Profile | None = None
) -> Timing:
    """Inject the burst and wait for all its effects."""
    tally = CallTally(state)
    expected = burst.expected_calls()
    gc.collect()
    if profiler is not None:
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    inject(state, burst)
    done = await state.wait_until(lambda: tally.reached(expected), burst_timeout(burst.size))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
    if not done:
        raise BenchmarkError(
            f"only {dict(tally.counts)} of the expected calls {expected} arrived within "
            f"{burst_timeout(burst.size):.0f}s"
        )
    verify(state, burst)
    return Timing(burst.size / elapsed, cpu / burst.size)


def verify(state: SandboxState, burst: Burst) -> None:
    """Every press answered, every card edited once per press, one reply per message."""
    unanswered = [q for q in burst.query_ids if q not in state.callback_answers]
    if unanswered:
        raise BenchmarkError(f"{len(unanswered)} presses were not answered, e.g. {unanswered[0]}")
    for card in burst.cards:
        edits = card.message.edit_count - burst.edits_before[card.key]
        wanted = burst.presses_per_card[card.key]
        if edits != wanted:
            raise BenchmarkError(
                f"card #{card.message.message_id} of user {card.user_id} was edited {edits} "
                f"times for {wanted} presses"
            )
        replies = bot_message_count(state, card.user_id) - burst.messages_before[card.user_id]
        if replies != burst.texts_per_user[card.user_id]:
            raise BenchmarkError(
                f"user {card.user_id} got {replies} replies to "
                f"{burst.texts_per_user[card.user_id]} messages"
            )


async def wait_or_fail(state: SandboxState, done: Callable[[], bool], what: str) -> None:
    if not await state.wait_until(done, SETUP_TIMEOUT):
        raise BenchmarkError(f"{what} did not happen within {SETUP_TIMEOUT:.0f}s")


def find_button(message: JSONDict, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    for button in itertools.chain.from_iterable(rows):
        if button.get("text") == label:
            return str(button["callback_data"])
    raise BenchmarkError(f"no button {label!r} on the card: {message.get('reply_markup')}")


# ----- what 공감 sends, captured once for both bots -------------------------------------------


@dataclass(frozen=True)
class Payload:
    """What one sendMessage or editMessageText carried, as the sandbox received it."""

    text: str
    parse_mode: str | None
    reply_markup: JSONDict | None

    @classmethod
    def of(cls, call: ApiCall) -> Payload:
        markup = call.params.get("reply_markup")
        parse_mode = call.params.get("parse_mode")
        return cls(
            str(call.params["text"]),
            None if parse_mode is None else str(parse_mode),
            markup if isinstance(markup, dict) else None,
        )

    def markup(self) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        """The reply markup as PTB objects, for a bot that sends this payload itself."""
        if self.reply_markup is None or "inline_keyboard" in self.reply_markup:
            return self.inline_markup()
        return ReplyKeyboardMarkup.de_json(copy.deepcopy(self.reply_markup))

    def inline_markup(self) -> InlineKeyboardMarkup | None:
        """The inline keyboard as PTB objects (an edit can carry no other markup)."""
        if self.reply_markup is None:
            return None
        return InlineKeyboardMarkup.de_json(copy.deepcopy(self.reply_markup))


@dataclass(frozen=True)
class Traffic:
    """What 공감 sends for the benchmark's updates, from one probe resident's conversation."""

    greeting: Payload  # the reply to /start, with the main-menu keyboard
    card: Payload  # the /settings card, notifications on
    edits: dict[str, Payload]  # the card's toggle data -> the edit that a press of it brings
    muted_look: JSONDict  # the card as shown once muted (`LOOK_FIELDS`)

    def looks(self, state: SandboxState, message: SandboxMessage) -> tuple[Look, Look]:
        """The card's two looks, unmuted then muted, each with the toggle it shows."""
        unmuted = state.message_to_api(message)
        muted = {**{k: v for k, v in unmuted.items() if k not in LOOK_FIELDS}, **self.muted_look}
        return (
            (find_button(unmuted, MUTE_LABEL), unmuted),
            (find_button(muted, UNMUTE_LABEL), muted),
        )


def last_call(state: SandboxState, method: str, chat_id: int) -> Payload:
    """The payload of the latest `method` call to `chat_id`."""
    for call in reversed(state.calls):
        if call.method.lower() == method.lower() and call.params.get("chat_id") == chat_id:
            return Payload.of(call)
    raise BenchmarkError(f"공감 made no {method} call to chat {chat_id}")


async def capture_traffic(server: SandboxServer, database_url: str) -> Traffic:
    """A probe resident says /start, opens /settings, mutes and unmutes on 공감."""
    state = server.state
    probe = SandboxClient(state).resident(PROBE_USER_ID, resident_name(PROBE_USER_ID))
    async with gonggam_running(server, database_url):
        await probe.say("/start")
        await probe.wait_for_message(timeout=SETUP_TIMEOUT)
        greeting = last_call(state, "sendMessage", PROBE_USER_ID)
        await probe.say("/settings")
        card = await probe.wait_for_message(
            predicate=lambda m: MUTE_LABEL in m.button_texts, timeout=SETUP_TIMEOUT
        )
        card_payload = last_call(state, "sendMessage", PROBE_USER_ID)
        mute_data = find_button(shown(state, card), MUTE_LABEL)
        mute = await _toggle(probe, card, MUTE_LABEL)
        muted = shown(state, card)
        unmute = await _toggle(probe, card, UNMUTE_LABEL)
    return Traffic(
        greeting=greeting,
        card=card_payload,
        edits={mute_data: mute, find_button(muted, UNMUTE_LABEL): unmute},
        muted_look={k: muted[k] for k in LOOK_FIELDS if k in muted},
    )


def shown(state: SandboxState, sent: SentMessage) -> JSONDict:
    """The message as it is now, as the Bot API would hand it to a bot."""
    return state.message_to_api(state.message(sent.chat_id, sent.message_id))


async def _toggle(probe: Resident, card: SentMessage, label: str) -> Payload:
    """Press the card's `label` and return the edit 공감 answered it with."""
    before = probe.message(card.message_id)
    await probe.press(before, label)
    await probe.wait_for_edit(before, timeout=SETUP_TIMEOUT)
    return last_call(probe.state, "editMessageText", probe.user_id)


# ----- the two bots --------------------------------------------------------------------------


class Subject(Protocol):
    label: str

    def running(self, server: SandboxServer) -> AbstractAsyncContextManager[None]:
        """The bot polls the server inside this context."""
        ...

    async def open_cards(self, state: SandboxState, user_ids: Sequence[int]) -> list[Card]:
        """New residents, each with a toggle card from this bot in their chat."""
        ...


def resident_name(user_id: int) -> str:
    return f"주민{user_id % 1000}"


def add_residents(state: SandboxState, user_ids: Sequence[int]) -> None:
    client = SandboxClient(state)
    for user_id in user_ids:
        client.resident(user_id, resident_name(user_id))


class BareHandlers:
    """The baseline's two callbacks: they send 공감's payloads, built into PTB objects once."""

    def __init__(self, traffic: Traffic) -> None:
        self._greeting = traffic.greeting
        self._greeting_markup = traffic.greeting.markup()
        self._edits = {data: (edit, edit.inline_markup()) for data, edit in traffic.edits.items()}

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await message.reply_text(
                self._greeting.text,
                parse_mode=self._greeting.parse_mode,
                reply_markup=self._greeting_markup,
            )

    async def toggle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data not in self._edits:
            return
        await query.answer(show_alert=False)  # as 공감's silent answer spells it
        edit, markup = self._edits[query.data]
        await query.edit_message_text(edit.text, parse_mode=edit.parse_mode, reply_markup=markup)


def _bot_requests(builder: ApplicationBuilder) -> ApplicationBuilder:  # type: ignore[type-arg]
    """The same HTTP client settings as `bot.app._build_bot`, so only the handling differs."""
    return builder.request(HTTPXRequest(connection_pool_size=64)).get_updates_request(
        HTTPXRequest(connection_pool_size=2, read_timeout=20)
    )


class BarePtb:
    """The baseline: PTB with a text handler and a press handler, nothing else."""

    label = "bare PTB echo"

    def __init__(self, traffic: Traffic) -> None:
        self.traffic = traffic

    @asynccontextmanager
    async def running(self, server: SandboxServer) -> AsyncIterator[None]:
        builder = ApplicationBuilder().token(server.state.token).base_url(server.base_url)
        application: Application = _bot_requests(builder).build()  # type: ignore[type-arg]
        handlers = BareHandlers(self.traffic)
        application.add_handler(MessageHandler(filters.TEXT, handlers.echo))
        application.add_handler(CallbackQueryHandler(handlers.toggle))
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()

    async def open_cards(self, state: SandboxState, user_ids: Sequence[int]) -> list[Card]:
        """Each new resident gets 공감's /settings card, sent as 공감 sent it."""
        add_residents(state, user_ids)
        card = self.traffic.card
        cards = []
        for user_id in user_ids:
            message = state.send_message(
                user_id, card.text, parse_mode=card.parse_mode, reply_markup=card.reply_markup
            )
            cards.append(Card(user_id, message, self.traffic.looks(state, message)))
        return cards


@asynccontextmanager
async def gonggam_running(server: SandboxServer, database_url: str) -> AsyncIterator[None]:
    """공감's runtime polling the server, as `python -m bot` runs it, on `database_url`."""
    settings = Settings(
        telegram_bot_token=server.state.token,
        telegram_api_base_url=server.base_url,
        database_url=database_url,
        secret_key="x" * 64,
        port=0,
        send_limits=UNLIMITED,
    )
    runtime = build_runtime(settings, fake_clock(START))
    await runtime.start(Mode.POLLING, serve_web=False)
    try:
        yield
    finally:
        await runtime.stop()


class Gonggam:
    """The real runtime, as `python -m bot` runs it in polling mode, on a SQLite file."""

    label = "공감"

    def __init__(self, database_url: str, traffic: Traffic) -> None:
        self.database_url = database_url
        self.traffic = traffic

    def running(self, server: SandboxServer) -> AbstractAsyncContextManager[None]:
        return gonggam_running(server, self.database_url)

    async def open_cards(self, state: SandboxState, user_ids: Sequence[int]) -> list[Card]:
        """Each new resident sends `/settings` once; the card it gets back is what they press."""
        add_residents(state, user_ids)
        for user_id in user_ids:
            state.user_sends(user_id, text="/settings")
        await wait_or_fail(
            state,
            lambda: all(bot_message_count(state, u) > 0 for u in user_ids),
            f"the /settings cards for {len(user_ids)} residents",
        )
        cards = []
        for user_id in user_ids:
            message = state.chat(user_id).messages[-1]
            cards.append(Card(user_id, message, self.traffic.looks(state, message)))
        return cards


# ----- rounds, the report and the command line ----------------------------------------------


@dataclass(frozen=True)
class Options:
    updates: int = DEFAULT_UPDATES
    repeats: int = DEFAULT_REPEATS
    residents: int = DEFAULT_RESIDENTS
    as_json: bool = False
    profile: Path | None = None
    database_url: str | None = None


@dataclass(frozen=True)
class Report:
    updates: int
    residents: int
    baseline_runs: list[float]
    gonggam_runs: list[float]
    baseline_cpu_runs: list[float] = field(default_factory=list)  # CPU seconds per update
    gonggam_cpu_runs: list[float] = field(default_factory=list)

    @property
    def baseline(self) -> float:
        return statistics.median(self.baseline_runs)

    @property
    def gonggam(self) -> float:
        return statistics.median(self.gonggam_runs)

    @property
    def ratio(self) -> float:
        return self.gonggam / self.baseline

    @property
    def cpu_ratio(self) -> float | None:
        """Baseline CPU per update over 공감's (the share, like `ratio`); None if not measured."""
        if not self.baseline_cpu_runs or not self.gonggam_cpu_runs:
            return None
        return statistics.median(self.baseline_cpu_runs) / statistics.median(self.gonggam_cpu_runs)

    @property
    def round_ratios(self) -> list[float]:
        """공감/baseline within each round: shows how much the machine's noise moved things."""
        return [g / b for b, g in zip(self.baseline_runs, self.gonggam_runs, strict=True)]

    @property
    def verdict(self) -> str:
        return "PASS" if self.ratio >= GOAL else "BELOW"

    def to_json(self) -> str:
        return json.dumps(
            {
                "updates": self.updates,
                "residents": self.residents,
                "repeats": len(self.baseline_runs),
                "baseline_updates_per_second": round(self.baseline, 1),
                "gonggam_updates_per_second": round(self.gonggam, 1),
                "ratio": round(self.ratio, 4),
                "goal": GOAL,
                "verdict": self.verdict,
                "baseline_runs": [round(r, 1) for r in self.baseline_runs],
                "gonggam_runs": [round(r, 1) for r in self.gonggam_runs],
                "round_ratios": [round(r, 4) for r in self.round_ratios],
                "baseline_cpu_ms_per_update": _median_ms(self.baseline_cpu_runs),
                "gonggam_cpu_ms_per_update": _median_ms(self.gonggam_cpu_runs),
                "cpu_ratio": None if self.cpu_ratio is None else round(self.cpu_ratio, 4),
            },
            ensure_ascii=False,
        )

    def table(self) -> str:
        def runs(values: list[float]) -> str:
            return ", ".join(f"{v:.0f}" for v in values)

        pairs = self.updates // 2
        heading = (
            f"update throughput: {self.updates} updates per run ({pairs} /start + {pairs} "
            f"button presses, {self.residents} residents), median of {len(self.baseline_runs)}"
        )
        baseline = f"{self.baseline:>9.1f} updates/s   runs: {runs(self.baseline_runs)}"
        gonggam = f"{self.gonggam:>9.1f} updates/s   runs: {runs(self.gonggam_runs)}"
        ratio = f"{self.ratio * 100:>9.1f} %           goal ≥ {GOAL * 100:.0f} %   {self.verdict}"
        rounds = ", ".join(f"{r * 100:.0f} %" for r in self.round_ratios)
        return "\n".join(
            [
                heading,
                f"  {pad('bare PTB echo', 14)}{baseline}",
                f"  {pad('공감', 14)}{gonggam}",
                f"  {pad('ratio', 14)}{ratio}",
                f"  {pad('per round', 14)}    {rounds}",
                *self._cpu_lines(),
            ]
        )

    def _cpu_lines(self) -> list[str]:
        if self.cpu_ratio is None:
            return []
        baseline, gonggam = (
            _median_ms(self.baseline_cpu_runs), _median_ms(self.gonggam_cpu_runs)
        )
        return [
            f"  {pad('CPU/update', 14)}{baseline:>9.2f} ms (bare)  {gonggam:.2f} ms (공감)  "
            f"ratio {self.cpu_ratio * 100:.1f} %   (whole process, sandbox included)"
        ]


def _median_ms(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 2) if seconds else None


def pad(label: str, width: int) -> str:
    """Left-align in terminal columns: Hangul takes two columns per character."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)
    return label + " " * max(0, width - columns)


class ResidentIds:
    """Fresh user ids for every burst, so that each one starts from the same state."""

    def __init__(self) -> None:
        self._next = FIRST_RESIDENT_ID

    def take(self, count: int) -> list[int]:
        ids = list(range(self._next, self._next + count))
        self._next += count
        return ids


def residents_for(updates: int, options: Options) -> int:
    return max(1, min(options.residents, updates // 2))


async def measure_once(
    server: SandboxServer,
    subject: Subject,
    ids: ResidentIds,
    options: Options,
    profiler: cProfile.Profile | None = None,
) -> Timing:
    """Start the bot, warm it up with a short burst, then time one full burst."""
    state = server.state
    async with subject.running(server):
        warmup = min(options.updates, WARMUP_UPDATES)
        cards = await subject.open_cards(state, ids.take(residents_for(warmup, options)))
        await timed_burst(state, plan_burst(state, cards, warmup))
        cards = await subject.open_cards(state, ids.take(residents_for(options.updates, options)))
        timing = await timed_burst(state, plan_burst(state, cards, options.updates), profiler)
    state.updates.clear()  # whatever the stopped bot fetched but did not confirm
    return timing


async def migrated(url: str) -> str:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return url


def round_order(subjects: Sequence[Subject], round_number: int) -> Iterator[Subject]:
    """Alternate who goes first, so that a machine slowing down favours neither."""
    return iter(subjects if round_number % 2 == 0 else list(reversed(subjects)))


async def run_benchmark(options: Options) -> Report:
    """Both bots, `options.repeats` interleaved rounds each, over one sandbox server."""
    profiler = cProfile.Profile() if options.profile else None
    with tempfile.TemporaryDirectory(prefix="gonggam-benchmark-") as directory:
        url = options.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        url = await migrated(url)
        runs: dict[str, list[Timing]] = {BarePtb.label: [], Gonggam.label: []}
        ids = ResidentIds()
        async with SandboxServer(SandboxState()) as server:
            traffic = await capture_traffic(server, url)
            baseline, gonggam = BarePtb(traffic), Gonggam(url, traffic)
            for round_number in range(options.repeats):
                for subject in round_order([baseline, gonggam], round_number):
                    watch = profiler if subject is gonggam else None
                    runs[subject.label].append(
                        await measure_once(server, subject, ids, options, watch)
                    )
    if profiler is not None and options.profile is not None:
        profiler.dump_stats(options.profile)
    return Report(
        updates=options.updates // 2 * 2,
        residents=residents_for(options.updates, options),
        baseline_runs=[t.rate for t in runs[BarePtb.label]],
        gonggam_runs=[t.rate for t in runs[Gonggam.label]],
        baseline_cpu_runs=[t.cpu_per_update for t in runs[BarePtb.label]],
        gonggam_cpu_runs=[t.cpu_per_update for t in runs[Gonggam.label]],
    )


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.update_throughput",
        description="공감 vs bare PTB: updates per second over the sandbox Bot API.",
    )
    parser.add_argument(
        "--updates",
        type=int,
        default=DEFAULT_UPDATES,
        help="updates per timed run, half /start and half presses",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=DEFAULT_REPEATS,
        help="timed runs per bot; the median is reported",
    )
    parser.add_argument(
        "--residents",
        type=int,
        default=DEFAULT_RESIDENTS,
        help="distinct residents sending the updates of one run",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="run 공감 on this database (e.g. postgresql+asyncpg://…); default: a temporary "
        "SQLite file",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        dest="as_json",
        help="print one JSON line instead of the table",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="write a cProfile of 공감's timed runs (pstats format) to FILE",
    )
    args = parser.parse_args(argv)
    if args.updates < 2 or args.repeats < 1 or args.residents < 1:
        parser.error("--updates must be at least 2, --repeats and --residents at least 1")
    return Options(
        args.updates, args.repeats, args.residents, args.as_json, args.profile, args.database_url
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        report = asyncio.run(run_benchmark(options))
    except Exception:
        traceback.print_exc()
        print("update throughput benchmark failed (see above)", file=sys.stderr)
        return 1
    print(report.to_json() if options.as_json else report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
