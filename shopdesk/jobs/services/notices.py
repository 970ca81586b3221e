"""Notices of change: what open jobs are told when their part's revision is superseded."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from shopdesk.core.services import event_append
from shopdesk.jobs.models import Job, NoticeStatus, RevisionNotice
from shopdesk.parts.models import PartRevision


@transaction.atomic
def notices_raise_for_release(
    *, user: AbstractBaseUser, revision: PartRevision
) -> list[RevisionNotice]:
    """Give every open job of the part that is not on `revision` (just released) a notice of
    change, with an event on each job. Called by parts.services inside the release."""
    jobs = (
        Job.objects.filter(shop_id=revision.shop_id, part_id=revision.part_id, is_open=True)
        .exclude(part_revision=revision)
        .select_related("part_revision")
        .order_by("number")
    )
    notices = []
    for job in jobs:
        if job.part_revision is None:
            continue
        # One open notice per job: a newer release replaces the target of an open one.
        notice = RevisionNotice.objects.filter(job=job, status=NoticeStatus.OPEN).first()
        if notice is not None:
            notice.to_revision = revision
            notice.save(update_fields=["to_revision"])
        else:
            notice = RevisionNotice.objects.create(
                shop_id=job.shop_id,
                job=job,
                from_revision=job.part_revision,
                to_revision=revision,
            )
        event_append(
            shop=revision.part.shop,
            actor=user,
            kind="job.revision_notice",
            subject=notice,
            job=job,
            summary=(
                f"Revision {revision.code} of {revision.part.number} released; "
                f"{job} is on revision {job.part_revision.code}"
            ),
            after={"from": job.part_revision.code, "to": revision.code},
        )
        notices.append(notice)
    return notices
