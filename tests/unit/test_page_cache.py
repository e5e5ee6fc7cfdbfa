"""The pages' short memory: expires, forgets a proposal on demand, stays bounded."""

from __future__ import annotations

from bot.web.cache import PageCache


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_the_ttl() -> None:
    ticks = Ticks()
    cache = PageCache(ttl_seconds=2, monotonic=ticks)
    cache.put("a", 1, "page")
    ticks.now += 1.9
    assert cache.get("a") == "page"
    ticks.now += 0.2
    assert cache.get("a") is None


def test_dropping_a_proposal_forgets_all_its_pages() -> None:
    cache = PageCache(monotonic=Ticks())
    cache.put(("public", 1), 1, "p1")
    cache.put(("reply", "token"), 1, "r1")
    cache.put(("public", 2), 2, "p2")
    cache.drop_proposal(1)
    assert cache.get(("public", 1)) is None and cache.get(("reply", "token")) is None
    assert cache.get(("public", 2)) == "p2"


def test_the_cache_stays_bounded_and_zero_ttl_disables_it() -> None:
    cache = PageCache(max_entries=8, monotonic=Ticks())
    for n in range(100):
        cache.put(n, n, str(n))
    assert sum(cache.get(n) is not None for n in range(100)) <= 8
    off = PageCache(ttl_seconds=0, monotonic=Ticks())
    off.put("a", 1, "page")
    assert off.get("a") is None
