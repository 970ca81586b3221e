"""Benchmark: a batch of 100 travelers, released and printed into one PDF.

`run(shop, user)` makes 100 planned jobs that pass the release gate (a part whose released
revision has a drawing, a five-operation routing, quantity, due date, material from stock),
then times `traveler_batch_start` (release + print records for all 100) and the background
task that lays out every traveler and writes the combined PDF, run inline here as the
`db_worker` would run it. Target: under 30 s in total on 2 cores.

Everything it makes is rolled back and the PDF deleted, so the bench database stays as it was.
Django must already be set up (bench/run.py does it).
"""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from typing import Any

JOBS = 100
OPERATIONS = 5
TARGET_S = 30.0
SITE_URL = "https://shopdesk.bench"


class _Rollback(Exception):
    """Raised to undo the scenario's jobs once measured."""


def _ready_jobs(shop: Any, user: Any, count: int) -> tuple[list[Any], Any]:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from shopdesk.customers.models import Customer
    from shopdesk.jobs import services as job_services
    from shopdesk.jobs.models import Job, MaterialStatus, WorkCenter
    from shopdesk.parts.models import (
        Document,
        DocumentKind,
        Part,
        PartRevision,
        RevisionStatus,
        StoredFile,
    )

    tag = uuid.uuid4().hex[:8]
    customer = Customer.objects.filter(shop=shop).first() or Customer.objects.create(
        shop=shop, name=f"Bench customer {tag}"
    )
    part = Part.objects.create(
        shop=shop, customer=customer, number=f"BENCH-{tag}", description="Batch bench part"
    )
    revision = PartRevision.objects.create(
        shop=shop,
        part=part,
        code="A",
        status=RevisionStatus.RELEASED,
        released_at=timezone.now(),
        released_by=user,
    )
    content = f"%PDF-1.4\n% bench drawing {tag}\n%%EOF\n".encode()
    stored = StoredFile(
        shop=shop,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="application/pdf",
    )
    stored.blob.save(stored.sha256, ContentFile(content), save=True)
    Document.objects.create(
        shop=shop,
        revision=revision,
        kind=DocumentKind.DRAWING,
        name="drawing.pdf",
        stored=stored,
        uploaded_by=user,
    )
    centers = list(WorkCenter.objects.filter(shop=shop, active=True).order_by("pk")[:OPERATIONS])
    if not centers:
        centers = [WorkCenter.objects.create(shop=shop, name=f"Bench mill {tag}")]
    due = timezone.localdate() + datetime.timedelta(days=14)
    jobs = []
    for index in range(count):
        job = job_services.job_create(
            user=user,
            customer=customer,
            part=part,
            quantity=10 + index,
            due_date=due,
            customer_po=f"BENCH-{tag}-{index}",
            operations=[
                {"work_center": center, "name": f"{center.name} {step + 1}", "run_minutes": 2}
                for step, center in enumerate(
                    centers[i % len(centers)] for i in range(index, index + OPERATIONS)
                )
            ],
        )
        jobs.append(job)
    Job.objects.filter(pk__in=[job.pk for job in jobs]).update(
        material_status=MaterialStatus.FROM_STOCK
    )
    return jobs, stored


def run(shop: Any, user: Any, *, count: int = JOBS) -> dict[str, Any]:
    """Time a batch of `count` (100) travelers for `shop` started by `user`, a planner there.

    Answers {"scenario", "jobs", "start_s", "render_s", "total_s", "cpu_s", "target_s", "status",
    "pages", "pdf_bytes", "released", "refused"}; status is "ok", "over target" or "error: …".
    """
    from django.db import transaction

    from shopdesk.travelers.batch import traveler_batch_start
    from shopdesk.travelers.models import BatchStatus, TravelerBatch
    from shopdesk.travelers.tasks import traveler_batch_render

    outcome: dict[str, Any] = {"scenario": f"batch of {count} travelers", "jobs": count}
    files: list[str] = []
    try:
        with transaction.atomic():
            jobs, stored = _ready_jobs(shop, user, count)
            files.append(stored.blob.name)
            numbers = [job.display_number for job in jobs]
            began, began_cpu = time.perf_counter(), time.process_time()
            batch = traveler_batch_start(user=user, jobs=numbers, release=True, site_url=SITE_URL)
            started = time.perf_counter()
            # The task is queued on commit; run it here as the worker would.
            traveler_batch_render.call(batch_id=batch.pk, site_url=SITE_URL)
            finished, finished_cpu = time.perf_counter(), time.process_time()
            batch = TravelerBatch.objects.get(pk=batch.pk)
            files.append(batch.pdf.name)
            outcome.update(
                start_s=round(started - began, 2),
                render_s=round(finished - started, 2),
                total_s=round(finished - began, 2),
                # CPU time of this process: what the wall time would be on an idle machine.
                cpu_s=round(finished_cpu - began_cpu, 2),
                target_s=TARGET_S,
                released=len(batch.report["released"]),
                refused=len(batch.report["refused"]),
                pdf_bytes=batch.pdf.size if batch.pdf else 0,
            )
            if batch.status != BatchStatus.DONE:
                outcome["status"] = f"error: batch {batch.status}: {batch.error}"
            elif outcome["released"] != count:
                outcome["status"] = f"error: only {outcome['released']} of {count} released"
            else:
                outcome["status"] = "ok" if outcome["total_s"] < TARGET_S else "over target"
                outcome["pages"] = _page_count(batch)
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:  # a benchmark reports its failure rather than stopping the run
        outcome["status"] = f"error: {type(error).__name__}: {error}"
    finally:
        _delete_files(files)
    return outcome


def _page_count(batch: Any) -> int | None:
    try:
        import pypdfium2
    except ImportError:
        return None
    with batch.pdf.open("rb") as handle:
        return len(pypdfium2.PdfDocument(handle.read()))


def _delete_files(names: list[str]) -> None:
    from shopdesk.parts.models import private_storage

    for name in names:
        if name:
            private_storage.delete(name)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopdesk.settings")
    django.setup()
    from shopdesk.core.models import Membership, Role

    membership = (
        Membership.objects.select_related("shop", "user")
        .filter(role__in=[Role.OWNER, Role.SUPERVISOR])
        .first()
    )
    if membership is None:
        sys.exit("No shop with an owner or supervisor in this database.")
    membership.user.membership = membership
    print(run(membership.shop, membership.user))
