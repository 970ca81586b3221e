from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from shopdesk.core.models import Membership
from shopdesk.core.permissions import is_floor_session

# What a signed-in person who is not a member of any shop (a customer's or a supplier's
# contact, later) may still open, by URL name: signing in and out, their own password, the
# health check, the API's description, and the page saying they have no shop here.
OPEN_WITHOUT_MEMBERSHIP = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "favicon",
        "no_shop",
        "openapi-json",
        "openapi-view",
    }
)
NO_SHOP_MESSAGE = "This account does not belong to a shop."


class ShopMiddleware:
    """Put the signed-in person's membership and shop on the request (one query).

    A signed-in person without a membership gets `request.shop` and `request.membership`
    None and sees nothing of any shop: before any view runs, a page answers a redirect to
    the "no shop" page (an htmx request an HX-Redirect to it) and the API a 403, whatever
    the view would have read. Only the views named in OPEN_WITHOUT_MEMBERSHIP run for them.
    """

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

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.membership is not None:
            return None
        match = request.resolver_match
        name = match.url_name if match is not None else None
        if name in OPEN_WITHOUT_MEMBERSHIP:
            return None
        if match is not None and "api" in match.namespaces:
            if request.headers.get("Authorization"):
                return None  # judged by the token alone (a non-member's token is refused)
            return JsonResponse({"detail": NO_SHOP_MESSAGE, "errors": []}, status=403)
        if match is not None and match.func.__module__ == "shopdesk.api.urls":
            return None  # the API's JSON 404 for unknown paths
        target = reverse("no_shop")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target, status=303)


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
