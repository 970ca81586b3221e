"""The People page: the shop's members, each operator's kiosk badge number and PIN, and the
floor settings that go with them (the daily shift end, the kiosk's idle sign-out)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from shopdesk.core import services
from shopdesk.core.errors import InvalidInput, ShopDeskError
from shopdesk.core.models import Membership
from shopdesk.core.permissions import require_supervisor

FIELD_MAX_LENGTH = 40


def get_membership_for(shop: Any, membership_id: int) -> Membership:
    """A membership of the caller's shop; another shop's answers 404."""
    membership = Membership.objects.select_related("user").filter(pk=membership_id, shop=shop)
    found = membership.first()
    if found is None:
        raise Http404("No such person.")
    return found


def _require_people_manager(request: HttpRequest) -> None:
    """Badge numbers are half of a kiosk sign-in: only those who set them see the page (an
    owner or supervisor signed in with the password); anyone else gets 403."""
    try:
        require_supervisor(request.user, "Only an owner or a supervisor manages people and badges.")
    except ShopDeskError as refusal:
        raise PermissionDenied(refusal.message) from refusal


def _render_people(
    request: HttpRequest,
    *,
    error: ShopDeskError | None = None,
    error_id: int | None = None,
    values: dict[str, str] | None = None,
    settings_error: ShopDeskError | None = None,
    settings_values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    _require_people_manager(request)
    people = list(
        Membership.objects.filter(shop=request.shop)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return render(
        request,
        "core/people.html",
        {
            "people": people,
            "can_set": True,
            "error": error,
            "error_id": error_id,
            "error_field": error.field if error else None,
            "values": values or {},
            "settings_error": settings_error,
            "settings_values": settings_values
            or {
                "shift_end_time": (
                    f"{request.shop.shift_end_time:%H:%M}" if request.shop.shift_end_time else ""
                ),
                "kiosk_idle_minutes": str(request.shop.kiosk_idle_minutes),
            },
            "nav": "people",
        },
        status=status,
    )


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    return _render_people(request)


@sensitive_post_parameters("pin")
@login_required
@require_POST
def person_badge(request: HttpRequest, membership_id: int) -> HttpResponse:
    _require_people_manager(request)
    membership = get_membership_for(request.shop, membership_id)
    badge = str(request.POST.get("badge_number", ""))[:FIELD_MAX_LENGTH]
    pin = str(request.POST.get("pin", ""))[:FIELD_MAX_LENGTH]
    try:
        services.membership_set_badge(
            user=request.user, membership=membership, badge_number=badge, pin=pin
        )
    except ShopDeskError as error:
        return _render_people(
            request,
            error=error,
            error_id=membership.pk,
            values={"badge_number": badge},
            status=error.status,
        )
    name = membership.user.get_full_name() or membership.user.get_username()
    membership.refresh_from_db()
    if membership.badge_number:
        messages.success(request, f"{name} signs in at the kiosk with badge {badge.strip()}.")
    else:
        messages.success(request, f"{name} can no longer sign in at the kiosk.")
    return redirect("people")


TIME_PATTERN = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
MINUTES_PATTERN = re.compile(r"^[0-9]{1,3}$")


def _floor_settings_from(request: HttpRequest) -> tuple[datetime.time | None, int]:
    raw_time = str(request.POST.get("shift_end_time", "")).strip()[:FIELD_MAX_LENGTH]
    raw_minutes = str(request.POST.get("kiosk_idle_minutes", "")).strip()[:FIELD_MAX_LENGTH]
    shift_end = None
    if raw_time:
        match = TIME_PATTERN.match(raw_time)
        if match is None:
            raise InvalidInput(
                "Give the shift end as a time of day, like 16:30.", field="shift_end_time"
            )
        shift_end = datetime.time(int(match.group(1)), int(match.group(2)))
    if not MINUTES_PATTERN.match(raw_minutes):
        raise InvalidInput(
            "The kiosk signs out after 1 to 120 idle minutes.", field="kiosk_idle_minutes"
        )
    return shift_end, int(raw_minutes)


@login_required
@require_POST
def floor_settings(request: HttpRequest) -> HttpResponse:
    """The shop's shift end (open labor pauses then) and the kiosk's idle sign-out."""
    _require_people_manager(request)
    try:
        shift_end, minutes = _floor_settings_from(request)
        services.shop_set_floor_settings(
            user=request.user, shift_end_time=shift_end, kiosk_idle_minutes=minutes
        )
    except ShopDeskError as error:
        return _render_people(
            request,
            settings_error=error,
            settings_values={
                "shift_end_time": str(request.POST.get("shift_end_time", ""))[:FIELD_MAX_LENGTH],
                "kiosk_idle_minutes": str(request.POST.get("kiosk_idle_minutes", ""))[
                    :FIELD_MAX_LENGTH
                ],
            },
            status=error.status,
        )
    if shift_end:
        messages.success(
            request,
            f"Open labor pauses at {shift_end:%H:%M} each day; the kiosk signs out after "
            f"{minutes} idle minutes.",
        )
    else:
        messages.success(
            request, f"No shift end set; the kiosk signs out after {minutes} idle minutes."
        )
    return redirect("people")
