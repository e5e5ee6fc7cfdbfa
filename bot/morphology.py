"""Korean morphological analysis with kiwipiepy, in a process of its own.

Loading reads the model that the ``kiwipiepy-model`` package ships, takes about a second
and keeps about 265 MB in memory (without kiwipiepy's default, multi-word and typo
dictionaries, which cost 7 s and 250 MB and change nothing on the labelled set of
tests/unit/similarity_pairs.py): I/O and state, so it lives here and not in the
pure domain, which reads the result as plain ``Morpheme`` values (bot/domain/reading.py).

The bot asks a child process (``AnalyserProcess``) rather than loading the model itself:

- the bot's own memory then grows with its data only, not with a fixed model bigger than
  everything else it holds (the analyser is the same 265 MB for ten proposals or 100,000);
- kiwipiepy holds the GIL for the second its model takes to load, which would stall every
  update in flight; in the child it stalls nothing, so the bot serves from its first moment;
- a crash in the C library, or the kernel killing the biggest process when memory runs out,
  takes the analyser down and not the bot: the next call starts a new one.

A call costs a process hop (a fraction of a millisecond) on top of the half millisecond an
analysis takes. ``analyse`` is the analysis itself, blocking and in this process: the child
runs it, and so do the tests and benchmarks of the analysis.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import IO, TYPE_CHECKING

from bot.domain.reading import VOCABULARY, Analysis, Morpheme, prepare

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

_Answer = list[list[list[str]]] | dict[str, str]  # the morphemes of each text, or an error

LOAD_SECONDS = 120.0  # a fresh child's model: about a second, much more on a busy machine
ANSWER_SECONDS = 10.0  # one call: half a millisecond a text
READY = b"ready\n"  # the child's first line, once its model is loaded
_VERB_TAGS = frozenset({"VV", "VA", "VX"})
_LEMMA_ENDING = "다"
_LOCK = threading.Lock()


@cache
def _analyser() -> Kiwi:
    from kiwipiepy import Kiwi  # here, so that the bot's process never loads the library

    kiwi = Kiwi(load_default_dict=False, load_multi_dict=False, load_typo_dict=False)
    for word in VOCABULARY:  # the civic words, so that 보도 is not read 보 + 도
        kiwi.add_user_word(word, "NNG")
    return kiwi


def _shared_analyser() -> Kiwi:
    with _LOCK:  # one load, even when the first two callers come at once
        return _analyser()


def analyse(text: str) -> Analysis:
    """The morphemes of ``text`` (blocking, in this process; the first call loads the model)."""
    analyser = _shared_analyser()
    with _LOCK:  # kiwipiepy does not promise that concurrent calls on one Kiwi are safe
        tokens = analyser.tokenize(prepare(_encodable(text)))
    return tuple(_morpheme(token) for token in tokens)


def analyse_all(texts: Sequence[str]) -> tuple[Analysis, ...]:
    """``analyse`` of each text: what the child process runs for one call."""
    return tuple(analyse(text) for text in texts)


WARM_UP_TEXT = "공원 가로등 설치"


def warm_up() -> None:
    """Load the model and run it once, so the first real call is fast."""
    analyse(WARM_UP_TEXT)


class AnalysisFailed(RuntimeError):
    """The analyser could not analyse a text (it said so, or gave no answer in time)."""


class AnalyserProcess:
    """One child process, ``python -m bot.morphology``, that holds the model and analyses
    for the whole bot process.

    A call writes the texts as one line of JSON to the child's stdin and reads the morphemes
    back as one line from its stdout (the child analyses one call at a time, as one analyser
    would), after a first line that says its model is loaded. Calls wait in a thread of
    their own, so a slow analyser never takes the threads the event loop needs for other
    work (name lookups, files). The child exits when this process does (its stdin closes).
    A child that has died is replaced by the next call; one that gives no answer within
    ``answer_seconds`` is killed and the call fails.
    """

    def __init__(self, answer_seconds: float = ANSWER_SECONDS) -> None:
        self._answer_seconds = answer_seconds
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._caller = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyser")

    async def analysed(self, texts: Sequence[str]) -> tuple[Analysis, ...]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._caller, self.ask, tuple(texts))

    async def warm_up(self) -> None:
        """Start the child and load its model (without blocking the event loop)."""
        await self.analysed([WARM_UP_TEXT])

    def ask(self, texts: Sequence[str]) -> tuple[Analysis, ...]:
        """The analysis of ``texts`` by the child (blocking)."""
        request = (json.dumps([_encodable(text) for text in texts]) + "\n").encode()
        with self._lock:
            try:
                answer = self._exchange(self._running(), request)
            except (BrokenPipeError, EOFError):  # died since the last call: once more
                self._child = None
                answer = self._exchange(self._running(), request)
        if not isinstance(answer, list):
            raise AnalysisFailed(f"the analyser refused the text ({answer.get('error')})")
        return tuple(tuple(Morpheme(form, tag) for form, tag in text) for text in answer)

    @property
    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        return None if self._child is None else self._child.pid

    def close(self) -> None:
        with self._lock:
            if self._child is not None:
                _stop(self._child)
                self._child = None
        self._caller.shutdown(wait=False)

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            self._child = self._started()
        return self._child

    def _started(self) -> subprocess.Popen[bytes]:
        """A new child, once it says its model is loaded (within ``LOAD_SECONDS``)."""
        child = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert child.stdout is not None
        if _line_within(child.stdout.fileno(), LOAD_SECONDS) != READY:
            child.kill()
            child.wait()
            raise AnalysisFailed(f"the analyser did not load in {LOAD_SECONDS:g} s")
        return child

    def _exchange(self, child: subprocess.Popen[bytes], request: bytes) -> _Answer:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(request)
        child.stdin.flush()
        line = _line_within(child.stdout.fileno(), self._answer_seconds)
        if line is None:
            child.kill()
            child.wait()
            self._child = None
            raise AnalysisFailed(f"the analyser gave no answer in {self._answer_seconds:g} s")
        if not line:
            _stop(child)
            raise EOFError("the analyser process closed its output")
        answer: _Answer = json.loads(line)
        return answer


def _line_within(fd: int, seconds: float) -> bytes | None:
    """One line read from ``fd`` (b"" at its end), or None when it takes longer than
    ``seconds``. Read raw, so that nothing waits in a buffer the next ``select`` misses."""
    deadline = time.monotonic() + seconds
    received = b""
    while not received.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return received
        received += chunk
    return received


def _encodable(text: str) -> str:
    """``text`` with any lone surrogate (half of an emoji cut by a client) replaced, since
    the analyser's UTF-8 cannot hold one."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.stdin is not None:
        child.stdin.close()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


@cache
def analyser_process() -> AnalyserProcess:
    """The bot process's one analyser process (started on first use, stopped at exit)."""
    process = AnalyserProcess()
    atexit.register(process.close)
    return process


async def analysed(*texts: str) -> tuple[Analysis, ...]:
    """``analyse`` of each text, done by the analyser process."""
    return await analyser_process().analysed(texts)


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's loop: a line of JSON texts in, a line of their morphemes out, until the
    bot closes the pipe. A text it cannot analyse gets an error line, not the child's end."""
    warm_up()
    answers.write(READY)
    answers.flush()
    for line in requests:
        answers.write((json.dumps(_answer(line)) + "\n").encode())
        answers.flush()


def _answer(line: bytes) -> _Answer:
    try:
        analyses = analyse_all(json.loads(line))
    except Exception as error:  # a bad text must not end the analyser for everyone
        return {"error": type(error).__name__}
    return [[[morpheme.form, morpheme.tag] for morpheme in text] for text in analyses]


def _serve_on_standard_streams() -> None:
    """Answers go out on a copy of stdout, and stdout itself becomes stderr, so that nothing
    the library prints can be read as an answer."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)


def _morpheme(token: Token) -> Morpheme:
    tag = token.tag.split("-")[0]  # VA-I (irregular) → VA
    form = token.form
    if tag in _VERB_TAGS and token.lemma.endswith(_LEMMA_ENDING):
        form = token.lemma[: -len(_LEMMA_ENDING)]
    return Morpheme(form, tag)


if __name__ == "__main__":
    _serve_on_standard_streams()
