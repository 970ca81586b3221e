"""Every write to travelers: printing one (a new record, a new token) and revoking one."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import client_uuid, event_append
from shopdesk.jobs.models import Job
from shopdesk.lib.db import for_update
from shopdesk.travelers.models import Traveler


@transaction.atomic
def traveler_print(
    *, user: AbstractBaseUser, job: Job, client_id: uuid.UUID | str | None = None
) -> Traveler:
    """Record one printing of the job's traveler with a fresh token.

    Every print is its own record: the paper in the shop can be traced to who printed it
    and when, and one copy can be revoked without touching the others. With `client_id` (a
    UUID the print button's form or the API caller made) a double submit or a retry answers
    the traveler that id printed, with `replayed` set; the same id for another job is refused.
    """
    membership = require_planner(user)
    shop = membership.shop
    client_id = client_uuid(client_id)
    if job.shop_id != shop.id:
        raise InvalidInput("No such job in this shop.", field="job")
    # The lock orders prints against routing edits and closing in other transactions, and a
    # twin print request behind this one, which then finds the traveler printed here.
    job = for_update(Job.objects).get(pk=job.pk)
    if client_id is not None:
        earlier = Traveler.objects.filter(shop=shop, client_id=client_id).first()
        if earlier is not None:
            if earlier.job_id != job.pk:
                raise ActionRefused(
                    "This client id already printed a traveler for another job; "
                    "make a new id for this print.",
                    field="client_id",
                )
            earlier.replayed = True
            return earlier
    if not job.is_open:
        raise ActionRefused(
            f"{job} is {job.get_stage_display().lower()}; travelers are printed for work "
            "still to do."
        )
    if not job.operations.exists():
        raise ActionRefused(f"{job} has no routing yet; add its operations, then print.")
    traveler = Traveler.objects.create(
        shop=shop,
        job=job,
        revision=job.revision,
        # The revision the paper is printed for, so a scan after it is superseded says so.
        part_revision_id=job.part_revision_id,
        paper_size=shop.paper_size,
        printed_by=user,
        client_id=client_id,
    )
    traveler.replayed = False
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.TRAVELER_PRINTED,
        subject=traveler,
        job=job,
        summary=(
            f"Traveler printed (rev {traveler.revision}, "
            f"{traveler.get_paper_size_display().split(' (')[0]})"
        ),
        after={"traveler": traveler.pk, "revision": traveler.revision},
    )
    return traveler


@transaction.atomic
def traveler_revoke(*, user: AbstractBaseUser, traveler: Traveler) -> Traveler:
    """Stop one printed traveler's QR code from opening the job. The job is unchanged."""
    membership = require_planner(user)
    if traveler.shop_id != membership.shop_id:
        raise InvalidInput("No such traveler in this shop.", field="traveler")
    traveler = for_update(Traveler.objects).select_related("job").get(pk=traveler.pk)
    if traveler.revoked_at is not None:
        raise ActionRefused("This traveler is already revoked.")
    traveler.revoked_at = timezone.now()
    traveler.revoked_by = user
    traveler.save(update_fields=["revoked_at", "revoked_by"])
    event_append(
        shop=membership.shop,
        actor=user,
        kind=EventKind.TRAVELER_REVOKED,
        subject=traveler,
        job=traveler.job,
        summary=(
            f"Traveler printed {timezone.localtime(traveler.printed_at):%Y-%m-%d %H:%M} revoked"
        ),
        before={"revoked": False},
        after={"revoked": True},
    )
    return traveler
