"""Signed form tokens (CSRF and publish confirmation), the client address behind trusted
proxies, and the limiter of failed reply-link lookups.

A form token is ``<link id>.<kind>.<nonce>.<expires>.<digest>.<signature>``: an HMAC of the
rest under the app's secret key (during a key rotation, one signed under the previous key is
still accepted until it expires). The form page issues it with an empty digest (any content
may be previewed); the preview issues one with the same nonce whose digest is the hash of
exactly what will be published, so the publish step cannot carry different content. The
nonce doubles as the idempotency key of the publication, so a replayed publish is refused
by the service as a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.settings import IPNetwork

FORM_TOKEN_TTL = timedelta(hours=8)
_PURPOSE = b"gonggam-reply-form:v1:"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_KIND = re.compile(r"^[a-z_]{1,24}$")
_DIGEST = re.compile(r"^([0-9a-f]{64})?$")


class TokenCheck(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class FormClaim:
    """What a verified form token vouches for."""

    link_id: int
    kind: str
    nonce: str
    expires_at: int
    digest: str


@dataclass(frozen=True)
class Verdict:
    check: TokenCheck
    claim: FormClaim | None = None


def content_digest(fields: Mapping[str, str]) -> str:
    """A stable hash of the submitted fields (sorted keys, exact strings)."""
    canonical = json.dumps(dict(sorted(fields.items())), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


class FormSigner:
    """Issues and checks form tokens bound to one reply link and one form kind."""

    def __init__(
        self, secret_key: str, ttl: timedelta = FORM_TOKEN_TTL, *, previous_key: str | None = None
    ) -> None:
        if not secret_key:
            raise ValueError("a form signer needs a secret key")
        self._key = _form_key(secret_key)
        self._accepted = (self._key,) if previous_key is None else (
            self._key, _form_key(previous_key))
        self._ttl = ttl

    def issue(
        self, link_id: int, kind: str, now: datetime, *, nonce: str | None = None, digest: str = ""
    ) -> str:
        expires = int((now + self._ttl).timestamp())
        body = f"{link_id}.{kind}.{nonce or new_nonce()}.{expires}.{digest}"
        return f"{body}.{self._sign(body)}"

    def verify(
        self, token: str, *, link_id: int, kind: str, now: datetime, digest: str = ""
    ) -> Verdict:
        """VALID only for an untampered token of this link, kind and content, not yet expired."""
        claim = self._parse(token)
        if claim is None or claim.link_id != link_id or claim.kind != kind:
            return Verdict(TokenCheck.INVALID)
        if not hmac.compare_digest(claim.digest, digest):
            return Verdict(TokenCheck.INVALID)
        if claim.expires_at < now.timestamp():
            return Verdict(TokenCheck.EXPIRED, claim)
        return Verdict(TokenCheck.VALID, claim)

    def _parse(self, token: str) -> FormClaim | None:
        parts = token.split(".")
        if len(parts) != 6 or len(token) > 300:
            return None
        link_id, kind, nonce, expires, digest, signature = parts
        body = token.rsplit(".", 1)[0]
        if not any(hmac.compare_digest(signature, _signature(key, body))
                   for key in self._accepted):
            return None
        if not (link_id.isdigit() and expires.isdigit() and _KIND.match(kind)):
            return None
        if not (_NONCE.match(nonce) and _DIGEST.match(digest)):
            return None
        return FormClaim(int(link_id), kind, nonce, int(expires), digest)

    def _sign(self, body: str) -> str:
        return _signature(self._key, body)


def _form_key(secret_key: str) -> bytes:
    return hashlib.sha256(_PURPOSE + secret_key.encode()).digest()


def _signature(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]
) -> str:
    """The address a request comes from, for counting its failures.

    `X-Forwarded-For` is believed only when the peer is a trusted proxy; then the chain is
    read from the right (the part the proxies appended) and the first address that is not
    itself a trusted proxy is the client. A malformed entry stops the walk: the trusted
    hop that passed it on is taken instead, since anything left of it is the client's own
    writing.
    """
    address = peer or "unknown"
    if not _is_trusted(address, trusted):
        return address
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if _parse_ip(hop) is None:
            return address
        address = hop
        if not _is_trusted(hop, trusted):
            return hop
    return address


def is_loopback(address: str | None) -> bool:
    ip = _parse_ip(address or "")
    return ip is not None and ip.is_loopback


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    ip = _parse_ip(address)
    return ip is not None and any(ip in network for network in trusted)


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds per key (a token bucket), in memory.

    One instance lives on one web application; replicas each keep their own. The number of
    keys is bounded: when it grows past ``max_keys``, buckets that have refilled are dropped,
    and if that is not enough the oldest are.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        max_keys: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit <= 0 or window <= 0:
            raise ValueError("limit and window must be positive")
        self.limit = limit
        self.window = window
        self._rate = limit / window
        self._max_keys = max_keys
        self._monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False (and nothing taken) when the bucket is empty."""
        now = self._monotonic()
        tokens, last = self._buckets.pop(key, (float(self.limit), now))
        tokens = min(float(self.limit), tokens + (now - last) * self._rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self._max_keys:
            self._prune(now)
        return allowed

    def has_room(self, key: str) -> bool:
        """Whether `allow(key)` would succeed now, without taking anything."""
        tokens, last = self._buckets.get(key, (float(self.limit), self._monotonic()))
        return min(float(self.limit), tokens + (self._monotonic() - last) * self._rate) >= 1.0

    def retry_after(self) -> int:
        """Seconds after which at least one more hit is allowed."""
        return max(1, int(1 / self._rate + 0.999))

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        full = [
            key for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self._rate >= self.limit
        ]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) > self._max_keys:
            del self._buckets[next(iter(self._buckets))]


class FailureLimiter:
    """Failed reply-link lookups (wrong, expired or revoked tokens), limited per client
    address and per token.

    Only failures are counted and a token that resolves is always served, so nobody's
    guessing can get an official's valid link refused, not even from the same office
    address. A token that has failed stays failed (tokens never become valid later), so a
    token over its limit is refused before the database is asked.
    """

    def __init__(
        self,
        per_client: int,
        per_token: int,
        window: float = 60.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = RateLimiter(per_client, window, monotonic=monotonic)
        self._tokens = RateLimiter(per_token, window, monotonic=monotonic)

    def token_refused(self, token: str) -> bool:
        return not self._tokens.has_room(_token_key(token))

    def record_failure(self, client: str, token: str) -> bool:
        """Count one failure; True while both the client and the token are within limits."""
        client_ok = self._clients.allow(client)
        token_ok = self._tokens.allow(_token_key(token))
        return client_ok and token_ok

    def retry_after(self) -> int:
        return max(self._clients.retry_after(), self._tokens.retry_after())


def _token_key(token: str) -> str:
    """Tokens are kept only hashed and shortened, also in memory."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]
