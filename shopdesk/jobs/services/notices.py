"""Notices of change: what open jobs are told when their part's revision is superseded."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append, reason_clean
from shopdesk.jobs.models import BlockerKind, Job, NoticeStatus, RevisionNotice
from shopdesk.jobs.services.blockers import blocker_raise
from shopdesk.lib.db import for_update
from shopdesk.parts.models import PartRevision, RevisionStatus
from shopdesk.parts.services.revisions import RevisionReleased

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def notices_on_revision_released(released: RevisionReleased) -> None:
    """Subscribed to parts' revision_released topic (JobsConfig.ready)."""
    notices_raise_for_release(user=released.user, revision=released.revision)


def notices_raise_for_release(
    *, user: AbstractBaseUser, revision: PartRevision
) -> list[RevisionNotice]:
    """Give every open job of the part still on an older revision than `revision` (just
    released) a notice of change, with an event on each job. Called by parts.services inside
    the release, after the revision released before was superseded. A job moved ahead to a
    draft revision is not behind, and gets none."""
    jobs = (
        Job.objects.filter(
            shop_id=revision.shop_id,
            part_id=revision.part_id,
            is_open=True,
            part_revision__status=RevisionStatus.SUPERSEDED,
        )
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
            kind=EventKind.JOB_REVISION_NOTICE,
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


def _decide(notice: RevisionNotice, *, user: AbstractBaseUser) -> tuple[Shop, Job, RevisionNotice]:
    """Lock the notice's job, then the notice (the order every job write takes), and refuse a
    notice already decided. Call inside the transaction."""
    shop = require_planner(user).shop
    if notice.shop_id != shop.id:
        raise InvalidInput("No such notice in this shop.", field="notice")
    job = for_update(Job.objects).select_related("part", "part_revision").get(pk=notice.job_id)
    notice = (
        for_update(RevisionNotice.objects)
        .select_related("from_revision", "to_revision")
        .get(pk=notice.pk)
    )
    if notice.status != NoticeStatus.OPEN:
        raise ActionRefused(
            f"This notice was already decided: {notice.get_status_display().lower()}."
        )
    return shop, job, notice


@transaction.atomic
def notice_confirm(*, user: AbstractBaseUser, notice: RevisionNotice) -> RevisionNotice:
    """Accept a notice of change: raise the "drawing revision changed" blocker it suggests
    on the job and link it to the notice."""
    shop, job, notice = _decide(notice, user=user)
    change = f"{notice.from_revision.code} → {notice.to_revision.code}"
    blocker, _ = blocker_raise(
        user=user,
        job=job,
        kind=BlockerKind.DRAWING,
        note=f"Drawing revision changed: {change}",
    )
    notice.status = NoticeStatus.CONFIRMED
    notice.blocker = blocker
    notice.decided_by = user
    notice.decided_at = timezone.now()
    notice.save(update_fields=["status", "blocker", "decided_by", "decided_at"])
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.JOB_REVISION_NOTICE_CONFIRMED,
        subject=notice,
        job=job,
        summary=f"Notice of change confirmed on {job} (revision {change}); blocker raised",
        before={"status": NoticeStatus.OPEN},
        after={"status": notice.status, "blocker": blocker.pk},
    )
    return notice


@transaction.atomic
def notice_dismiss(*, user: AbstractBaseUser, notice: RevisionNotice, note: str) -> RevisionNotice:
    """Decide that a notice of change does not hold the job, saying why."""
    note = reason_clean(
        note,
        field="note",
        missing="Say why the change does not affect this job.",
        max_length=NOTE_MAX_LENGTH,
    )
    shop, job, notice = _decide(notice, user=user)
    notice.status = NoticeStatus.DISMISSED
    notice.decided_by = user
    notice.decided_at = timezone.now()
    notice.decision_note = note
    notice.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    change = f"{notice.from_revision.code} → {notice.to_revision.code}"
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.JOB_REVISION_NOTICE_DISMISSED,
        subject=notice,
        job=job,
        summary=f"Notice of change dismissed on {job} (revision {change}): {note}",
        before={"status": NoticeStatus.OPEN},
        after={"status": notice.status, "note": note},
    )
    return notice
