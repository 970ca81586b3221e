from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

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


class KioskIdleMiddleware:
    """Sign a kiosk operator out after the shop's idle minutes (issue 4, operator kiosk).

    A kiosk sign-in records the last activity in the session; a request after the idle time
    ends the session and lands on the badge screen. The queue's 10-second refresh (it sends
    X-Kiosk-Poll) is not activity, so a tablet left on the queue still signs out. Sessions
    not made at the kiosk are untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from shopdesk.core.kiosk import KIOSK_POLL_HEADER, KIOSK_SEEN_KEY, KIOSK_SESSION_KEY

        session = getattr(request, "session", None)
        kiosk = session.get(KIOSK_SESSION_KEY) if session is not None else None
        if kiosk and request.user.is_authenticated:
            now = time.time()
            seen = float(session.get(KIOSK_SEEN_KEY) or 0)
            idle = int(kiosk.get("idle") or 300)
            if now - seen > idle:
                auth_logout(request)
                messages.info(request, f"Signed out after {idle // 60} minutes without activity.")
                home = reverse("kiosk")
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = home
                    return response
                return HttpResponseRedirect(home)
            if not request.headers.get(KIOSK_POLL_HEADER):
                session[KIOSK_SEEN_KEY] = now
        return self.get_response(request)
