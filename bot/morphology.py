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
import subprocess
import sys
import threading
from collections.abc import Sequence
from functools import cache
from typing import IO, TYPE_CHECKING

from bot.domain.reading import VOCABULARY, Analysis, Morpheme, prepare

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

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
        tokens = analyser.tokenize(prepare(text))
    return tuple(_morpheme(token) for token in tokens)


def analyse_all(texts: Sequence[str]) -> tuple[Analysis, ...]:
    """``analyse`` of each text: what the child process runs for one call."""
    return tuple(analyse(text) for text in texts)


WARM_UP_TEXT = "공원 가로등 설치"


def warm_up() -> None:
    """Load the model and run it once, so the first real call is fast."""
    analyse(WARM_UP_TEXT)


class AnalyserProcess:
    """One child process, ``python -m bot.morphology``, that holds the model and analyses
    for the whole bot process.

    A call writes the texts as one line of JSON to the child's stdin and reads the morphemes
    back as one line from its stdout, under a lock (the child analyses one call at a time,
    as one analyser would). The child exits when this process does (its stdin closes).
    When it has died, the call that finds its pipe closed starts another and asks again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    async def analysed(self, texts: Sequence[str]) -> tuple[Analysis, ...]:
        return await asyncio.to_thread(self.ask, tuple(texts))

    async def warm_up(self) -> None:
        """Start the child and load its model (without blocking the event loop)."""
        await self.analysed([WARM_UP_TEXT])

    def ask(self, texts: Sequence[str]) -> tuple[Analysis, ...]:
        """The analysis of ``texts`` by the child (blocking)."""
        request = (json.dumps(list(texts)) + "\n").encode()
        with self._lock:
            try:
                answer = self._exchange(self._running(), request)
            except (BrokenPipeError, EOFError):  # died since the last call: once more
                self._child = None
                answer = self._exchange(self._running(), request)
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

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        return self._child

    @staticmethod
    def _exchange(child: subprocess.Popen[bytes], request: bytes) -> list[list[list[str]]]:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(request)
        child.stdin.flush()
        line = child.stdout.readline()
        if not line:
            _stop(child)
            raise EOFError("the analyser process closed its output")
        answer: list[list[list[str]]] = json.loads(line)
        return answer


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
    bot closes the pipe."""
    warm_up()
    for line in requests:
        analyses = analyse_all(json.loads(line))
        payload = [[[morpheme.form, morpheme.tag] for morpheme in text] for text in analyses]
        answers.write((json.dumps(payload) + "\n").encode())
        answers.flush()


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
