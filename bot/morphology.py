"""Korean morphological analysis with kiwipiepy, loaded once and shared by the process.

Loading reads the model that the ``kiwipiepy-model`` package ships, takes about a second
and keeps about 270 MB in memory (without kiwipiepy's default, multi-word and typo
dictionaries, which cost 7 s and 250 MB and change nothing on the labelled set of
tests/unit/similarity_pairs.py): I/O and state, so it lives here and not in the
pure domain, which reads the result as plain ``Morpheme`` values (bot/domain/reading.py).
The analyser is built by the first caller, under a lock, and cached. kiwipiepy holds the GIL
for much of the load, so a thread does not keep the event loop going meanwhile: the
application calls ``warm_up`` before it serves, not on the first proposal. A call then takes
about half a millisecond, so ``analysed`` runs it on the event loop once the model is
loaded (a thread hop costs more), and in a worker thread until then.
"""

from __future__ import annotations

import asyncio
import threading
from functools import cache

from kiwipiepy import Kiwi, Token

from bot.domain.reading import VOCABULARY, Analysis, Morpheme, prepare

_VERB_TAGS = frozenset({"VV", "VA", "VX"})
_LEMMA_ENDING = "다"
_LOCK = threading.Lock()


@cache
def _analyser() -> Kiwi:
    kiwi = Kiwi(load_default_dict=False, load_multi_dict=False, load_typo_dict=False)
    for word in VOCABULARY:  # the civic words, so that 보도 is not read 보 + 도
        kiwi.add_user_word(word, "NNG")
    return kiwi


def _shared_analyser() -> Kiwi:
    with _LOCK:  # one load, even when the first two callers come at once
        return _analyser()


def analyse(text: str) -> Analysis:
    """The morphemes of ``text`` (blocking; the first call loads the model)."""
    analyser = _shared_analyser()
    with _LOCK:  # kiwipiepy does not promise that concurrent calls on one Kiwi are safe
        tokens = analyser.tokenize(prepare(text))
    return tuple(_morpheme(token) for token in tokens)


async def analysed(*texts: str) -> tuple[Analysis, ...]:
    """``analyse`` of each text; off the event loop while the model may still be loading
    (a thread hop costs more than the half millisecond an analysis takes)."""
    if _analyser.cache_info().currsize:
        return tuple(analyse(text) for text in texts)
    return await asyncio.to_thread(lambda: tuple(analyse(text) for text in texts))


def warm_up() -> None:
    """Load the model and run it once, so the first real call is fast."""
    analyse("공원 가로등 설치")


def _morpheme(token: Token) -> Morpheme:
    tag = token.tag.split("-")[0]  # VA-I (irregular) → VA
    form = token.form
    if tag in _VERB_TAGS and token.lemma.endswith(_LEMMA_ENDING):
        form = token.lemma[: -len(_LEMMA_ENDING)]
    return Morpheme(form, tag)
