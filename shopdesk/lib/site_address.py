"""The address printed on paper (traveler QR codes), and whether phones can open it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def printed_site_url(request: HttpRequest) -> str:
    """The base URL printed links carry: SITE_URL when set, else the address of the request."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def is_loopback(url: str) -> bool:
    """True for an address only this computer reaches (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unreachable_print_address(request: HttpRequest) -> str:
    """The printed address when phones cannot open it (a loopback), else ''."""
    url = printed_site_url(request)
    return url if is_loopback(url) else ""
