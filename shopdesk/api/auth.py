"""Who is calling: a bearer API token, or the signed-in browser session.

Both answer the user with `request.shop` and `request.membership` set, so handlers and the
services they call see the same shop whichever way the caller signed in.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from shopdesk.core.models import ApiToken, hash_token

# Writing last_used_at on every call would turn every read into a write; a minute is
# precise enough to tell a live integration from a forgotten token.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a token that is not revoked, of a user in a shop."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        api_token = (
            ApiToken.objects.select_related("user__membership__shop")
            .filter(
                key_hash=hash_token(token),
                revoked_at__isnull=True,
                user__is_active=True,
                user__membership__isnull=False,
            )
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        user = api_token.user
        request.user = user
        request.membership = user.membership
        request.shop = user.membership.shop
        request.api_token = api_token
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in member, with Django's CSRF check on unsafe methods."""

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        # A request that sends a token is judged by the token alone: a bad token is a 401
        # even in a browser that also holds a session.
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or getattr(request, "membership", None) is None
        ):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # Unused: __call__ reads the session that Django's middleware already loaded.
        return None
