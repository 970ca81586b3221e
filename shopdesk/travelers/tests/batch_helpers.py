"""Jobs for batch tests: ones that pass the release gate (released revision with a drawing,
routing, quantity, due date, material from stock) and ones that do not.
The fixtures built on these are in this folder's conftest.py."""

from __future__ import annotations

import datetime

from django.utils import timezone

from shopdesk.core.tests.factories import DocumentFactory
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job, MaterialStatus
from shopdesk.parts.models import Part
from shopdesk.travelers.models import TravelerBatch

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SITE = "https://shop.example.com"


def drawing_on(part: Part) -> None:
    """A current drawing on the part's released revision, so the gate's file check passes."""
    revision = part.revisions.get(status="released")
    if not revision.documents.filter(kind="drawing").exists():
        DocumentFactory(revision=revision)


def make_job(
    user,
    customer,
    part,
    work_centers,
    *,
    quantity: int | None = 10,
    ready: bool = True,
    operations: bool = True,
) -> Job:
    """A planned job; with `ready` its material is from stock and its part has a drawing."""
    job = job_services.job_create(
        user=user,
        customer=customer,
        part=part,
        quantity=quantity,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        operations=(
            [{"work_center": wc, "name": wc.name, "run_minutes": 1} for wc in work_centers]
            if operations
            else []
        ),
    )
    if ready:
        drawing_on(part)
        Job.objects.filter(pk=job.pk).update(material_status=MaterialStatus.FROM_STOCK)
        job.refresh_from_db()
    return job


def backdate(batch: TravelerBatch, **minutes_ago: float) -> TravelerBatch:
    """Move some of the batch's times into the past (`created_at=3`: three minutes ago), as
    if that long had gone by, and reload it."""
    now = timezone.now()
    TravelerBatch.objects.filter(pk=batch.pk).update(
        **{field: now - datetime.timedelta(minutes=m) for field, m in minutes_ago.items()}
    )
    batch.refresh_from_db()
    return batch
