"""The operator kiosk: a shared tablet at a work center.

A supervisor enrolls the tablet (/kiosk/setup/): a long-lived signed cookie names the shop
and a random device id. Operators sign in there with badge number and PIN (wrong PINs
limited per badge), choose a work center, see its dispatch list in run order and start or
open a job. The kiosk session signs out after the shop's idle minutes (KioskIdleMiddleware on
the server; kiosk.js returns the screen to the badge pad). Signing out closes no labor:
the work goes on, and the shift end or the operator's pause closes the time.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopdesk.core import ratelimit
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Membership, Shop
from shopdesk.core.permissions import FLOOR_SESSION_KEY, is_floor_session
from shopdesk.core.services import event_append
from shopdesk.dispatch import selectors as dispatch
from shopdesk.jobs import labor as labor_selectors
from shopdesk.jobs import live
from shopdesk.jobs.models import JobState, OperationStatus, WorkCenter, ready_operations
from shopdesk.jobs.selectors import get_work_center_for

KIOSK_COOKIE = "shopdesk_kiosk"
KIOSK_COOKIE_SALT = "shopdesk.kiosk.enrollment"
KIOSK_COOKIE_MAX_AGE = 5 * 365 * 24 * 3600  # a tablet stays enrolled until un-enrolled
# Session keys of a kiosk sign-in: the shop and idle limit, and the last activity (epoch s).
# The rows of a queue a kiosk shows, ready and coming next each (its counts and hours cover
# the whole queue): an operator reads the top of it, and a tablet polls it every 10 s.
KIOSK_ROWS_SHOWN = 20
# A session holding this key is a floor session (shopdesk.core.permissions).
KIOSK_SESSION_KEY = FLOOR_SESSION_KEY
KIOSK_SEEN_KEY = "shopdesk_kiosk_seen"
# Sent by the queue's 10-second refresh: a poll is not activity and does not keep anyone in.
KIOSK_POLL_HEADER = "X-Kiosk-Poll"

BADGE_INPUT_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,20}$")
PIN_INPUT_PATTERN = re.compile(r"^[0-9]{1,8}$")
WRONG_BADGE_OR_PIN = "That badge number and PIN do not match. Try again."
# Checked when the badge is unknown, so an unknown badge costs the same time as a wrong PIN.
_DUMMY_PIN_HASH = make_password(secrets.token_hex(8))

# A 4-digit PIN is guessed far sooner than a password: fewer tries than the login form,
# counted per badge on every tablet of the shop. Not per tablet: one person's wrong PINs
# must not keep the rest of the crew off the shared tablet.
kiosk_badge_failures = ratelimit.Counter("kiosk-badge", "KIOSK_PIN_ATTEMPTS", "KIOSK_PIN_WINDOW")


# ------------------------------------------------------------------------------ enrollment


def enrolled_kiosk(request: HttpRequest) -> tuple[Shop, str] | None:
    """The shop this tablet is enrolled for and its device id, from the signed cookie."""
    value = request.get_signed_cookie(
        KIOSK_COOKIE, default=None, salt=KIOSK_COOKIE_SALT, max_age=KIOSK_COOKIE_MAX_AGE
    )
    if not value or ":" not in value:
        return None
    shop_id, device = value.split(":", 1)
    if not shop_id.isdigit():
        return None
    shop = Shop.objects.filter(pk=int(shop_id)).first()
    return (shop, device) if shop is not None else None


def is_kiosk_session(request: HttpRequest) -> bool:
    return is_floor_session(request)


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def kiosk_setup(request: HttpRequest) -> HttpResponse:
    """Enroll this tablet as the shop's kiosk, or un-enroll it (owners and supervisors)."""
    membership = request.membership
    allowed = membership is not None and membership.can_supervise
    enrolled = enrolled_kiosk(request)
    enrolled_here = (
        enrolled is not None and membership is not None and (enrolled[0].pk == membership.shop_id)
    )
    if request.method == "POST":
        if not allowed:
            return render(
                request,
                "floor/kiosk_setup.html",
                {"allowed": False, "enrolled_here": enrolled_here},
                status=403,
            )
        if request.POST.get("action") == "unenroll":
            response = redirect("kiosk_setup")
            response.delete_cookie(KIOSK_COOKIE)
            event_append(
                shop=membership.shop,
                actor=request.user,
                kind=EventKind.KIOSK_UNENROLLED,
                subject=membership,
                summary="A kiosk tablet was un-enrolled",
            )
            messages.success(request, "This tablet is no longer a kiosk.")
            return response
        device = uuid.uuid4().hex
        event_append(
            shop=membership.shop,
            actor=request.user,
            kind=EventKind.KIOSK_ENROLLED,
            subject=membership,
            summary=f"A tablet was enrolled as a kiosk (device {device[:8]})",
            after={"device": device[:8]},
        )
        # The supervisor hands the tablet over: their own session ends here.
        auth_logout(request)
        response = redirect("kiosk")
        response.set_signed_cookie(
            KIOSK_COOKIE,
            f"{membership.shop_id}:{device}",
            salt=KIOSK_COOKIE_SALT,
            max_age=KIOSK_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    return render(
        request,
        "floor/kiosk_setup.html",
        {"allowed": allowed, "enrolled_here": enrolled_here},
        status=200 if allowed else 403,
    )


# --------------------------------------------------------------------------------- sign-in


def _badge_screen(
    request: HttpRequest,
    *,
    enrolled: tuple[Shop, str] | None,
    error: str = "",
    badge: str = "",
    retry_minutes: int = 0,
    status: int = 200,
) -> HttpResponse:
    shop = enrolled[0] if enrolled else None
    return render(
        request,
        "floor/kiosk.html",
        {
            "kiosk_shop": shop,
            "error": error,
            "badge": badge,
            "retry_minutes": retry_minutes,
            **(_pad_lengths(shop) if shop else {}),
        },
        status=status,
    )


def _pad_lengths(shop: Shop) -> dict[str, int]:
    """The badge and PIN lengths the pad can move on and sign in at: each only when every
    badge (of digits) or every PIN in the shop has the same length, else 0 (wait for a tap).
    Says no more than a badge card shows; the PIN length is the shop's, not anyone's."""
    people = list(
        Membership.objects.filter(shop=shop)
        .exclude(badge_number="")
        .values_list("badge_number", "pin_length")
    )
    badge_lengths = {len(badge) for badge, _pin in people}
    pin_lengths = {pin for _badge, pin in people}
    digits_only = all(badge.isdigit() for badge, _pin in people)
    return {
        "badge_length": badge_lengths.pop() if len(badge_lengths) == 1 and digits_only else 0,
        "pin_length": (pin_lengths.pop() or 0) if len(pin_lengths) == 1 else 0,
    }


@never_cache
@require_GET
def kiosk_home(request: HttpRequest) -> HttpResponse:
    """The badge screen; a signed-in kiosk operator goes straight to the work centers."""
    enrolled = enrolled_kiosk(request)
    if enrolled is not None and request.user.is_authenticated and is_kiosk_session(request):
        return redirect("kiosk_work_centers")
    status = 200 if enrolled is not None else 403
    return _badge_screen(request, enrolled=enrolled, status=status)


@sensitive_post_parameters("pin")
@never_cache
@require_POST
def kiosk_sign_in(request: HttpRequest) -> HttpResponse:
    enrolled = enrolled_kiosk(request)
    if enrolled is None:
        return _badge_screen(request, enrolled=None, status=403)
    shop, device = enrolled
    badge = str(request.POST.get("badge", "")).strip()[:40]
    pin = str(request.POST.get("pin", "")).strip()[:40]
    identity = f"{shop.pk}:{badge.lower()}"
    # Refused before the PIN is checked: the right PIN does not help while limited.
    wait = kiosk_badge_failures.wait(identity) if badge else 0
    if wait:
        response = _badge_screen(
            request,
            enrolled=enrolled,
            badge=badge,
            error="Too many wrong PINs for this badge.",
            retry_minutes=max(1, round(wait / 60)),
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    if not badge or not pin:
        return _badge_screen(
            request,
            enrolled=enrolled,
            badge=badge,
            error="Enter your badge number and your PIN.",
            status=422,
        )
    membership = None
    if BADGE_INPUT_PATTERN.match(badge) and PIN_INPUT_PATTERN.match(pin):
        membership = (
            Membership.objects.select_related("user", "shop")
            .filter(shop=shop, badge_number=badge, user__is_active=True)
            .exclude(pin_hash="")
            .first()
        )
    if membership is None:
        check_password(pin, _DUMMY_PIN_HASH)  # the same time as a wrong PIN
        valid = False
    else:
        valid = check_password(pin, membership.pin_hash)
    if not valid:
        kiosk_badge_failures.record(identity)
        return _badge_screen(
            request, enrolled=enrolled, badge=badge, error=WRONG_BADGE_OR_PIN, status=422
        )
    kiosk_badge_failures.clear(identity)
    user = membership.user
    auth_login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    idle_seconds = max(60, int(shop.kiosk_idle_minutes) * 60)
    request.session[KIOSK_SESSION_KEY] = {"shop": shop.pk, "idle": idle_seconds}
    request.session[KIOSK_SEEN_KEY] = time.time()
    # The session itself ends after the idle time too, whatever happens to this process.
    request.session.set_expiry(idle_seconds)
    return redirect("kiosk_work_centers")


@require_POST
def kiosk_sign_out(request: HttpRequest) -> HttpResponse:
    """Back to the badge screen. Labor keeps running: the work goes on without the tablet."""
    was_in = request.user.is_authenticated
    name = (request.user.get_full_name() or request.user.get_username()) if was_in else ""
    auth_logout(request)
    if was_in:
        messages.info(request, f"{name} signed out.")
    return redirect("kiosk")


# ------------------------------------------------------------------- work centers and queue


def kiosk_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in people only; anyone else lands on the badge screen, not the login form."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or request.shop is None:
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("kiosk")
                return response
            return redirect("kiosk")
        return view(request, *args, **kwargs)

    return wrapper


def work_center_tiles(shop: Shop) -> list[WorkCenter]:
    """Active work centers with how many operations are ready and running at each (2 queries)."""
    # The ready rule (jobs.models.ready_operations), as the work center's queue applies it:
    # a tile counts what its queue lists.
    ready = ready_operations("operations__")
    on_floor = Q(operations__job__state=JobState.RELEASED) & ~Q(
        operations__status=OperationStatus.DONE
    )
    return list(
        WorkCenter.objects.filter(shop=shop, active=True)
        .annotate(
            ready_count=Count("operations", filter=on_floor & ready),
            running_count=Count(
                "operations",
                filter=on_floor & Q(operations__status=OperationStatus.RUNNING),
            ),
            upcoming_count=Count("operations", filter=on_floor & ~ready),
        )
        .order_by("name")
    )


def _kiosk_context(request: HttpRequest) -> dict[str, Any]:
    session = request.session.get(KIOSK_SESSION_KEY) or {}
    return {
        "kiosk_session": bool(session),
        "idle_seconds": session.get("idle", 0),
    }


@never_cache
@kiosk_login_required
@require_GET
def kiosk_work_centers(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    mine = labor_selectors.open_work_of(request.shop, request.user)
    for entry in mine:
        # "since 06:40 · 2 h 15 min"; a day or more back, the day too.
        started = timezone.localtime(entry.started_at)
        entry.since = started.strftime("%H:%M" if started.date() == today else "%a %H:%M")
        entry.on_for = live.minutes_label(int((now - entry.started_at).total_seconds() // 60))
    return render(
        request,
        "floor/kiosk_work_centers.html",
        {**_kiosk_context(request), "tiles": work_center_tiles(request.shop), "mine": mine},
    )


@never_cache
@kiosk_login_required
@require_GET
def kiosk_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The work center's dispatch list in run order: the same order the supervisor sets."""
    work_center = get_work_center_for(request.shop, pk)
    queue = dispatch.dispatch_list(request.shop, work_center, limit=KIOSK_ROWS_SHOWN)
    on_it = labor_selectors.on_operation([row.operation.pk for row in queue.ready])
    for row in queue.ready:
        row.on_it = on_it.get(row.operation.pk, [])
        row.start_client_id = uuid.uuid4().hex
    context = {
        **_kiosk_context(request),
        "work_center": work_center,
        "queue": queue,
        "me": live.person(request.user),
        "next_url": request.path,
    }
    if request.htmx:
        response = render(request, "floor/kiosk_queue.html#queue", context)
    else:
        response = render(request, "floor/kiosk_queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
