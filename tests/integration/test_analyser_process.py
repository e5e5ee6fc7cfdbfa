"""The Korean analyser runs in a child process (bot/morphology.py): the bot process never
loads the model, a killed analyser is started again by the next call, and the analyser does
not outlive a bot killed with SIGKILL."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.domain.reading import Morpheme
from bot.morphology import READY, AnalyserProcess, AnalysisFailed, analyse, serve

EXIT_TIMEOUT = 60  # seconds: only reached when the process does not exit at all


@pytest.fixture
def analyser() -> Iterator[AnalyserProcess]:
    process = AnalyserProcess()
    yield process
    process.close()


def test_the_child_answers_as_the_analysis_in_this_process(analyser: AnalyserProcess) -> None:
    texts = ("공원이 너무 어두워 조명을 달아 주세요", "", "😀\u200b 보도블록 교체", "줄\n바꿈")
    assert analyser.ask(texts) == tuple(analyse(text) for text in texts)


def test_a_lone_surrogate_is_read_as_a_replaced_character(analyser: AnalyserProcess) -> None:
    assert analyser.ask(["가로등 \ud83d 설치"]) == (analyse("가로등 ? 설치"),)


def test_a_request_the_child_cannot_analyse_gets_an_error_and_the_child_goes_on() -> None:
    requests = io.BytesIO(b'[1]\n["\\uac00\\ub85c\\ub4f1"]\n')
    answers = io.BytesIO()
    serve(requests, answers)
    ready, refused, analysed = answers.getvalue().splitlines()
    assert ready + b"\n" == READY
    refused, analysed = json.loads(refused), json.loads(analysed)
    assert refused == {"error": "AttributeError"}
    assert analysed == [[["가로등", "NNG"]]]


def test_an_analyser_that_stops_answering_is_killed_and_the_next_call_starts_another() -> None:
    analyser = AnalyserProcess(answer_seconds=1.0)
    try:
        analyser.ask(["가로등"])
        stuck = analyser.pid
        assert stuck is not None
        os.kill(stuck, signal.SIGSTOP)
        with pytest.raises(AnalysisFailed):
            analyser.ask(["가로등"])
        assert analyser.ask(["가로등"]) == ((Morpheme("가로등", "NNG"),),)
        assert analyser.pid not in (None, stuck)
    finally:
        analyser.close()


def test_a_killed_analyser_is_started_again_by_the_next_call(analyser: AnalyserProcess) -> None:
    analyser.ask(["가로등"])
    first = analyser.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    os.waitpid(first, 0)
    assert analyser.ask(["가로등 설치"]) == ((Morpheme("가로등", "NNG"), Morpheme("설치", "NNG")),)
    assert analyser.pid not in (None, first)


def test_the_bot_process_does_not_load_the_analysers_library() -> None:
    script = (
        "import asyncio, sys\n"
        "from bot.morphology import analysed\n"
        "print(asyncio.run(analysed('가로등'))[0][0].form, 'kiwipiepy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=EXIT_TIMEOUT)
    assert result.stdout.split() == ["가로등", "False"]


def test_the_analyser_exits_when_the_bot_is_killed() -> None:
    script = (
        "import sys\n"
        "from bot.morphology import analyser_process\n"
        "analyser_process().ask(['가로등'])\n"
        "print(analyser_process().pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    bot = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    assert bot.stdout is not None
    child = int(bot.stdout.readline())
    watch = os.pidfd_open(child)
    try:
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        readable, _, _ = select.select([watch], [], [], EXIT_TIMEOUT)
    finally:
        os.close(watch)
    assert readable == [watch], "the analyser process outlived the bot"
