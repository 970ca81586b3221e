"""Who may do what: the one place pages, the API and services ask.

A role grants powers (Membership.can_plan, can_supervise), and so does the way the person
signed in: a kiosk sign-in (badge and PIN) is a floor session, which keeps only what an
operator may do. Office powers (planning, releasing, overrides, badges and PINs, floor
settings, API tokens, enrolling tablets) need a session opened with the password.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shopdesk.core.errors import PermissionRefused
from shopdesk.core.models import PLANNING_ROLES, SUPERVISING_ROLES, Membership, Shop

# The session key a kiosk sign-in sets (the shop and the idle limit): its presence makes the
# session a floor session.
FLOOR_SESSION_KEY = "shopdesk_kiosk"
FLOOR_SESSION_REFUSAL = (
    "You signed in with a badge and PIN, which opens floor work only. "
    "Sign in with your password for this."
)


def is_floor_session(request: HttpRequest) -> bool:
    """True when the request's session was opened at a kiosk with badge and PIN."""
    session = getattr(request, "session", None)
    return session is not None and FLOOR_SESSION_KEY in session


def membership_of(user: Any) -> Membership:
    membership = getattr(user, "membership", None)
    if membership is None:
        raise PermissionRefused("This account does not belong to a shop.")
    return membership


def shop_of(user: Any) -> Shop:
    return membership_of(user).shop


def require_office_session(user: Any) -> Membership:
    """The caller's membership, refused when they signed in with badge and PIN."""
    membership = membership_of(user)
    if membership.floor_session:
        raise PermissionRefused(FLOOR_SESSION_REFUSAL)
    return membership


def require_planner(user: Any) -> Membership:
    membership = membership_of(user)
    if not membership.can_plan:
        if membership.role in PLANNING_ROLES:
            raise PermissionRefused(FLOOR_SESSION_REFUSAL)
        raise PermissionRefused(
            "Only an owner, office or supervisor account can plan and release jobs."
        )
    return membership


def require_supervisor(user: Any, refusal: str) -> Membership:
    """An owner or supervisor signed in with their password; else `refusal` (403)."""
    membership = membership_of(user)
    if not membership.can_supervise:
        if membership.role in SUPERVISING_ROLES:
            raise PermissionRefused(FLOOR_SESSION_REFUSAL)
        raise PermissionRefused(refusal)
    return membership
