"""Batch release and printing: many selected jobs released through the gate, a traveler
printed for each, and one combined PDF made in the background (travelers.tasks).

The report a batch keeps says what happened to every job asked for, in the order asked:
released now, already on the floor (printed only), refused with the gate's reasons, or not
found. Job numbers that are not the caller's shop's are "not found", exactly like numbers
that exist nowhere, so a batch never tells whether another shop has a job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.jobs.models import Job, JobState
from shopdesk.jobs.selectors import parse_job_number
from shopdesk.jobs.services import job_release
from shopdesk.lib.db import for_update
from shopdesk.travelers.models import BatchStatus, TravelerBatch
from shopdesk.travelers.services import traveler_print
from shopdesk.travelers.tasks import traveler_batch_render

# What restores a batch's PDF that is missing on the server.
REPRINT = "print the same jobs' travelers in a new batch"

MAX_JOBS_PER_BATCH = 200
# How many entries of a request are looked at at all: enough for a page of selections with
# duplicates, few enough that a hostile list costs nothing.
MAX_ENTRIES = 1000
# A job number as typed is at most this long in a report (J- and nine digits fit easily).
ENTRY_SHOWN_LENGTH = 20
MAX_ID = 2**63 - 1
RECENT_BATCHES = 20


def _entries(jobs: Sequence[Any]) -> list[tuple[str, int | None]]:
    """The distinct selections in the order given: (as shown, parsed number or None).

    "J-1001", "j1001" and "1001" are one job; garbage entries are kept once each so the
    report can say they were not found."""
    if len(jobs) > MAX_ENTRIES:
        raise InvalidInput(
            f"At most {MAX_JOBS_PER_BATCH} jobs per batch; {len(jobs)} were sent.",
            field="job_numbers",
        )
    seen: set[Any] = set()
    entries: list[tuple[str, int | None]] = []
    for raw in jobs:
        text = str(raw if raw is not None else "").replace("\x00", "").strip()
        number = parse_job_number(text) if text else None
        key: Any = number if number is not None else text.lower()
        if key == "" or key in seen:
            continue
        seen.add(key)
        shown = f"J-{number}" if number is not None else text[:ENTRY_SHOWN_LENGTH]
        entries.append((shown, number))
    if not entries:
        raise InvalidInput("Select at least one job to release and print.", field="job_numbers")
    if len(entries) > MAX_JOBS_PER_BATCH:
        raise InvalidInput(
            f"At most {MAX_JOBS_PER_BATCH} jobs per batch; {len(entries)} were selected. "
            "Print them in smaller batches.",
            field="job_numbers",
        )
    return entries


def _base_url(site_url: str) -> str:
    base_url = (settings.SITE_URL or site_url).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise InvalidInput(
            "Travelers need the site's address for their QR codes; set SITE_URL.",
            field="site_url",
        )
    return base_url


def _reasons(error: ActionRefused) -> list[str]:
    return [item["message"] for item in error.errors if item.get("message")] or [error.message]


def empty_report() -> dict[str, Any]:
    return {"released": [], "printed": [], "refused": [], "not_found": [], "traveler_ids": []}


@transaction.atomic
def traveler_batch_start(
    *,
    user: AbstractBaseUser,
    jobs: Sequence[str],
    release: bool = True,
    site_url: str = "",
) -> TravelerBatch:
    """Release (when `release`) every selected planned job that passes the gate, print a
    traveler for every selected job that is then on the floor, and queue the combined PDF.

    `jobs` are job numbers as people type them ("J-1042" or "1042"); duplicates count once.
    Jobs already released are printed, not released again; shipped and closed jobs are
    refused with the reason. With `release` false, planned jobs are printed as they are.
    `site_url` is the address the travelers' QR codes open when settings.SITE_URL is unset
    (the view passes the request's own). The PDF task is queued when the transaction commits.
    """
    membership = require_planner(user)
    shop = membership.shop
    entries = _entries(jobs)
    base_url = _base_url(site_url)
    numbers = [number for _, number in entries if number is not None]
    found = {
        job.number: job
        for job in Job.objects.filter(shop=shop, number__in=numbers).select_related("shop")
    }
    report = empty_report()
    batch = TravelerBatch.objects.create(shop=shop, created_by=user, report=report)
    printed_jobs: list[Job] = []
    for shown, number in entries:
        job = found.get(number) if number is not None else None
        if job is None:
            report["not_found"].append(shown)
            continue
        released_now = job.state == JobState.PLANNED and release
        try:
            # One savepoint per job: a job whose print is refused is not left released.
            with transaction.atomic():
                if released_now:
                    job = job_release(user=user, job=job)
                traveler = traveler_print(user=user, job=job)
        except ActionRefused as error:
            report["refused"].append({"job": shown, "reasons": _reasons(error)})
            continue
        if released_now:
            report["released"].append(shown)
        report["printed"].append(shown)
        report["traveler_ids"].append(traveler.pk)
        printed_jobs.append(job)
    batch.job_ids = [job.pk for job in printed_jobs]
    batch.total = len(printed_jobs)
    batch.report = report
    if not printed_jobs:
        # Nothing to print: the batch is finished, and its report says why.
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
    batch.save()
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.TRAVELER_BATCH_STARTED,
        subject=batch,
        summary=(
            f"Batch of {len(entries)} job{'s' if len(entries) != 1 else ''}: "
            f"{len(report['released'])} released, {batch.total} to print, "
            f"{len(report['refused'])} refused, {len(report['not_found'])} not found"
        ),
        after={
            "released": report["released"],
            "printed": report["printed"],
            "refused": [item["job"] for item in report["refused"]],
            "not_found": report["not_found"],
        },
    )
    if printed_jobs:
        _enqueue_on_commit(batch, base_url)
    return batch


def _enqueue_on_commit(batch: TravelerBatch, base_url: str) -> None:
    batch_id, attempt = batch.pk, batch.attempt
    transaction.on_commit(
        lambda: traveler_batch_render.enqueue(batch_id=batch_id, site_url=base_url, attempt=attempt)
    )


@transaction.atomic
def traveler_batch_retry(
    *, user: AbstractBaseUser, batch: TravelerBatch, site_url: str = ""
) -> TravelerBatch:
    """Queue a failed or stalled batch again as its next attempt (TravelerBatch.retryable).

    The travelers the batch printed are laid out again; no job is released and no traveler
    is printed again. A task still running for an earlier attempt stops changing the batch.
    Another shop's batch is not found; a batch still printing or already done is refused.
    """
    membership = require_planner(user)
    base_url = _base_url(site_url)
    try:
        batch = for_update(TravelerBatch.objects).get(pk=batch.pk, shop=membership.shop)
    except TravelerBatch.DoesNotExist as exc:
        raise Http404("No such batch.") from exc
    if not batch.retryable:
        if batch.status == BatchStatus.DONE:
            raise ActionRefused(
                "This batch is already done; open its PDF."
                if batch.pdf
                else "This batch is already done: it had nothing to print."
            )
        raise ActionRefused(
            "This batch is still printing; it can be tried again if it stops making progress."
        )
    before = {
        "status": batch.status,
        "done": batch.done,
        "attempt": batch.attempt,
        "error": batch.error,
    }
    batch.status = BatchStatus.QUEUED
    batch.done = 0
    batch.error = ""
    batch.attempt += 1
    batch.progress_at = None
    batch.finished_at = None
    batch.retried_at = timezone.now()
    batch.save(
        update_fields=[
            "status",
            "done",
            "error",
            "attempt",
            "progress_at",
            "finished_at",
            "retried_at",
        ]
    )
    event_append(
        shop=membership.shop,
        actor=user,
        kind=EventKind.TRAVELER_BATCH_RETRIED,
        subject=batch,
        summary=(
            f"Batch {batch.pk} tried again (attempt {batch.attempt}) after it "
            f"{'failed' if before['status'] == BatchStatus.FAILED else 'stalled'} "
            f"at {before['done']} of {batch.total} travelers"
        ),
        before=before,
        after={"status": batch.status, "attempt": batch.attempt},
    )
    _enqueue_on_commit(batch, base_url)
    return batch


# ---------------------------------------------------------------------------------- reads


def get_batch_for(shop: Shop | None, batch_id: int | str) -> TravelerBatch:
    """The shop's batch by id; 404 for other shops' ids, unknown ids and anything not an id."""
    try:
        pk = int(batch_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such batch.") from exc
    if shop is None or not 0 < pk <= MAX_ID:
        raise Http404("No such batch.")
    try:
        return TravelerBatch.objects.select_related("created_by").get(pk=pk, shop=shop)
    except TravelerBatch.DoesNotExist as exc:
        raise Http404("No such batch.") from exc


def recent_batches(shop: Shop, limit: int = RECENT_BATCHES) -> QuerySet[TravelerBatch]:
    return (
        TravelerBatch.objects.filter(shop=shop)
        .select_related("created_by")
        .defer("job_ids")
        .order_by("-created_at", "-id")[:limit]
    )
