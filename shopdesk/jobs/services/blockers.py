from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Membership, Shop
from shopdesk.core.permissions import membership_of
from shopdesk.core.services import event_append, reason_clean
from shopdesk.jobs.derive import job_refresh_derived
from shopdesk.jobs.models import Blocker, BlockerKind, Job, Operation
from shopdesk.lib.client_ids import CLIENT_ID_PATTERN
from shopdesk.lib.db import for_update

# What a blocker's note (and the note resolving it) may hold.
NOTE_MAX_LENGTH = 2000
OWNER_ID_PATTERN = re.compile(r"^\d{1,12}$")


def blocker_owner_for(shop: Shop, owner_id: int | str | None) -> AbstractBaseUser | None:
    """The person of `shop` a blocker is given to, by user id as a form or an API body sends it.
    None or blank is no owner; anything else that is not a person of this shop is refused."""
    if owner_id is None or (isinstance(owner_id, str) and not owner_id.strip()):
        return None
    raw = str(owner_id).strip()
    membership = None
    if OWNER_ID_PATTERN.match(raw):
        membership = (
            Membership.objects.select_related("user").filter(shop=shop, user_id=int(raw)).first()
        )
    if membership is None:
        raise InvalidInput("The owner must be a person in this shop.", field="owner")
    return membership.user


def blocker_raise(
    *,
    user: AbstractBaseUser,
    job: Job,
    kind: str,
    note: str,
    owner: AbstractBaseUser | None = None,
    owner_id: int | str | None = None,
    operation: Operation | None = None,
    client_id: str | None = None,
) -> tuple[Blocker, bool]:
    """Raise a blocker on a job (or one of its operations). Answers (blocker, replayed).

    The owner is given as a person (`owner`) or as the user id a form or API body carries
    (`owner_id`, looked up in the caller's shop). With a `client_id`, a retry answers the blocker
    first raised; the same client id on another job of the shop is refused (409), whoever asks.
    """
    shop = membership_of(user).shop
    if kind not in BlockerKind.values:
        raise InvalidInput("Choose what kind of blocker this is.", field="kind")
    note = reason_clean(
        note, field="note", missing="Say what is blocking the job.", max_length=NOTE_MAX_LENGTH
    )
    if job.shop_id != shop.id:
        raise InvalidInput("No such job in this shop.", field="job")
    if operation is not None and operation.job_id != job.pk:
        raise InvalidInput("That operation is not on this job.", field="operation")
    if owner is None:
        owner = blocker_owner_for(shop, owner_id)
    else:
        owner_membership = getattr(owner, "membership", None)
        if owner_membership is None or owner_membership.shop_id != shop.id:
            raise InvalidInput("The owner must be a person in this shop.", field="owner")
    if client_id is not None and not CLIENT_ID_PATTERN.match(client_id):
        raise InvalidInput(
            "client_id must be 8 to 64 letters, digits or - _ . :", field="client_id"
        )
    if client_id:
        existing = Blocker.objects.filter(shop=shop, client_id=client_id).first()
        if existing is not None:
            return _replayed(existing, job), True
    try:
        return _raise(user, shop, job, kind, note, owner, operation, client_id), False
    except IntegrityError:
        return _replayed(Blocker.objects.get(shop=shop, client_id=client_id), job), True


def _replayed(blocker: Blocker, job: Job) -> Blocker:
    """The blocker a client id already raised, when the retry is for the same job."""
    if blocker.job_id != job.pk:
        raise ActionRefused(
            "This client id was already used on another job; reload the page or make a new id.",
            field="client_id",
        )
    return blocker


@transaction.atomic
def _raise(user, shop, job, kind, note, owner, operation, client_id) -> Blocker:  # noqa: ANN001
    job = for_update(Job.objects).get(pk=job.pk)
    if not job.is_open:
        raise ActionRefused(f"{job} is {job.get_stage_display().lower()}; nothing blocks it now.")
    blocker = Blocker.objects.create(
        shop=shop,
        job=job,
        operation=operation,
        kind=kind,
        note=note,
        owner=owner,
        raised_by=user,
        client_id=client_id or None,
    )
    job.updated_at = timezone.now()
    job_refresh_derived(job)
    where = f" at op {operation.sequence} {operation.name}" if operation else ""
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.BLOCKER_RAISED,
        subject=blocker,
        job=job,
        summary=f"Blocker raised{where}: {blocker.get_kind_display()} — {note}",
        after={"kind": kind, "owner": owner.pk if owner else None, "note": note},
    )
    return blocker


@transaction.atomic
def blocker_resolve(*, user: AbstractBaseUser, blocker: Blocker, note: str) -> Blocker:
    shop = membership_of(user).shop
    note = reason_clean(
        note, field="note", missing="Say how the blocker was resolved.", max_length=NOTE_MAX_LENGTH
    )
    job = for_update(Job.objects).get(pk=blocker.job_id, shop=shop)
    blocker = Blocker.objects.get(pk=blocker.pk)
    if blocker.resolved_at is not None:
        raise ActionRefused("This blocker is already resolved.")
    blocker.resolved_at = timezone.now()
    blocker.resolved_by = user
    blocker.resolution_note = note
    blocker.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    job.updated_at = blocker.resolved_at
    job_refresh_derived(job)
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.BLOCKER_RESOLVED,
        subject=blocker,
        job=job,
        summary=f"Blocker resolved: {blocker.get_kind_display()} — {note}",
        before={"open": True},
        after={"open": False, "note": note},
    )
    return blocker
