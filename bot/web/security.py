"""Signed form tokens (CSRF and publish confirmation) and a per-IP rate limiter for the pages.

A form token is ``<link id>.<kind>.<nonce>.<expires>.<digest>.<signature>``: an HMAC of the
rest under the app's secret key. The form page issues it with an empty digest (any content
may be previewed); the preview issues one with the same nonce whose digest is the hash of
exactly what will be published, so the publish step cannot carry different content. The
nonce doubles as the idempotency key of the publication, so a replayed publish is refused
by the service as a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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

    def __init__(self, secret_key: str, ttl: timedelta = FORM_TOKEN_TTL) -> None:
        self._key = hashlib.sha256(_PURPOSE + secret_key.encode()).digest()
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
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        if not (link_id.isdigit() and expires.isdigit() and _KIND.match(kind)):
            return None
        if not (_NONCE.match(nonce) and _DIGEST.match(digest)):
            return None
        return FormClaim(int(link_id), kind, nonce, int(expires), digest)

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


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
