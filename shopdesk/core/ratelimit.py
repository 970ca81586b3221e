"""Slowing password and PIN guessing without handing anyone a way to lock the owner out.

Failures are counted in the shared cache. Each key holds the times of recent failures, so the
window slides: an attempt is refused while `limit` failures happened within the last `window`
seconds. The default cache is a DatabaseCache, so every app process sees the same counts. Two
processes failing at the same instant may each miss the other's failure; an attacker gains
one or two tries from that, no more.

Sign-in (the password form) counts failures on four keys:

- the username from one client address: an attacker at one address gets LOGIN_RATE_LIMIT
  tries at an account, and then 429 — while the owner at any other address signs in;
- the client address, across usernames (LOGIN_RATE_LIMIT_PER_ADDRESS): one address cannot
  spray a common password over every account;
- the username from anywhere (LOGIN_RATE_LIMIT_PER_USER): many addresses together get that
  many tries at one account, no more;
- a known device: a browser that signed in to the account before carries a signed cookie for
  it (KNOWN_DEVICE_COOKIE). Its attempts are judged by that device's own failures only, so
  whatever an attacker does elsewhere, the owner's own browser signs in.

The client address is REMOTE_ADDR, or taken from the trusted proxy's header when
TRUSTED_PROXY_COUNT says how many proxies stand in front (see client_ip).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

# Never keep more timestamps than this per key, whatever the limit is set to.
MAX_KEPT = 1000

KNOWN_DEVICE_COOKIE = "shopdesk_device"
KNOWN_DEVICE_SALT = "shopdesk.known-device"
KNOWN_DEVICE_MAX_AGE = 400 * 24 * 3600  # a year and a bit: browsers cap cookies at 400 days
# Accounts remembered per browser (a shared office PC signs in several people).
KNOWN_DEVICE_ACCOUNTS = 5


def now() -> float:
    """The clock of the rate limiter (tests move it forward instead of sleeping)."""
    return time.time()


# ------------------------------------------------------------------------ the client address


def _address_of(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the client, as far as this server can trust it.

    Without a configured proxy, REMOTE_ADDR: X-Forwarded-For is written by the client, and
    believing it would let anyone pick a fresh address per attempt. With
    TRUSTED_PROXY_COUNT = N, the N proxies in front each append the address they saw to
    TRUSTED_PROXY_HEADER (X-Forwarded-For), so the client is the N-th entry from the right;
    entries further left are the client's own words and are ignored. A header shorter than
    that, or not an address, falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    meta_key = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    entries = [entry for entry in request.META.get(meta_key, "").split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    address = _address_of(entries[-proxies])
    return str(address) if address is not None else remote


def address_key(ip: str) -> str:
    """What the limits count for an address: an IPv6 client is its /64 (one household or
    machine holds a whole /64 and could otherwise take a fresh address per attempt)."""
    address = _address_of(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return ip


# ----------------------------------------------------------------------------- the counters


def _digest(value: str) -> str:
    # Hashed: usernames are user input, and cache keys must be short and plain.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Counter:
    """Failures of one kind within a sliding window, per key."""

    scope: str
    limit_setting: str
    window_setting: str

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting))

    @property
    def window(self) -> int:
        return int(getattr(settings, self.window_setting))

    def _cache_key(self, key: str) -> str:
        return f"ratelimit:{self.scope}:{_digest(key)}"

    def _recent(self, key: str) -> list[float]:
        stamps = cache.get(self._cache_key(key)) or []
        cutoff = now() - self.window
        return [stamp for stamp in stamps if stamp > cutoff]

    def wait(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        stamps = self._recent(key)
        if len(stamps) < self.limit:
            return 0
        # Allowed again once enough old failures have aged out of the window.
        oldest_that_must_expire = sorted(stamps)[len(stamps) - self.limit]
        return max(1, int(oldest_that_must_expire + self.window - now() + 0.999))

    def record(self, key: str) -> None:
        stamps = self._recent(key)
        stamps.append(now())
        cache.set(self._cache_key(key), stamps[-MAX_KEPT:], timeout=self.window)

    def clear(self, key: str) -> None:
        cache.delete(self._cache_key(key))


login_from_address = Counter("login-user-address", "LOGIN_RATE_LIMIT", "LOGIN_RATE_WINDOW")
login_address = Counter("login-address", "LOGIN_RATE_LIMIT_PER_ADDRESS", "LOGIN_RATE_WINDOW")
login_user = Counter("login-user", "LOGIN_RATE_LIMIT_PER_USER", "LOGIN_RATE_WINDOW")
login_device = Counter("login-device", "LOGIN_RATE_LIMIT", "LOGIN_RATE_WINDOW")
reset_address = Counter("reset-address", "PASSWORD_RESET_LIMIT", "PASSWORD_RESET_WINDOW")
reset_email = Counter("reset-email", "PASSWORD_RESET_EMAILS", "PASSWORD_RESET_WINDOW")


# -------------------------------------------------------------------------- known devices


def _account_tag(username: str) -> str:
    return _digest("account:" + username)[:16]


def _known_devices(request: HttpRequest) -> dict[str, str]:
    """The accounts this browser signed in to before: account tag -> device id."""
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    known = {}
    for pair in str(value).split("|")[:KNOWN_DEVICE_ACCOUNTS]:
        tag, _, device = pair.partition(":")
        if tag and device:
            known[tag] = device
    return known


def known_device(request: HttpRequest, username: str) -> str | None:
    """This browser's device id for the account, when it signed in to it before."""
    return _known_devices(request).get(_account_tag(username)) if username.strip() else None


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: mark this browser as a known device of the account."""
    known = _known_devices(request)
    tag = _account_tag(username)
    device = known.pop(tag, None) or secrets.token_urlsafe(12)
    # The account just used first; the oldest dropped past the cap.
    kept = [(tag, device), *list(known.items())[: KNOWN_DEVICE_ACCOUNTS - 1]]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        "|".join(f"{t}:{d}" for t, d in kept),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


# ------------------------------------------------------------------------------- sign-in


def login_wait(request: HttpRequest, username: str) -> int:
    """Seconds this sign-in attempt must wait (0: check the password now)."""
    username = username.strip()
    device = known_device(request, username)
    if device is not None:
        return login_device.wait(device)
    ip = address_key(client_ip(request))
    waits = [login_address.wait(ip)]
    if username:
        waits += [login_from_address.wait(f"{username}@{ip}"), login_user.wait(username)]
    return max(waits)


def login_failed(request: HttpRequest, username: str) -> None:
    username = username.strip()
    device = known_device(request, username)
    if device is not None:
        login_device.record(device)
        return
    ip = address_key(client_ip(request))
    login_address.record(ip)
    if username:
        login_from_address.record(f"{username}@{ip}")
        login_user.record(username)


def login_succeeded(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Forget this browser's and this address's failures for the account; remember the
    browser. The account's count from everywhere stays: other addresses' failures are not
    the owner's to forgive."""
    username = username.strip()
    device = known_device(request, username)
    if device is not None:
        login_device.clear(device)
    login_from_address.clear(f"{username}@{address_key(client_ip(request))}")
    remember_device(request, response, username)


def login_forgive(username: str) -> None:
    """The owner proved who they are (a password reset link): the account's count from
    everywhere starts again."""
    login_user.clear(username.strip())


# ------------------------------------------------------------------------ password reset


def reset_wait(request: HttpRequest) -> int:
    """Seconds before this address may ask for another reset email (0: now).

    Only the asker's address is limited: limiting the email address would let anyone stop
    its owner from resetting by asking for it first.
    """
    return reset_address.wait(address_key(client_ip(request)))


def reset_requested(request: HttpRequest, email: str) -> bool:
    """Count the request; answer whether to send the email.

    An email address gets PASSWORD_RESET_EMAILS emails per window, however many addresses
    ask: a flood of requests cannot fill its owner's inbox. Past that, the page answers as
    usual and sends nothing; the emails already sent hold working links, so the owner is
    never kept from resetting.
    """
    reset_address.record(address_key(client_ip(request)))
    if reset_email.wait(email):
        return False
    reset_email.record(email)
    return True
