from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import membership_of
from shopdesk.core.services import event_append
from shopdesk.jobs.derive import job_refresh_derived
from shopdesk.jobs.models import Blocker, BlockerKind, Job, Operation
from shopdesk.jobs.services.floor import CLIENT_ID_PATTERN
from shopdesk.lib.db import for_update


def blocker_raise(
    *,
    user: AbstractBaseUser,
    job: Job,
    kind: str,
    note: str,
    owner: AbstractBaseUser | None = None,
    operation: Operation | None = None,
    client_id: str | None = None,
) -> tuple[Blocker, bool]:
    """Raise a blocker on a job (or one of its operations). Answers (blocker, replayed)."""
    shop = membership_of(user).shop
    if kind not in BlockerKind.values:
        raise InvalidInput("Choose what kind of blocker this is.", field="kind")
    note = (note or "").strip()
    if "\x00" in note:
        raise InvalidInput("The note contains a NUL character.", field="note")
    if not note:
        raise InvalidInput("Say what is blocking the job.", field="note")
    if len(note) > 2000:
        raise InvalidInput("At most 2000 characters.", field="note")
    if job.shop_id != shop.id:
        raise InvalidInput("No such job in this shop.", field="job")
    if operation is not None and operation.job_id != job.pk:
        raise InvalidInput("That operation is not on this job.", field="operation")
    if owner is not None:
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
            return existing, True
    try:
        return _raise(user, shop, job, kind, note, owner, operation, client_id), False
    except IntegrityError:
        return Blocker.objects.get(shop=shop, client_id=client_id), True


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
    note = (note or "").strip()
    if "\x00" in note:
        raise InvalidInput("The note contains a NUL character.", field="note")
    if not note:
        raise InvalidInput("Say how the blocker was resolved.", field="note")
    if len(note) > 2000:
        raise InvalidInput("At most 2000 characters.", field="note")
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
