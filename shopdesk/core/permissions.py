from __future__ import annotations

from typing import Any

from shopdesk.core.errors import PermissionRefused
from shopdesk.core.models import Membership, Shop


def membership_of(user: Any) -> Membership:
    membership = getattr(user, "membership", None)
    if membership is None:
        raise PermissionRefused("This account does not belong to a shop.")
    return membership


def shop_of(user: Any) -> Shop:
    return membership_of(user).shop


def require_planner(user: Any) -> Membership:
    membership = membership_of(user)
    if not membership.can_plan:
        raise PermissionRefused(
            "Only an owner, office or supervisor account can plan and release jobs."
        )
    return membership
