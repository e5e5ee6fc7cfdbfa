"""The fan-out benchmark runs end to end with tiny numbers (it never asserts on speed), and
its figures are read from the sandbox's stamps as documented."""

from __future__ import annotations

import json

import pytest

from benchmarks import fanout

# The benchmark starts the sandbox and dispatcher processes of its own, on PostgreSQL.
pytestmark = pytest.mark.postgres


def test_one_and_two_replicas_deliver_every_push_once_with_429s_injected(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fanout.main(["--pushes", "40", "--replicas", "1,2", "--429-every", "15", "--json"])
    runs = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [run["replicas"] for run in runs] == [1, 2]
    for run in runs:
        assert run["pushes"] == 40 and run["lost"] == 0 and run["sent_twice"] == 0
        assert run["refused"] >= 1 and run["calls"] == 40 + run["refused"]
        assert run["achieved_rate"] > 0 and run["busiest_second"] >= 1


def test_the_busiest_second_counts_clock_seconds_and_the_window_any_second() -> None:
    stamps = [10.1, 10.9, 11.0, 11.05, 11.95, 12.5]
    assert fanout.busiest_second(stamps) == 3  # 11.0, 11.05 and 11.95
    assert fanout.busiest_window(stamps) == 4  # 10.1 to 11.05, within one second
    assert fanout.busiest_window([10.0, 11.0, 12.0]) == 1  # half-open windows
    assert fanout.busiest_second([]) == 0


def test_bad_arguments_are_refused() -> None:
    for arguments in (["--pushes", "3"], ["--replicas", "0"], ["--replicas", "two"]):
        with pytest.raises(SystemExit) as refused:
            fanout.main(arguments)
        assert refused.value.code == 2
