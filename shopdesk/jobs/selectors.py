"""Every read of jobs, operations, blockers and work centers, scoped to one shop.

Getters answer 404 for another shop's ids. List selectors own their joins so a page costs a
fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shopdesk.core.models import Event, Shop
from shopdesk.jobs.models import (
    Blocker,
    Job,
    NoticeStatus,
    Operation,
    RevisionNotice,
    WorkCenter,
    due_date_order,
    late_q,
)
from shopdesk.parts.models import PartRevision, RevisionStatus
from shopdesk.parts.selectors import job_released_files

JOB_NUMBER = re.compile(r"^\s*(?:J-?)?(\d{1,9})\s*$", re.IGNORECASE)


def parse_job_number(value: str | int) -> int | None:
    match = JOB_NUMBER.match(str(value))
    return int(match.group(1)) if match else None


def get_job_for(shop: Shop, number: str | int) -> Job:
    """The shop's job by its number ("J-1042" or "1042"); 404 for anything else."""
    parsed = parse_job_number(number)
    if parsed is None:
        raise Http404("No such job.")
    try:
        return Job.objects.select_related(
            "shop", "customer", "part", "part_revision", "owner", "current_work_center"
        ).get(shop=shop, number=parsed)
    except Job.DoesNotExist as exc:
        raise Http404("No such job.") from exc


def _get(queryset: QuerySet, **lookup: object) -> object:
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from exc


def get_operation_for(shop: Shop, operation_id: int | str) -> Operation:
    return _get(
        Operation.objects.select_related("job", "job__shop", "work_center"),
        pk=operation_id,
        job__shop=shop,
    )


def get_operation_on_job(shop: Shop, number: str | int, operation_id: int | str) -> Operation:
    """An operation of the shop's job `number`, with its job, in one query; 404 otherwise."""
    parsed = parse_job_number(number)
    if parsed is None:
        raise Http404("No such job.")
    return _get(
        Operation.objects.select_related("job"),
        pk=operation_id,
        job__shop=shop,
        job__number=parsed,
    )


def get_blocker_for(shop: Shop, blocker_id: int | str) -> Blocker:
    return _get(Blocker.objects.select_related("job", "owner"), pk=blocker_id, shop=shop)


def get_work_center_for(shop: Shop, work_center_id: int | str) -> WorkCenter:
    return _get(WorkCenter.objects.all(), pk=work_center_id, shop=shop)


def get_notice_for(shop: Shop, notice_id: int | str) -> RevisionNotice:
    """A notice of change of the shop's, with its job and revisions; 404 otherwise."""
    return _get(
        RevisionNotice.objects.select_related(
            "job", "job__part", "from_revision", "to_revision", "decided_by"
        ),
        pk=notice_id,
        shop=shop,
    )


def get_part_revision_for(shop: Shop, revision_id: int | str) -> PartRevision:
    """A part revision of the shop's; 404 for another shop's id."""
    return _get(PartRevision.objects.select_related("part"), pk=revision_id, shop=shop)


def job_notices(job: Job, *, limit: int = 10) -> list[RevisionNotice]:
    """The job's notices of change, open ones first, then the newest decided ones."""
    notices = list(
        RevisionNotice.objects.filter(job=job)
        .select_related("from_revision", "to_revision", "to_revision__released_by", "decided_by")
        .order_by("-created_at", "-id")[:limit]
    )
    return sorted(notices, key=lambda notice: notice.status != NoticeStatus.OPEN)


def move_targets(job: Job, revisions: list[PartRevision]) -> list[PartRevision]:
    """The revisions an open job may move to, from revisions_in_play: its part's released and
    draft revisions other than its own, released first."""
    return sorted(
        (r for r in revisions if r.pk != job.part_revision_id),
        key=lambda r: (r.status != RevisionStatus.RELEASED, r.code),
    )


@dataclass(frozen=True)
class JobFilters:
    stage: str = ""
    customer_id: int | None = None
    work_center_id: int | None = None
    late: bool = False
    blocked: bool = False
    q: str = ""


def job_list(
    shop: Shop, filters: JobFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Job]:
    """Jobs of the shop, filtered, soonest due first. Slice it to page it."""
    filters = filters or JobFilters()
    today = today or timezone.localdate()
    jobs = Job.objects.filter(shop=shop).select_related(
        "customer", "part", "part_revision", "owner", "current_work_center"
    )
    if filters.stage == "open":
        jobs = jobs.filter(is_open=True)
    elif filters.stage:
        jobs = jobs.filter(stage=filters.stage)
    if filters.customer_id:
        jobs = jobs.filter(customer_id=filters.customer_id)
    if filters.work_center_id:
        jobs = jobs.filter(current_work_center_id=filters.work_center_id)
    if filters.late:
        jobs = jobs.filter(late_q(today))
    if filters.blocked:
        jobs = jobs.filter(open_blocker_count__gt=0)
    q = filters.q.strip()
    if q:
        number = parse_job_number(q)
        match = Q(customer_po__iexact=q) | Q(part__number__istartswith=q)
        if number is not None:
            match |= Q(number=number)
        jobs = jobs.filter(match)
    return jobs.order_by(*due_date_order())


def job_detail(shop: Shop, number: str | int, *, event_limit: int = 100) -> Job:
    """One job with everything the live job page shows, in a fixed number of queries.

    Adds `routing` (operations), `open_blockers`, `resolved_blockers`, `timeline` (newest
    first), `traveler_prints` (newest first), `revisions_in_play` (released and drafts),
    `released_revision` with its current `released_documents` (newest first) and `notices`
    (open first) to the job.
    """
    job = get_job_for(shop, number)
    job.routing = list(
        job.operations.select_related("work_center", "started_by", "finished_by").order_by(
            "sequence", "id"
        )
    )
    blockers = list(
        job.blockers.select_related("owner", "raised_by", "resolved_by", "operation").order_by(
            "-raised_at"
        )
    )
    job.open_blockers = [b for b in blockers if b.resolved_at is None]
    job.resolved_blockers = [b for b in blockers if b.resolved_at is not None]
    job.timeline = list(
        Event.objects.filter(job=job)
        .select_related("actor")
        .order_by("-created_at", "-id")[:event_limit]
    )
    job.traveler_prints = list(
        job.travelers.select_related("printed_by", "part_revision").order_by("-printed_at", "-id")
    )
    files = job_released_files(shop, job)
    job.revisions_in_play = files.revisions_in_play
    job.released_revision, job.released_documents = files.revision, files.documents
    job.notices = job_notices(job)
    return job


def work_centers_for(shop: Shop, *, active_only: bool = True) -> QuerySet[WorkCenter]:
    centers = WorkCenter.objects.filter(shop=shop)
    return centers.filter(active=True) if active_only else centers


def prefetch_routing() -> Prefetch:
    return Prefetch(
        "operations", queryset=Operation.objects.select_related("work_center").order_by("sequence")
    )


def work_center_list(shop: Shop) -> QuerySet[WorkCenter]:
    """Every work center of the shop with `open_operation_count`: operations not done on
    jobs that are planned or released, in one query."""
    from django.db.models import Count

    from shopdesk.jobs.models import JobState, OperationStatus

    return (
        WorkCenter.objects.filter(shop=shop)
        .annotate(
            open_operation_count=Count(
                "operations",
                filter=Q(operations__job__state__in=[JobState.PLANNED, JobState.RELEASED])
                & ~Q(operations__status=OperationStatus.DONE),
            )
        )
        .order_by("-active", "name", "pk")
    )


def blocker_list(
    shop: Shop, *, job_number: int | None = None, open: bool | None = None
) -> QuerySet:
    """Blockers of the shop, newest first: the API's list and its exports read the same rows.
    `open` True: open only; False: resolved only."""
    blockers = Blocker.objects.filter(shop=shop).select_related(
        "job", "operation", "owner", "raised_by", "resolved_by"
    )
    if job_number is not None:
        blockers = blockers.filter(job__number=job_number)
    if open is not None:
        blockers = blockers.filter(resolved_at__isnull=open)
    return blockers.order_by("-raised_at", "-id")
