"""The client address behind proxies, and form tokens across a key rotation (no I/O)."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

import pytest

from bot.web.security import FailureLimiter, FormSigner, TokenCheck, client_address
from tests.conftest import START

PROXIES = (ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # an untrusted peer is the client, whatever it writes in X-Forwarded-For
        ("198.51.100.4", ["203.0.113.9"], "198.51.100.4"),
        # a trusted proxy: the right-most address that is not a proxy
        ("10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", ["1.2.3.4, 203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", ["203.0.113.9, 10.1.1.1"], "203.0.113.9"),
        ("10.0.0.2", ["1.2.3.4", "203.0.113.9, 10.1.1.1"], "203.0.113.9"),
        # without the header, or with only proxies in it
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["10.3.3.3, 10.1.1.1"], "10.3.3.3"),
        # a malformed hop: the proxy that passed it on is counted instead
        ("10.0.0.2", ["203.0.113.9, not-an-ip"], "10.0.0.2"),
        ("10.0.0.2", ["not-an-ip, 10.1.1.1"], "10.1.1.1"),
        # IPv6 and IPv4-mapped peers
        ("2001:db8::1", ["2001:db8::2, 2a00:1450::7"], "2a00:1450::7"),
        ("::ffff:10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        (None, ["203.0.113.9"], "unknown"),
    ],
)
def test_the_client_is_the_right_most_untrusted_address(
    peer: str | None, forwarded: list[str], expected: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("10.0.0.2", ["203.0.113.9"], ()) == "10.0.0.2"


def test_a_form_token_is_checked_under_the_current_and_the_previous_key() -> None:
    old, new = "o" * 40, "n" * 40
    token = FormSigner(old).issue(7, "final", START)
    assert FormSigner(new).verify(token, link_id=7, kind="final", now=START).check \
        is TokenCheck.INVALID
    rotated = FormSigner(new, previous_key=old)
    assert rotated.verify(token, link_id=7, kind="final", now=START).check is TokenCheck.VALID
    later = START + timedelta(hours=9)
    assert rotated.verify(token, link_id=7, kind="final", now=later).check is TokenCheck.EXPIRED
    fresh = rotated.issue(7, "final", START)
    assert FormSigner(new).verify(fresh, link_id=7, kind="final", now=START).check \
        is TokenCheck.VALID


def test_failures_are_counted_per_client_and_per_token_on_the_given_clock() -> None:
    now = [0.0]
    limiter = FailureLimiter(per_client=3, per_token=2, window=60.0, monotonic=lambda: now[0])
    assert [limiter.record_failure("a", f"t{n}") for n in range(4)] == [True, True, True, False]
    assert limiter.record_failure("b", "t9")  # another client is not affected
    assert [limiter.record_failure(f"c{n}", "same") for n in range(3)] == [True, True, False]
    assert limiter.token_refused("same") and not limiter.token_refused("other")
    now[0] = 60.0
    assert not limiter.token_refused("same") and limiter.record_failure("a", "t5")
