from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from shopdesk.floor.kiosk import KIOSK_POLL_HEADER, KIOSK_SEEN_KEY, KIOSK_SESSION_KEY


class KioskIdleMiddleware:
    """Sign a kiosk operator out after the shop's idle minutes .

    A kiosk sign-in records the last activity in the session; a request after the idle time
    ends the session and lands on the badge screen. The queue's 10-second refresh (it sends
    X-Kiosk-Poll) is not activity, so a tablet left on the queue still signs out. Sessions
    not made at the kiosk are untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
