"""The supervisor's hand on a work center's dispatch list: move an operation, reset the order."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.dispatch.selectors import dispatch_list
from shopdesk.jobs.models import Operation, WorkCenter
from shopdesk.lib.db import for_update

DIRECTIONS = ("up", "down", "top")
# "to" places the operation at a 1-based `position`: what a drag and drop asks for.
MOVES = (*DIRECTIONS, "to")
MAX_POSITION = 10_000


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _lock_work_center(user: AbstractBaseUser, work_center: WorkCenter) -> WorkCenter:
    shop = require_planner(user).shop
    if work_center.shop_id != shop.id:
        raise InvalidInput("Choose a work center of this shop.", field="work_center")
    # One reorder at a time per work center: the ranks are read, then rewritten.
    return for_update(WorkCenter.objects).select_related("shop").get(pk=work_center.pk)


@transaction.atomic
def dispatch_move(
    *,
    user: AbstractBaseUser,
    work_center: WorkCenter,
    operation: Operation,
    direction: str,
    position: int | None = None,
) -> Operation:
    """Move a ready operation up, down or to the top of its work center's dispatch list.

    Ranks are written for the head of the list down to the moved operation's new place (and
    every one ranked before); the rest stays ordered by the rules, so new work sorts itself.
    Moving the first one up (or the last one down) changes nothing and records nothing.
    """
    work_center = _lock_work_center(user, work_center)
    shop = work_center.shop
    if direction not in MOVES:
        raise InvalidInput("Direction must be up, down or top.", field="direction")
    if direction == "to" and (
        isinstance(position, bool)
        or not isinstance(position, int)
        or not 1 <= position <= MAX_POSITION
    ):
        raise InvalidInput("Position must be a whole number from 1.", field="position")
    if operation.work_center_id != work_center.pk:
        raise InvalidInput(f"That operation does not run at {work_center.name}.", field="operation")
    listing = dispatch_list(shop, work_center, for_update=True)
    rows = listing.ready
    index = next((i for i, row in enumerate(rows) if row.operation.pk == operation.pk), None)
    if index is None:
        waiting = next((row for row in listing.upcoming if row.operation.pk == operation.pk), None)
        if waiting is not None:
            raise ActionRefused(
                f"{waiting.job} op {waiting.operation.sequence} is not ready yet "
                f"({waiting.waiting_for}); only ready work can be reordered.",
                field="operation",
            )
        raise ActionRefused(
            "That operation is not on this dispatch list (done, or its job is not released).",
            field="operation",
        )
    moved = rows[index]
    target = {
        "up": max(index - 1, 0),
        "down": min(index + 1, len(rows) - 1),
        "top": 0,
        "to": min((position or 1) - 1, len(rows) - 1),
    }[direction]
    if target == index:
        return moved.operation
    reordered = rows[:index] + rows[index + 1 :]
    reordered.insert(target, moved)
    last_ranked = max(
        (i for i, row in enumerate(reordered) if row.operation.dispatch_rank is not None),
        default=-1,
    )
    # Pin the list down to the moved operation's new place (and every one ranked before);
    # what follows stays unranked, below the pinned head, in the rules' order.
    prefix = max(last_ranked, target) + 1
    changed: list[Operation] = []
    for rank, row in enumerate(reordered[:prefix], start=1):
        if row.operation.dispatch_rank != rank:
            row.operation.dispatch_rank = rank
            changed.append(row.operation)
    Operation.objects.bulk_update(changed, ["dispatch_rank"])

    job = moved.job
    where = {
        "top": "to the top",
        "up": f"up to {_ordinal(target + 1)}",
        "down": f"down to {_ordinal(target + 1)}",
        "to": f"{'up' if target < index else 'down'} to {_ordinal(target + 1)}",
    }[direction]
    if direction == "to" and target == 0:
        where = "to the top"
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.DISPATCH_MOVED,
        subject=moved.operation,
        job=job,
        summary=f"Dispatch: {job} op {moved.operation.sequence} moved {where} at {work_center}",
        before={"position": index + 1, "work_center": work_center.pk},
        after={"position": target + 1, "work_center": work_center.pk},
    )
    return moved.operation


@transaction.atomic
def dispatch_reset(*, user: AbstractBaseUser, work_center: WorkCenter) -> int:
    """Clear the manual order of a work center: its list follows the rules again.

    Answers how many operations lost their rank (0 changes nothing and records nothing).
    """
    work_center = _lock_work_center(user, work_center)
    cleared = Operation.objects.filter(work_center=work_center, dispatch_rank__isnull=False).update(
        dispatch_rank=None
    )
    if cleared:
        event_append(
            shop=work_center.shop,
            actor=user,
            kind=EventKind.DISPATCH_RESET,
            subject=work_center,
            summary=f"Dispatch order at {work_center} reset to priority, critical ratio and due "
            f"date ({cleared} operation{'s' if cleared != 1 else ''} unranked)",
            before={"ranked": cleared},
        )
    return cleared
