"""Counting attempts (failed sign-ins, password reset requests) in the shared cache.

Each key holds the times of recent attempts, so the window slides: an attempt is refused while
`limit` failures happened within the last `window` seconds. The default cache is a
DatabaseCache, so every app process sees the same counts. Two processes failing at the same
instant may each miss the other's failure; an attacker gains one or two tries from that, no more.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# Never keep more timestamps than this per key, whatever the limit is set to.
MAX_KEPT = 1000


def now() -> float:
    """The clock of the rate limiter (tests move it forward instead of sleeping)."""
    return time.time()


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is written by the client unless a proxy we trust
    # overwrites it, and trusting it would let anyone pick a fresh address per attempt.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(scope: str, kind: str, value: str) -> str:
    # Hashed: usernames are user input, and cache keys must be short and plain.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]
    return f"ratelimit:{scope}:{kind}:{digest}"


def _recent(key: str, window: int) -> list[float]:
    stamps = cache.get(key) or []
    cutoff = now() - window
    return [stamp for stamp in stamps if stamp > cutoff]


class Limiter:
    """Failures counted per username (or email) and per client address within a window."""

    def __init__(self, scope: str, *, limit: int | None = None, window: int | None = None):
        self.scope = scope
        self._limit = limit
        self._window = window

    @property
    def limit(self) -> int:
        return self._limit if self._limit is not None else settings.LOGIN_RATE_LIMIT

    @property
    def window(self) -> int:
        return self._window if self._window is not None else settings.LOGIN_RATE_WINDOW

    def _keys(self, identity: str, ip: str) -> list[str]:
        keys = [_key(self.scope, "ip", ip)]
        if identity.strip():
            keys.append(_key(self.scope, "id", identity))
        return keys

    def is_limited(self, identity: str, ip: str) -> bool:
        """True when the identity or the address already has `limit` failures in the window."""
        return any(len(_recent(key, self.window)) >= self.limit for key in self._keys(identity, ip))

    def retry_after(self, identity: str, ip: str) -> int:
        """Seconds until the oldest counted failure leaves the window (at least 1)."""
        waits = []
        for key in self._keys(identity, ip):
            stamps = _recent(key, self.window)
            if len(stamps) >= self.limit:
                # The attempt becomes allowed once enough old failures have aged out.
                oldest_that_must_expire = sorted(stamps)[len(stamps) - self.limit]
                waits.append(oldest_that_must_expire + self.window - now())
        return max(1, int(max(waits, default=1) + 0.999))

    def record(self, identity: str, ip: str) -> None:
        """Count one attempt: a failed sign-in, or a password reset email asked for."""
        for key in self._keys(identity, ip):
            stamps = _recent(key, self.window)
            stamps.append(now())
            cache.set(key, stamps[-MAX_KEPT:], timeout=self.window)

    def clear(self, identity: str) -> None:
        """Forget the identity's failures (after a successful sign-in). The address keeps its
        count: one good password must not reset the count for a whole address."""
        if identity.strip():
            cache.delete(_key(self.scope, "id", identity))


login_limiter = Limiter("login")
password_reset_limiter = Limiter("password-reset")
