from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shopdesk.core.models import Membership
from shopdesk.core.permissions import is_floor_session


class ShopMiddleware:
    """Put the signed-in person's membership and shop on the request (one query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        request.shop = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = Membership.objects.select_related("shop").filter(user_id=user.pk).first()
            if membership is not None:
                # Badge and PIN at a kiosk: floor powers only, whatever the role.
                membership.floor_session = is_floor_session(request)
                user.membership = membership  # reuse in services without another query
                request.membership = membership
                request.shop = membership.shop
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: scripts only from this site or with the per-request nonce."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; "
                "connect-src 'self'; "
                "font-src 'self'; "
                "object-src 'none'; "
                "base-uri 'none'; "
                "form-action 'self'; "
                "frame-ancestors 'none'"
            )
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response
